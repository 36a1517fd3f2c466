"""The one door every service goes through to find out who is acting and whether they may.

A write looks the person up inside its own transaction (:func:`acting`), so a role changed or
an account disabled a moment ago is seen; a read that needs a role (the daily report, the audit
log) asks :func:`require` first. Both refuse with :class:`NotAllowed`, whose message says what
the action needs ("seeing the audit log needs a manager or admin"); nothing is written.
"""

from __future__ import annotations

from sqlmodel import Session

from frontdesk.db import queries as q
from frontdesk.db.engine import read_session
from frontdesk.db.models import Staff
from frontdesk.domain.permissions import Permission, allowed, refusal
from frontdesk.services.context import Context
from frontdesk.services.errors import InvalidInput, NotAllowed
from frontdesk.services.mapping import staff_view
from frontdesk.services.views import StaffView


def acting(session: Session, username: str, permission: Permission | None = None) -> Staff:
    """The active staff member ``username`` — holding ``permission`` when one is named."""
    row = q.staff_by_username(session, username)
    if row is None or not row.active:
        raise InvalidInput("as", f"no active staff member with username {username[:40]!r}")
    if permission is not None and not allowed(row.role, permission):
        raise NotAllowed(refusal(permission))
    return row


def require(ctx: Context, username: str, permission: Permission) -> StaffView:
    """Check, in a short read, that ``username`` is active and holds ``permission``."""
    with read_session(ctx.engine) as session:
        return staff_view(acting(session, username, permission))
