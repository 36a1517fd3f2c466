"""The report's fortnight: bookings made, cancelled visits and no-shows per day.

Counted by the database, not read row by row (a fortnight can be tens of thousands of
appointments); each count carries a :class:`~frontdesk.services.report.values.Lookup` that
finds its rows on drill-down.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from frontdesk.db.models import Appointment
from frontdesk.domain.model import Status
from frontdesk.services.holidays import local_day_bounds
from frontdesk.services.report.reads import _booking, _fetch
from frontdesk.services.report.values import DrillKind, Figure, Lookup, TrendDay

TREND_DAYS = 14
_LOST = (Status.CANCELLED.value, Status.NO_SHOW.value)


def _trend(session: Session, first: date, zone: ZoneInfo,
           location_id: int | None) -> tuple[TrendDay, ...]:
    """Bookings made, cancelled visits and no-shows per day of the fortnight, counted by the
    database (a CASE over the day boundaries, grouped); the rows are looked up on drill-down."""
    days = [first + timedelta(days=n) for n in range(TREND_DAYS)]
    bounds = [local_day_bounds(d, zone)[0] for d in days]
    bounds.append(local_day_bounds(days[-1], zone)[1])

    def bucket(column: Any) -> Any:
        return case(*((column < b, n) for n, b in enumerate(bounds[1:-1])),
                    else_=len(days) - 1).label("bucket")

    made_day = bucket(col(Appointment.booked_at))
    made = (sa_select(made_day, func.count())
            .where(col(Appointment.booked_at) >= bounds[0],
                   col(Appointment.booked_at) < bounds[-1])
            .where(_booking()).group_by(made_day))
    lost_day = bucket(col(Appointment.starts_at))
    lost = (sa_select(lost_day, col(Appointment.status), func.count())
            .where(col(Appointment.status).in_(list(_LOST)))
            .where(col(Appointment.starts_at) >= bounds[0],
                   col(Appointment.starts_at) < bounds[-1])
            .where(col(Appointment.hold_expires_at).is_(None))
            .group_by(lost_day, col(Appointment.status)))
    if location_id is not None:
        made = made.where(col(Appointment.location_id) == location_id)
        lost = lost.where(col(Appointment.location_id) == location_id)
    counts: dict[tuple[int, str], int] = {}
    for n, number in _fetch(session, made):
        counts[n, "made"] = number
    for n, status, number in _fetch(session, lost):
        counts[n, status] = number

    def figure(n: int, what: str, title: str) -> Figure:
        return Figure(DrillKind.APPOINTMENTS, (), title, counts.get((n, what), 0),
                      Lookup(what, bounds[n], bounds[n + 1], location_id))

    return tuple(
        TrendDay(d, figure(n, "made", f"Bookings made on {d}"),
                 figure(n, Status.CANCELLED.value, f"Cancelled visits on {d}"),
                 figure(n, Status.NO_SHOW.value, f"No-shows on {d}"))
        for n, d in enumerate(days))
