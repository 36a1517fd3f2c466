"""Queries the services use. Keyword-only arguments, the session passed in.

Hot paths (availability, day lists) select columns rather than ORM objects: they run on every
keypress in the calendar and on 200,000-row databases.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, func, or_, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from frontdesk.db.models import (
    Appointment,
    AuditEvent,
    Closure,
    Location,
    Patient,
    Provider,
    ProviderVisitType,
    Room,
    Staff,
    Template,
    VisitType,
)
from frontdesk.domain.model import (
    BLOCKING_STATUSES,
    BusySpan,
    ClosureSpec,
    RoomKind,
    RoomSpec,
    Status,
    TemplateSpec,
    VisitSpec,
)

#: No block is longer than this (the schema refuses longer ones), which bounds range scans.
MAX_BLOCK = timedelta(days=1)
_BLOCKING = [s.value for s in BLOCKING_STATUSES]


def visit_spec(session: Session, visit_type: VisitType) -> VisitSpec:
    assert visit_type.id is not None
    provider_ids = session.exec(
        select(ProviderVisitType.provider_id)
        .join(Provider, col(Provider.id) == ProviderVisitType.provider_id)
        .where(ProviderVisitType.visit_type_id == visit_type.id, col(Provider.active))
    ).all()
    return VisitSpec(
        id=visit_type.id,
        code=visit_type.code,
        duration_min=visit_type.duration_min,
        buffer_before_min=visit_type.buffer_before_min,
        buffer_after_min=visit_type.buffer_after_min,
        room_kind=RoomKind(visit_type.room_kind),
        provider_ids=frozenset(int(p) for p in provider_ids),
    )


def visit_type_by_code(session: Session, code: str) -> VisitType | None:
    return session.exec(
        select(VisitType).where(func.lower(VisitType.code) == code.strip().lower())
    ).one_or_none()


def templates_for(session: Session, provider_ids: Collection[int]) -> list[TemplateSpec]:
    rows = session.exec(
        select(Template).where(col(Template.provider_id).in_(list(provider_ids)))
    )
    return [
        TemplateSpec(
            id=t.id or 0,
            provider_id=t.provider_id,
            location_id=t.location_id,
            rrule=t.rrule,
            zone=t.timezone,
            start_time=t.start_time,
            end_time=t.end_time,
            valid_from=t.valid_from,
            valid_until=t.valid_until,
        )
        for t in rows
    ]


def closures_between(session: Session, start: datetime, end: datetime) -> list[ClosureSpec]:
    rows = session.exec(
        select(Closure.starts_at, Closure.ends_at, Closure.provider_id, Closure.location_id)
        .where(Closure.starts_at < end, Closure.ends_at > start)
    ).all()
    return [ClosureSpec(r[0], r[1], r[2], r[3]) for r in rows]


def room_specs(session: Session, *, kind: RoomKind | None = None) -> list[RoomSpec]:
    query = select(Room.id, Room.location_id, Room.kind)
    if kind is not None:
        query = query.where(Room.kind == kind.value)
    return [RoomSpec(r[0] or 0, r[1], RoomKind(r[2])) for r in session.exec(query).all()]


def _live(now: datetime) -> ColumnElement[bool]:
    """Blocking rows, holds only while unexpired."""
    return and_(
        col(Appointment.status).in_(_BLOCKING),
        or_(col(Appointment.status) != Status.HELD.value, col(Appointment.hold_expires_at) > now),
    )


def busy_between(
    session: Session,
    *,
    start: datetime,
    end: datetime,
    now: datetime,
    provider_ids: Collection[int],
    room_ids: Collection[int],
    exclude_id: int | None = None,
) -> list[BusySpan]:
    overlap = and_(
        col(Appointment.block_start) < end,
        col(Appointment.block_start) > start - MAX_BLOCK,
        col(Appointment.block_end) > start,
        _live(now),
    )
    query = select(
        Appointment.provider_id, Appointment.room_id, Appointment.block_start,
        Appointment.block_end,
    ).where(
        overlap,
        or_(
            col(Appointment.provider_id).in_(list(provider_ids)),
            col(Appointment.room_id).in_(list(room_ids)),
        ),
    )
    if exclude_id is not None:
        query = query.where(Appointment.id != exclude_id)
    return [BusySpan(r[0], r[1], r[2], r[3]) for r in session.exec(query).all()]


def expire_holds(session: Session, *, now: datetime) -> int:
    result = session.exec(
        update(Appointment)
        .where(col(Appointment.status) == Status.HELD.value,
               col(Appointment.hold_expires_at) <= now)
        .values(status=Status.EXPIRED.value, updated_at=now)
    )
    return int(result.rowcount or 0)


def appointment_rows(
    session: Session,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    location_ids: Collection[int] | None = None,
    ids: Collection[int] | None = None,
    patient_id: int | None = None,
) -> Sequence[Row[Any]]:
    """Appointments joined with the names a screen shows, ordered by start."""
    columns: list[Any] = [
        Appointment, Patient.first_name, Patient.last_name, VisitType.code, VisitType.name,
        VisitType.colour, Provider.name, Location.name, Location.timezone, Room.name,
        Staff.username,
    ]
    query = (
        sa_select(*columns)
        .join(Patient, col(Patient.id) == Appointment.patient_id)
        .join(VisitType, col(VisitType.id) == Appointment.visit_type_id)
        .join(Provider, col(Provider.id) == Appointment.provider_id)
        .join(Location, col(Location.id) == Appointment.location_id)
        .join(Room, col(Room.id) == Appointment.room_id)
        .join(Staff, col(Staff.id) == Appointment.booked_by_id)
    )
    if start is not None:
        query = query.where(col(Appointment.starts_at) >= start)
    if end is not None:
        query = query.where(col(Appointment.starts_at) < end)
    if location_ids is not None:
        query = query.where(col(Appointment.location_id).in_(list(location_ids)))
    if ids is not None:
        query = query.where(col(Appointment.id).in_(list(ids)))
    if patient_id is not None:
        query = query.where(col(Appointment.patient_id) == patient_id)
    query = query.order_by(col(Appointment.starts_at), col(Appointment.provider_id))
    rows: Sequence[Row[Any]] = session.exec(query).all()  # type: ignore[call-overload]
    return rows


def add_audit(
    session: Session,
    *,
    at: datetime,
    staff_id: int | None,
    action: str,
    entity: str,
    entity_id: int | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    event = AuditEvent(
        at=at, staff_id=staff_id, action=action, entity=entity, entity_id=entity_id,
        before=before, after=after,
    )
    session.add(event)
    return event


def staff_by_username(session: Session, username: str) -> Staff | None:
    return session.exec(
        select(Staff).where(func.lower(Staff.username) == username.strip().lower())
    ).one_or_none()


def location_by_name(session: Session, name: str) -> Location | None:
    """Exact name, case-insensitive; else a unique prefix ("tulsa s" → Tulsa South)."""
    wanted = name.strip().lower()
    if not wanted:
        return None
    locations = session.exec(select(Location)).all()
    exact = [loc for loc in locations if loc.name.lower() == wanted]
    if exact:
        return exact[0]
    starts = [loc for loc in locations if loc.name.lower().startswith(wanted)]
    return starts[0] if len(starts) == 1 else None


def provider_by_name(session: Session, name: str) -> Provider | None:
    wanted = name.strip().lower()
    if not wanted:
        return None
    providers = session.exec(select(Provider)).all()
    exact = [p for p in providers if p.name.lower() == wanted]
    if exact:
        return exact[0]
    partial = [p for p in providers if wanted in p.name.lower()]
    return partial[0] if len(partial) == 1 else None
