"""Reading appointments: one local day's, a patient's upcoming ones, and one by id."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime, time, timedelta
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


#: What counts as a visit when looking for the next day that has some.
VISITS = (Status.BOOKED, Status.CONFIRMED, Status.CHECKED_IN, Status.COMPLETED, Status.NO_SHOW)


def next_visit_day(ctx: Context, *, after: date, location_ids: Collection[int] | None = None,
                   within_days: int = 31) -> tuple[date, int] | None:
    """The first local day after ``after`` (within ``within_days``) with visits, and how many
    (holds and cancelled visits do not count); None when there is none. What an empty board
    says, so that a weekend is not taken for an empty practice."""
    start = datetime.combine(after + timedelta(days=1), time(), UTC) - timedelta(hours=14)
    end = start + timedelta(days=within_days + 2)
    with read_session(ctx.engine) as session:
        first = q.first_appointment_id(session, start=start, end=end,
                                       statuses=[s.value for s in VISITS],
                                       location_ids=location_ids)
        if first is None:
            return None
        view = _view(session, first)
    day = view.start.astimezone(ZoneInfo(view.timezone)).date()
    if day <= after:  # the wide window's first hours still belong to ``after`` somewhere
        return _next_after(ctx, after, location_ids, within_days)
    if day > after + timedelta(days=within_days):
        return None
    count = sum(v.status in VISITS for v in appointments_on(ctx, day=day,
                                                            location_ids=location_ids))
    return day, count


def _next_after(ctx: Context, after: date, location_ids: Collection[int] | None,
                within_days: int) -> tuple[date, int] | None:
    """Day by day (the rare case of a visit late on ``after`` in a zone behind UTC)."""
    for step in range(1, within_days + 1):
        day = after + timedelta(days=step)
        count = sum(v.status in VISITS for v in appointments_on(ctx, day=day,
                                                                location_ids=location_ids))
        if count:
            return day, count
    return None


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
