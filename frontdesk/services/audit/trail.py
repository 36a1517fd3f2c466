"""Reading the audit trail back: newest first, every filter in SQL, for a manager or admin.

Queries go newest first over the indexed ``at`` column, with every filter in SQL, so a large
trail is never read whole. Each event comes back as an :class:`AuditLine` whose summary
:mod:`~frontdesk.services.audit.summaries` writes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from frontdesk.db import queries as q
from frontdesk.db.engine import read_session
from frontdesk.db.models import (
    Appointment,
    AuditEvent,
    Call,
    CallbackTask,
    Outreach,
    Patient,
    ReliefReport,
    Staff,
)
from frontdesk.domain.permissions import Permission
from frontdesk.services.access import require
from frontdesk.services.audit.summaries import _Names, summarise
from frontdesk.services.context import Context
from frontdesk.services.errors import InvalidInput

MAX_LIMIT = 5000
_ACTION = re.compile(r"[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*\.?")

#: The tables whose rows belong to one patient, and how to find that patient's rows.
_PATIENT_OWNED: tuple[tuple[str, Any], ...] = (
    ("appointment", Appointment),
    ("call", Call),
    ("relief_report", ReliefReport),
    ("callback_task", CallbackTask),
    ("outreach", Outreach),
)


@dataclass(frozen=True, slots=True)
class AuditLine:
    """One audit event: when (aware UTC), who (username and name; None for the system), the
    recorded action and entity, and a short description without patient details."""

    id: int
    at: datetime
    staff: str | None
    staff_name: str | None
    action: str
    entity: str
    entity_id: int | None
    summary: str
    channel: str | None = None  # app, ssh, browser, cli (None: written before revision 0007)
    os_user: str | None = None  # the real OS user of the process that acted


def audit_events(
    ctx: Context,
    *,
    by: str,
    since: datetime | None = None,
    until: datetime | None = None,
    staff: str | None = None,
    patient_id: int | None = None,
    action: str | None = None,
    limit: int = 500,
) -> list[AuditLine]:
    """Audit events, newest first, at most ``limit``.

    ``since`` (inclusive) and ``until`` (exclusive) are aware datetimes. ``staff`` is the
    username of who acted. ``patient_id`` keeps events on that patient's record (and on the
    records merged into it) and on their appointments, calls, relief reports and callbacks.
    ``action`` is an exact action (``appointment.cancel``) or a prefix ending in a dot
    (``appointment.``). ``by`` is who asks: a manager or admin.
    """
    require(ctx, by, Permission.AUDIT)
    for name, moment in (("since", since), ("until", until)):
        if moment is not None and moment.tzinfo is None:
            raise InvalidInput(name, "needs a time zone")
    if since is not None and until is not None and until <= since:
        raise InvalidInput("until", "must be after since")
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput("limit", f"between 1 and {MAX_LIMIT}")
    wanted_action = _check_action(action) if action is not None else None

    with read_session(ctx.engine) as session:
        query = (
            sa_select(AuditEvent, col(Staff.username), col(Staff.name))
            .outerjoin(Staff, col(Staff.id) == AuditEvent.staff_id)
            .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
            .limit(limit)
        )
        if since is not None:
            query = query.where(col(AuditEvent.at) >= since)
        if until is not None:
            query = query.where(col(AuditEvent.at) < until)
        if staff is not None:
            query = query.where(col(AuditEvent.staff_id) == _staff_id(session, staff))
        if patient_id is not None:
            if session.get(Patient, patient_id) is None:
                raise InvalidInput("patient", f"no patient with id {patient_id}")
            query = query.where(_about_patient(patient_id))
        if wanted_action is not None:
            column = col(AuditEvent.action)
            query = query.where(column.startswith(wanted_action, autoescape=True)
                                if wanted_action.endswith(".") else column == wanted_action)
        rows = session.execute(query).all()
        names = _Names.load(session) if rows else None
    if names is None:
        return []
    return [
        AuditLine(id=event.id or 0, at=event.at, staff=username, staff_name=full_name,
                  action=event.action, entity=event.entity, entity_id=event.entity_id,
                  summary=summarise(event, names), channel=event.channel,
                  os_user=event.os_user)
        for event, username, full_name in rows
    ]


def _check_action(action: str) -> str:
    wanted = action.strip().lower()
    if not wanted or len(wanted) > 40 or not _ACTION.fullmatch(wanted):
        raise InvalidInput("action", "an action such as appointment.cancel, or a prefix "
                                     "ending in a dot such as appointment.")
    return wanted


def _staff_id(session: Session, username: str) -> int:
    person = q.staff_by_username(session, username)
    if person is None or person.id is None:
        raise InvalidInput("staff", f"no staff member with username {username.strip()[:40]!r}; "
                                    "`frontdesk staff list` lists them")
    return person.id


def _about_patient(patient_id: int) -> ColumnElement[bool]:
    """Events on the patient's record, on the records merged into it (their own events from
    before the merge) and on the rows that are the patient's now."""
    entity, entity_id = col(AuditEvent.entity), col(AuditEvent.entity_id)
    merged = select(col(Patient.id)).where(col(Patient.merged_into_id) == patient_id)
    clauses = [and_(entity == "patient", entity_id == patient_id),
               and_(entity == "patient", entity_id.in_(merged))]
    for name, model in _PATIENT_OWNED:
        owned = select(col(model.id)).where(col(model.patient_id) == patient_id)
        clauses.append(and_(entity == name, entity_id.in_(owned)))
    return or_(*clauses)
