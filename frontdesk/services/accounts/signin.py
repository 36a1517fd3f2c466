"""Signing in: with a password (locked out after repeated failures), over SSH as a mapped OS
user, and the idle lock (audited when it locks, a sign-in to unlock).

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

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from frontdesk.db import queries as q
from frontdesk.db.engine import read_session
from frontdesk.db.models import Staff
from frontdesk.services.access import acting
from frontdesk.services.accounts.passwords import _rehash, _verify
from frontdesk.services.context import Context, write
from frontdesk.services.errors import FrontDeskError
from frontdesk.services.mapping import staff_view
from frontdesk.services.views import StaffView

PRACTICE_ZONE = "America/Chicago"
REFUSED = "wrong username or password"
T = TypeVar("T")


class SignInRefused(FrontDeskError):
    """Unknown username, wrong password, disabled account or no password set: one message.

    ``reason`` (``unknown``, ``password``, ``disabled``, ``no password``) is for a screen that
    already knows whose account it is — the idle lock, where it is the locked person's own —
    never for one where anybody types a username."""

    def __init__(self, reason: str = "") -> None:
        super().__init__(REFUSED)
        self.reason = reason


class AccountLocked(FrontDeskError):
    """Too many failed sign-ins in a row; ``until`` (aware UTC) is when the lock ends."""

    def __init__(self, until: datetime) -> None:
        local = until.astimezone(ZoneInfo(PRACTICE_ZONE))
        super().__init__(f"too many failed sign-ins: locked until {local:%H:%M}")
        self.until = until


def sign_in(ctx: Context, *, username: str, password: str) -> StaffView:
    """The staff member, when the password is right and the account active and not locked.

    Raises SignInRefused (same message whatever was wrong) or AccountLocked.
    """
    return _authenticate(ctx, username, password, success="staff.sign_in")


def prove(ctx: Context, *, username: str, password: str) -> StaffView:
    """Who runs a command, proven by their password: a sign-in in all but the event — the
    command's own events carry who acted, through which channel and as which OS user, and a
    command refused for bad input writes nothing. A wrong password is audited and counts toward
    the lockout like any failed sign-in. SignInRefused or AccountLocked otherwise."""
    return _authenticate(ctx, username, password, success=None)


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
        q.add_audit(session, origin=ctx.origin.stamp,
                    at=ctx.now(), staff_id=row.id, action="staff.screen_lock",
                    entity="staff", entity_id=row.id, after=after)

    write(ctx, work)


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


def os_user_staff(ctx: Context) -> StaffView | None:
    """The staff member ``[signin] os_users`` maps the acting OS user to, signed in without a
    password — only in an SSH login (the OS already checked who they are: see
    :mod:`~frontdesk.services.origin`), and only for an active account that is not
    locked. None otherwise: ask for the password."""
    os_user = ctx.origin.os_user or ""
    username = ctx.settings.signin.os_users.get(os_user)
    if username is None or ctx.origin.channel != "ssh":
        return None

    def work(session: Session) -> StaffView | None:
        row = _for_update(session, username)
        now = ctx.now()
        if row is None or not row.active or _locked(row, now):
            return None
        q.add_audit(session, origin=ctx.origin.stamp,
                    at=now, staff_id=row.id, action="staff.sign_in", entity="staff",
                    entity_id=row.id, after={"via": "ssh", "os_user": os_user[:64]})
        return staff_view(row)

    return write(ctx, work)


def os_user_account(ctx: Context) -> StaffView | None:
    """The active, unlocked account ``[signin] os_users`` maps the acting OS user to (the real
    uid's user: see :mod:`~frontdesk.services.origin`), on any channel — how a command
    run by a mapped OS user knows who runs it. Read only: the events the command writes carry
    the OS user."""
    username = ctx.settings.signin.os_users.get(ctx.origin.os_user or "")
    if username is None:
        return None
    with read_session(ctx.engine) as session:
        row = q.staff_by_username(session, username)
        if row is None or not row.active or _locked(row, ctx.now()):
            return None
        return staff_view(row)


@dataclass(frozen=True)
class _Outcome:
    kind: Literal["ok", "refused", "locked"]
    view: StaffView | None = None
    until: datetime | None = None
    reason: str = ""  # why refused (SignInRefused.reason)


def _authenticate(ctx: Context, username: str, password: str, *,
                  success: str | None) -> StaffView:
    typed = q.username_key(username)
    with read_session(ctx.engine) as session:
        row = q.staff_by_username(session, typed) if typed else None
        seen_hash = row.password_hash if row is not None and row.active else None
        clean = row is not None and not row.failed_signins and not _locked(row, ctx.now())
        seen = staff_view(row) if row is not None else None
    verified = _verify(seen_hash, password)
    fresh = _rehash(seen_hash, password) if verified else None
    if success is None and verified and clean and fresh is None and seen is not None:
        return seen  # a proof that changes nothing writes nothing (a command may only read)
    rules = ctx.settings.signin

    def work(session: Session) -> _Outcome:
        now = ctx.now()
        account = _for_update(session, typed) if typed else None
        if account is None:  # what was typed is not kept: it may be a password
            q.add_audit(session, origin=ctx.origin.stamp,
                        at=now, staff_id=None, action="staff.sign_in_failed",
                        entity="staff", entity_id=None, after={"reason": "unknown username"})
            return _Outcome("refused", reason="unknown")
        audit = _Audit(session, ctx, now, account)
        if not account.active or account.password_hash is None:
            why = "disabled" if not account.active else "no password"
            audit("staff.sign_in_failed", {"reason": why})
            return _Outcome("refused", reason=why)
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
            return _Outcome("refused", reason="password")
        upgraded = fresh if same else _rehash(account.password_hash, password)
        rehashed = upgraded is not None
        if upgraded is not None:
            account.password_hash = upgraded
        if account.failed_signins or rehashed:
            account.failed_signins = 0
            session.add(account)
        if success is not None:
            audit(success, {"via": "password", **({"rehashed": True} if rehashed else {})})
        return _Outcome("ok", view=staff_view(account))

    outcome = write(ctx, work)
    if outcome.kind == "locked" and outcome.until is not None:
        raise AccountLocked(outcome.until)
    if outcome.kind != "ok" or outcome.view is None:
        raise SignInRefused(outcome.reason)
    return outcome.view


def _locked(row: Staff, now: datetime) -> bool:
    return row.locked_until is not None and row.locked_until > now


def _for_update(session: Session, username: str) -> Staff | None:
    """The account, row-locked on PostgreSQL (SQLite's write transaction already is)."""
    return session.exec(
        select(Staff).where(func.lower(Staff.username) == q.username_key(username))
        .with_for_update()
    ).one_or_none()


class _Audit:
    def __init__(self, session: Session, ctx: Context, now: datetime, row: Staff) -> None:
        self.session, self.ctx, self.now, self.row = session, ctx, now, row

    def __call__(self, action: str, after: dict[str, object]) -> None:
        q.add_audit(self.session, origin=self.ctx.origin.stamp, at=self.now,
                    staff_id=self.row.id, action=action,
                    entity="staff", entity_id=self.row.id,
                    after={k: v.isoformat() if isinstance(v, datetime) else v
                           for k, v in after.items()})
