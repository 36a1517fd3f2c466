"""Staff accounts: passwords (argon2), signing in, lockout after repeated failures, and the
admin's commands that add, disable and reset accounts.

Signing in never tells an unknown username from a wrong password: both, and a disabled account
or one without a password, are refused with the same message after the same argon2 work (a
dummy hash stands in for a missing one). Failed sign-ins in a row are counted on the account;
at ``[signin] max_failures`` it is locked for ``lockout_minutes``, and while locked even the
right password is refused. Each outcome is one write transaction with its audit event; the
password and its hash never go into the audit log.

The password is checked outside the write transaction (argon2 takes a tenth of a second on
purpose, and SQLite's write lock should not wait on it); the transaction then reads the account
again, locked for update, and re-checks if the hash changed meanwhile.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, TypeVar
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from frontdesk.db import queries as q
from frontdesk.db.engine import DatabaseBusyError, read_session, run_write
from frontdesk.db.models import Staff
from frontdesk.domain.model import Role
from frontdesk.domain.permissions import Permission, refusal
from frontdesk.services.access import acting
from frontdesk.services.context import Context
from frontdesk.services.errors import Busy, FrontDeskError, InvalidInput, NotAllowed
from frontdesk.services.mapping import staff_view
from frontdesk.services.views import StaffView

PRACTICE_ZONE = "America/Chicago"
MIN_PASSWORD = 10
MAX_PASSWORD = 200  # argon2 takes any length; this keeps a pasted novel out
MAX_NAME = 80
USERNAME_RULE = re.compile(r"^[a-z0-9._-]{2,40}$")
REFUSED = "wrong username or password"
T = TypeVar("T")

#: The hasher every password goes through. Tests may swap in a cheaper one (monkeypatch this
#: name); production always uses argon2-cffi's defaults (argon2id, RFC 9106 low-memory).
PASSWORD_HASHER = PasswordHasher()

_dummy: tuple[PasswordHasher, str] | None = None


class SignInRefused(FrontDeskError):
    """Unknown username, wrong password, disabled account or no password set: one message."""

    def __init__(self) -> None:
        super().__init__(REFUSED)


class AccountLocked(FrontDeskError):
    """Too many failed sign-ins in a row; ``until`` (aware UTC) is when the lock ends."""

    def __init__(self, until: datetime) -> None:
        local = until.astimezone(ZoneInfo(PRACTICE_ZONE))
        super().__init__(f"too many failed sign-ins: locked until {local:%H:%M}")
        self.until = until


def hash_password(password: str) -> str:
    """The argon2 hash to store (for seeding; the services below hash for themselves)."""
    return PASSWORD_HASHER.hash(password)


# --------------------------------------------------------------------------- signing in


def sign_in(ctx: Context, *, username: str, password: str) -> StaffView:
    """The staff member, when the password is right and the account active and not locked.

    Raises SignInRefused (same message whatever was wrong) or AccountLocked.
    """
    return _authenticate(ctx, username, password, success="staff.sign_in")


def check_password(ctx: Context, *, username: str, password: str) -> bool:
    """Unlock the idle lock: a sign-in like any other (failures count toward the lockout),
    audited ``staff.unlock`` on success. True, or SignInRefused / AccountLocked."""
    _authenticate(ctx, username, password, success="staff.unlock")
    return True


def screen_locked(ctx: Context, *, username: str, idle_minutes: int | None) -> None:
    """Audit that ``username``'s screen locked (``staff.screen_lock``): after ``idle_minutes``
    without input, or at once when they locked it themselves (None)."""
    after: dict[str, object] = ({"via": "key"} if idle_minutes is None
                                else {"via": "idle", "idle_minutes": idle_minutes})

    def work(session: Session) -> None:
        row = acting(session, username)
        q.add_audit(session, at=ctx.now(), staff_id=row.id, action="staff.screen_lock",
                    entity="staff", entity_id=row.id, after=after)

    _write(ctx, work)


def anyone_can_sign_in(ctx: Context) -> bool:
    """Whether any active account has a password (if not, the sign-in screen says how to add
    the first admin)."""
    with read_session(ctx.engine) as session:
        return session.exec(select(Staff.id).where(
            col(Staff.active), col(Staff.password_hash).is_not(None)).limit(1)).first() is not None


def password_set(ctx: Context, username: str) -> bool:
    """Whether the active account ``username`` has a password (False for no such account)."""
    with read_session(ctx.engine) as session:
        row = q.staff_by_username(session, username)
        return row is not None and row.active and row.password_hash is not None


def is_ssh(environ: Mapping[str, str]) -> bool:
    return bool(environ.get("SSH_CONNECTION") or environ.get("SSH_TTY"))


def os_user_staff(ctx: Context, *, os_user: str, environ: Mapping[str, str]) -> StaffView | None:
    """The staff member ``[signin] os_users`` maps ``os_user`` to, signed in without a password
    — only over SSH (the OS already checked who they are), and only for an active account that
    is not locked. None otherwise: ask for the password."""
    username = ctx.settings.signin.os_users.get(os_user)
    if username is None or not is_ssh(environ):
        return None

    def work(session: Session) -> StaffView | None:
        row = _for_update(session, username)
        now = ctx.now()
        if row is None or not row.active or _locked(row, now):
            return None
        q.add_audit(session, at=now, staff_id=row.id, action="staff.sign_in", entity="staff",
                    entity_id=row.id, after={"via": "ssh", "os_user": os_user[:64]})
        return staff_view(row)

    return _write(ctx, work)


@dataclass(frozen=True)
class _Outcome:
    kind: Literal["ok", "refused", "locked"]
    view: StaffView | None = None
    until: datetime | None = None


def _authenticate(ctx: Context, username: str, password: str, *, success: str) -> StaffView:
    typed = username.strip().lower()
    with read_session(ctx.engine) as session:
        row = q.staff_by_username(session, typed) if typed else None
        seen_hash = row.password_hash if row is not None and row.active else None
    verified = _verify(seen_hash, password)
    fresh = _rehash(seen_hash, password) if verified else None
    rules = ctx.settings.signin

    def work(session: Session) -> _Outcome:
        now = ctx.now()
        account = _for_update(session, typed) if typed else None
        if account is None:
            q.add_audit(session, at=now, staff_id=None, action="staff.sign_in_failed",
                        entity="staff", entity_id=None, after={"username": username[:40]})
            return _Outcome("refused")
        audit = _Audit(session, now, account)
        if not account.active or account.password_hash is None:
            audit("staff.sign_in_failed",
                  {"reason": "disabled" if not account.active else "no password"})
            return _Outcome("refused")
        if _locked(account, now):
            audit("staff.sign_in_refused_locked", {"until": account.locked_until})
            return _Outcome("locked", until=account.locked_until)
        if account.locked_until is not None:  # a lock that has run out: the count starts over
            account.locked_until, account.failed_signins = None, 0
        same = account.password_hash == seen_hash
        ok = verified if same else _verify(account.password_hash, password)
        if not ok:
            account.failed_signins += 1
            audit("staff.sign_in_failed", {"failures": account.failed_signins})
            if account.failed_signins >= rules.max_failures:
                account.locked_until = now + timedelta(minutes=rules.lockout_minutes)
                audit("staff.locked", {"failures": account.failed_signins,
                                       "until": account.locked_until})
                session.add(account)
                return _Outcome("locked", until=account.locked_until)
            session.add(account)
            return _Outcome("refused")
        upgraded = fresh if same else _rehash(account.password_hash, password)
        rehashed = upgraded is not None
        if upgraded is not None:
            account.password_hash = upgraded
        account.failed_signins = 0
        session.add(account)
        audit(success, {"via": "password", **({"rehashed": True} if rehashed else {})})
        return _Outcome("ok", view=staff_view(account))

    outcome = _write(ctx, work)
    if outcome.kind == "locked" and outcome.until is not None:
        raise AccountLocked(outcome.until)
    if outcome.kind != "ok" or outcome.view is None:
        raise SignInRefused()
    return outcome.view


def _verify(stored: str | None, password: str) -> bool:
    """argon2 verification; a missing hash still costs one verification (against a dummy)."""
    try:
        return PASSWORD_HASHER.verify(stored or _dummy_hash(), password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def _rehash(stored: str | None, password: str) -> str | None:
    """A new hash when ``stored`` was made with older argon2 parameters than today's."""
    if stored is None or not PASSWORD_HASHER.check_needs_rehash(stored):
        return None
    return PASSWORD_HASHER.hash(password)


def _dummy_hash() -> str:
    global _dummy
    if _dummy is None or _dummy[0] is not PASSWORD_HASHER:
        _dummy = (PASSWORD_HASHER, PASSWORD_HASHER.hash("not anybody's password"))
    return _dummy[1]


def _locked(row: Staff, now: datetime) -> bool:
    return row.locked_until is not None and row.locked_until > now


# --------------------------------------------------------------------------- admin commands


def add_staff(ctx: Context, *, by: str, username: str, name: str, role: Role | str,
              password: str) -> StaffView:
    """A new active account with its password. ``by`` must be an active admin — except for the
    practice's first admin: while no active admin exists, an admin account may be added by
    anyone who can run the command (``by`` is then not checked; the audit event has no staff)."""
    wanted = _check_username(username)
    display = " ".join(name.split())
    if not display:
        raise InvalidInput("name", "enter the person's name")
    if len(display) > MAX_NAME:
        raise InvalidInput("name", f"at most {MAX_NAME} characters")
    try:
        kind = Role(role)
    except ValueError:
        raise InvalidInput("role", f"one of {', '.join(r.value for r in Role)}") from None
    _check_password(password, wanted)
    hashed = PASSWORD_HASHER.hash(password)

    def work(session: Session) -> StaffView:
        first = kind is Role.ADMIN and not _any_admin(session)
        admin = None if first else _admin(session, by)
        if q.staff_by_username(session, wanted) is not None:
            raise InvalidInput("username", f"{wanted!r} is taken")
        row = Staff(name=display, username=wanted, role=kind.value, password_hash=hashed)
        session.add(row)
        session.flush()
        q.add_audit(session, at=ctx.now(), staff_id=admin.id if admin else None,
                    action="staff.add", entity="staff", entity_id=row.id,
                    after={"username": wanted, "name": display, "role": kind.value,
                           **({"first_admin": True} if first else {})})
        return staff_view(row)

    try:
        return _write(ctx, work)
    except IntegrityError:  # the same username added at the same moment elsewhere
        raise InvalidInput("username", f"{wanted!r} is taken") from None


def disable_staff(ctx: Context, *, by: str, username: str) -> StaffView:
    """The account can no longer sign in (it stays, for the audit log). ``by``: an admin."""

    def work(session: Session) -> StaffView:
        admin = _admin(session, by)
        row = _target(session, username)
        if row.role == Role.ADMIN.value and row.id == admin.id:
            admins = session.exec(select(func.count()).select_from(Staff).where(
                col(Staff.active), col(Staff.role) == Role.ADMIN.value)).one()
            if admins <= 1:
                raise InvalidInput("username", "you are the last active admin; add another "
                                               "admin before disabling your own account")
        row.active = False
        session.add(row)
        q.add_audit(session, at=ctx.now(), staff_id=admin.id, action="staff.disable",
                    entity="staff", entity_id=row.id, before={"active": True},
                    after={"active": False})
        return staff_view(row)

    return _write(ctx, work)


def reset_password(ctx: Context, *, by: str, username: str, password: str) -> StaffView:
    """A new password; also clears failed sign-ins and any lock. ``by``: an admin."""
    wanted = _check_username(username)
    _check_password(password, wanted)
    hashed = PASSWORD_HASHER.hash(password)

    def work(session: Session) -> StaffView:
        admin = _admin(session, by)
        row = _target(session, wanted)
        now = ctx.now()
        was_locked = _locked(row, now)
        until = row.locked_until.isoformat() if row.locked_until else None
        row.password_hash, row.failed_signins, row.locked_until = hashed, 0, None
        session.add(row)
        q.add_audit(session, at=now, staff_id=admin.id, action="staff.reset_password",
                    entity="staff", entity_id=row.id)
        if was_locked:
            q.add_audit(session, at=now, staff_id=admin.id, action="staff.unlock",
                        entity="staff", entity_id=row.id, before={"locked_until": until},
                        after={"via": "reset_password"})
        return staff_view(row)

    return _write(ctx, work)


@dataclass(frozen=True)
class StaffStatus:
    """An account as the staff list shows it (no hash)."""

    view: StaffView
    password_set: bool
    locked_until: datetime | None  # only while the lock lasts


def staff_status(ctx: Context) -> list[StaffStatus]:
    """Active staff with whether each has a password and is locked out now."""
    now = ctx.now()
    with read_session(ctx.engine) as session:
        rows = session.exec(select(Staff).where(col(Staff.active)).order_by(col(Staff.id)))
        return [StaffStatus(staff_view(r), r.password_hash is not None,
                            r.locked_until if _locked(r, now) else None) for r in rows]


# --------------------------------------------------------------------------- helpers


def _check_username(username: str) -> str:
    wanted = username.strip()
    if not USERNAME_RULE.match(wanted):
        raise InvalidInput("username", "2-40 characters: lowercase letters, digits, '.', '-' "
                                       "and '_'")
    return wanted


def _check_password(password: str, username: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput("password", f"at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise InvalidInput("password", f"at most {MAX_PASSWORD} characters")
    if username.lower() in password.lower():
        raise InvalidInput("password", "must not contain the username")


def _any_admin(session: Session) -> bool:
    return session.exec(select(Staff.id).where(
        col(Staff.active), col(Staff.role) == Role.ADMIN.value).limit(1)).first() is not None


def _admin(session: Session, username: str) -> Staff:
    try:
        return acting(session, username, Permission.STAFF)
    except InvalidInput:  # an unknown name gets the same answer as a lack of rights
        raise NotAllowed(refusal(Permission.STAFF)) from None


def _target(session: Session, username: str) -> Staff:
    row = _for_update(session, username.strip().lower())
    if row is None:
        raise InvalidInput("username", f"no staff member {username[:40]!r}; "
                                       "`frontdesk staff list` lists them")
    if not row.active:
        raise InvalidInput("username", f"{row.username!r} is disabled")
    return row


def _for_update(session: Session, username: str) -> Staff | None:
    """The account, row-locked on PostgreSQL (SQLite's write transaction already is)."""
    return session.exec(
        select(Staff).where(func.lower(Staff.username) == username.strip().lower())
        .with_for_update()
    ).one_or_none()


class _Audit:
    def __init__(self, session: Session, now: datetime, row: Staff) -> None:
        self.session, self.now, self.row = session, now, row

    def __call__(self, action: str, after: dict[str, object]) -> None:
        q.add_audit(self.session, at=self.now, staff_id=self.row.id, action=action,
                    entity="staff", entity_id=self.row.id,
                    after={k: v.isoformat() if isinstance(v, datetime) else v
                           for k, v in after.items()})


def _write(ctx: Context, work: Callable[[Session], T]) -> T:
    try:
        return run_write(ctx.engine, work)
    except DatabaseBusyError as exc:
        raise Busy(str(exc)) from exc
