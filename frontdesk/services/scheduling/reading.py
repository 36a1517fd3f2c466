"""Reading appointments: one local day's, a patient's upcoming ones, and one by id."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Row
from sqlmodel import Session, select

from frontdesk.db import queries as q
from frontdesk.db.engine import read_session
from frontdesk.db.models import Location
from frontdesk.domain.model import Status
from frontdesk.services.context import Context
from frontdesk.services.errors import InvalidInput
from frontdesk.services.mapping import appointment_view
from frontdesk.services.views import AppointmentView


def appointments_on(
    ctx: Context, *, day: date, location_ids: Collection[int] | None = None,
    include_inactive: bool = True,
) -> list[AppointmentView]:
    """One local day's appointments (each location's own zone), ordered by start."""
    with read_session(ctx.engine) as session:
        by_zone: dict[str, list[int]] = {}
        for loc in session.exec(select(Location)):
            if loc.id is not None and (location_ids is None or loc.id in location_ids):
                by_zone.setdefault(loc.timezone, []).append(loc.id)
        rows: list[Row[Any]] = []
        for tz, ids in by_zone.items():
            zone = ZoneInfo(tz)
            start = datetime.combine(day, time(), zone)
            end = datetime.combine(day + timedelta(days=1), time(), zone)
            rows.extend(q.appointment_rows(session, start=start, end=end, location_ids=ids))
    views = [appointment_view(r) for r in rows]
    if not include_inactive:
        views = [v for v in views if v.status not in (Status.EXPIRED, Status.CANCELLED)]
    views.sort(key=lambda v: (v.start, v.provider_name))
    return views


def upcoming_for(ctx: Context, patient_id: int, *, limit: int = 20) -> list[AppointmentView]:
    """The patient's visits from now on that can still be moved or cancelled."""
    live = (Status.HELD, Status.BOOKED, Status.CONFIRMED)
    with read_session(ctx.engine) as session:
        rows = q.appointment_rows(session, start=ctx.now(), patient_id=patient_id)
    views = [appointment_view(r) for r in rows]
    return [v for v in views if v.status in live][:limit]


def get_appointment(ctx: Context, appointment_id: int) -> AppointmentView:
    with read_session(ctx.engine) as session:
        return _view(session, appointment_id)


def _view(session: Session, appointment_id: int) -> AppointmentView:
    row = q.appointment_row(session, appointment_id)
    if row is None:
        raise InvalidInput("appointment", f"no appointment with id {appointment_id}")
    return appointment_view(row)
