"""Practice holidays: the days every location is closed, stored as practice-wide closures.

The default calendar is the US federal one (observed dates included, so a Saturday July 4
closes the Friday) plus the day after Thanksgiving, an Oklahoma state holiday most local
practices also close for. A practice edits the closures afterwards like any other.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays as holiday_calendars
from sqlmodel import Session, col, select

from frontdesk.db import queries as q
from frontdesk.db.engine import DatabaseBusyError, read_session, run_write
from frontdesk.db.models import Closure
from frontdesk.domain.permissions import Permission
from frontdesk.services.access import acting
from frontdesk.services.context import Context
from frontdesk.services.errors import Busy, InvalidInput
from frontdesk.services.views import ClosureView

HOLIDAY = "holiday"
DAY_AFTER_THANKSGIVING = "Day after Thanksgiving"
PRACTICE_ZONE = "America/Chicago"


def practice_holidays(years: Iterable[int]) -> list[tuple[date, str]]:
    """Every closed day of ``years`` with its name, in date order.

    Pure apart from the ``holidays`` package's tables, so it can be tested without a database.
    """
    wanted = sorted(set(years))
    if not wanted:
        return []
    federal = holiday_calendars.country_holidays("US", years=wanted, observed=True)
    days: dict[date, str] = {}
    for day, name in federal.items():
        if day.year in wanted:
            days[day] = str(name)
    for day, name in list(days.items()):
        if name == "Thanksgiving Day":
            days.setdefault(day + timedelta(days=1), DAY_AFTER_THANKSGIVING)
    return sorted(days.items())


def local_day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """Local midnight to the next local midnight, as aware UTC (23 or 25 hours on DST days)."""
    start = datetime.combine(day, time(), zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(), zone).astimezone(UTC)
    return start, end


def install_practice_holidays(
    session: Session, *, years: Iterable[int], timezone: str = PRACTICE_ZONE
) -> int:
    """Add the practice holidays of ``years`` that are not stored yet; returns how many.

    Idempotent: a holiday closure with the same start is left alone, so running it again (or
    after a manager edited the names) adds nothing twice. Runs in the caller's transaction.
    """
    zone = ZoneInfo(timezone)
    wanted = practice_holidays(years)
    if not wanted:
        return 0
    first, _ = local_day_bounds(wanted[0][0], zone)
    _, last = local_day_bounds(wanted[-1][0], zone)
    present = {
        _utc(s)
        for s in session.exec(
            select(Closure.starts_at).where(
                Closure.kind == HOLIDAY, col(Closure.starts_at) >= first,
                col(Closure.starts_at) < last,
            )
        ).all()
    }
    added = 0
    for day, name in wanted:
        start, end = local_day_bounds(day, zone)
        if start in present:
            continue
        session.add(Closure(kind=HOLIDAY, reason=name[:120], starts_at=start, ends_at=end))
        present.add(start)
        added += 1
    session.flush()
    return added


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def add_practice_holidays(ctx: Context, *, staff: str, years: Iterable[int]) -> int:
    """Install the default holidays of ``years`` into a practice's database, audited.

    Returns how many closures were added (0 when they were all there already).
    """
    wanted = sorted(set(years))
    if not wanted or any(not 2000 <= y <= 2100 for y in wanted):
        raise InvalidInput("year", "give years between 2000 and 2100")

    def work(session: Session) -> int:
        staff_row = acting(session, staff, Permission.SCHEDULE)
        added = install_practice_holidays(session, years=wanted)
        q.add_audit(session, origin=ctx.origin.stamp,
                    at=ctx.now(), staff_id=staff_row.id, action="closure.holidays",
                    entity="closure", entity_id=None, after={"years": wanted, "added": added})
        return added

    try:
        return run_write(ctx.engine, work)
    except DatabaseBusyError as exc:
        raise Busy(str(exc)) from exc


def closures(ctx: Context, *, start: datetime, end: datetime) -> list[ClosureView]:
    """Closures touching [start, end): holidays, location closures and time off, by start."""
    with read_session(ctx.engine) as session:
        rows = session.exec(
            select(Closure).where(col(Closure.starts_at) < end, col(Closure.ends_at) > start)
            .order_by(col(Closure.starts_at), col(Closure.id))
        ).all()
        return [
            ClosureView(id=c.id or 0, kind=c.kind, reason=c.reason, start=c.starts_at,
                        end=c.ends_at, provider_id=c.provider_id, location_id=c.location_id)
            for c in rows
        ]
