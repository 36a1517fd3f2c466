"""The admin's commands on staff accounts: add, disable, reset a password; and the staff list."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from frontdesk.db import queries as q
from frontdesk.db.engine import read_session
from frontdesk.db.models import Staff
from frontdesk.domain.model import Role
from frontdesk.domain.permissions import Permission, refusal
from frontdesk.services.access import acting
from frontdesk.services.accounts import passwords
from frontdesk.services.accounts.passwords import _check_password
from frontdesk.services.accounts.signin import _for_update, _locked
from frontdesk.services.context import Context, write
from frontdesk.services.errors import InvalidInput, NotAllowed
from frontdesk.services.mapping import staff_view
from frontdesk.services.views import StaffView

MAX_NAME = 80
USERNAME_RULE = re.compile(r"^[a-z0-9._-]{2,40}$")


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
    hashed = passwords.PASSWORD_HASHER.hash(password)  # read at call time: tests swap it

    def work(session: Session) -> StaffView:
        first = kind is Role.ADMIN and not _any_admin(session)
        admin = None if first else _admin(session, by)
        if q.staff_by_username(session, wanted) is not None:
            raise InvalidInput("username", f"{wanted!r} is taken")
        row = Staff(name=display, username=wanted, role=kind.value, password_hash=hashed)
        session.add(row)
        session.flush()
        q.add_audit(session, origin=ctx.origin.stamp,
                    at=ctx.now(), staff_id=admin.id if admin else None,
                    action="staff.add", entity="staff", entity_id=row.id,
                    after={"username": wanted, "name": display, "role": kind.value,
                           **({"first_admin": True} if first else {})})
        return staff_view(row)

    try:
        return write(ctx, work)
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
        q.add_audit(session, origin=ctx.origin.stamp,
                    at=ctx.now(), staff_id=admin.id, action="staff.disable",
                    entity="staff", entity_id=row.id, before={"active": True},
                    after={"active": False})
        return staff_view(row)

    return write(ctx, work)


def reset_password(ctx: Context, *, by: str, username: str, password: str) -> StaffView:
    """A new password; also clears failed sign-ins and any lock. ``by``: an admin."""
    wanted = _check_username(username)
    _check_password(password, wanted)
    hashed = passwords.PASSWORD_HASHER.hash(password)  # read at call time: tests swap it

    def work(session: Session) -> StaffView:
        admin = _admin(session, by)
        row = _target(session, wanted)
        now = ctx.now()
        was_locked = _locked(row, now)
        until = row.locked_until.isoformat() if row.locked_until else None
        row.password_hash, row.failed_signins, row.locked_until = hashed, 0, None
        session.add(row)
        q.add_audit(session, origin=ctx.origin.stamp,
                    at=now, staff_id=admin.id, action="staff.reset_password",
                    entity="staff", entity_id=row.id)
        if was_locked:
            q.add_audit(session, origin=ctx.origin.stamp,
                        at=now, staff_id=admin.id, action="staff.unlock",
                        entity="staff", entity_id=row.id, before={"locked_until": until},
                        after={"via": "reset_password"})
        return staff_view(row)

    return write(ctx, work)


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


def _check_username(username: str) -> str:
    wanted = username.strip()
    if not USERNAME_RULE.match(wanted):
        raise InvalidInput("username", "2-40 characters: lowercase letters, digits, '.', '-' "
                                       "and '_'")
    return wanted


def has_admin(ctx: Context) -> bool:
    """Whether the practice has an active admin (until it does, anyone who can run the command
    adds the first one)."""
    with read_session(ctx.engine) as session:
        return _any_admin(session)


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
