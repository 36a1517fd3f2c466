"""What the report's reads share: column rows, names by id, the practice's zone, "not a hold".

The gathering, the trend and the drill-down all read plain column rows (not ORM objects), name
locations, providers, staff and visit types by id, and leave holds out the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from frontdesk.db.models import Appointment, Location, Provider, Staff, VisitType
from frontdesk.domain.model import Status
from frontdesk.services.holidays import PRACTICE_ZONE

_NOT_BOOKINGS = [Status.HELD.value, Status.EXPIRED.value]


def _booking() -> Any:
    """Not a hold: neither held nor lapsed, nor a hold cancelled before it was confirmed (it
    keeps its ``hold_expires_at``; booking and confirming a hold leave it empty)."""
    return and_(col(Appointment.status).not_in(_NOT_BOOKINGS),
                col(Appointment.hold_expires_at).is_(None))


@dataclass(frozen=True, slots=True)
class _Names:
    locations: dict[int, str]
    providers: dict[int, str]
    staff: dict[int, tuple[str, str]]  # id -> (username, name)
    visits: dict[int, tuple[str, str]]  # id -> (code, name)


def _fetch(session: Session, query: Any) -> list[Any]:
    """Plain rows of a column query (the report reads columns, not ORM objects)."""
    return list(session.connection().execute(query))


def _names(session: Session) -> _Names:
    return _Names(
        locations={r[0]: r[1] for r in _fetch(session, sa_select(col(Location.id),
                                                                 col(Location.name)))},
        providers={r[0]: r[1] for r in _fetch(session, sa_select(col(Provider.id),
                                                                 col(Provider.name)))},
        staff={r[0]: (r[1], r[2]) for r in _fetch(
            session, sa_select(col(Staff.id), col(Staff.username), col(Staff.name)))},
        visits={r[0]: (r[1], r[2]) for r in _fetch(
            session, sa_select(col(VisitType.id), col(VisitType.code), col(VisitType.name)))},
    )


def _zone(session: Session) -> str:
    """The practice's zone: the first location's (every location is on Central time)."""
    found = session.exec(select(Location.timezone).order_by(col(Location.id)).limit(1)).first()
    return found or PRACTICE_ZONE


def _utc(moment: datetime) -> datetime:
    """SQLite hands back naive UTC; PostgreSQL aware."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
