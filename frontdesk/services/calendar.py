"""One location's day as a calendar grid: who works when, what is closed, what is booked.

Read-only. Templates and closures are expanded here (the domain does the arithmetic), so the UI
gets plain frozen values and never needs to know about RRULEs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from frontdesk.db import queries as q
from frontdesk.db.engine import read_session
from frontdesk.db.models import Closure, Location, Provider
from frontdesk.domain.availability import expand_template, subtract
from frontdesk.domain.model import Interval
from frontdesk.services import scheduling
from frontdesk.services.context import Context
from frontdesk.services.errors import InvalidInput
from frontdesk.services.mapping import location_view
from frontdesk.services.views import AppointmentView, LocationView

#: The grid's hours when nobody works at the location that day (a weekend, say).
DEFAULT_HOURS = (8, 17)


@dataclass(frozen=True, slots=True)
class ShadedClosure:
    """A closure touching the day. ``label`` is the holiday's name, or just 'Time off'."""

    start: datetime
    end: datetime
    kind: str
    label: str
    provider_id: int | None
    location_id: int | None

    def applies_to(self, provider_id: int) -> bool:
        return self.provider_id is None or self.provider_id == provider_id


@dataclass(frozen=True, slots=True)
class ProviderDay:
    """A provider with a template at the location that day. ``hours``: the template's spans;
    ``working``: the same minus closures (empty on a holiday)."""

    provider_id: int
    name: str
    hours: tuple[Interval, ...]
    working: tuple[Interval, ...]


@dataclass(frozen=True, slots=True)
class DayGrid:
    day: date
    location: LocationView
    providers: tuple[ProviderDay, ...]
    closures: tuple[ShadedClosure, ...]
    appointments: tuple[AppointmentView, ...]
    first_hour: int  # local wall-clock hour of the first row
    last_hour: int  # local hour the last row ends at (exclusive, up to 24)

    @property
    def zone(self) -> ZoneInfo:
        return self.location.zone


def day_grid(ctx: Context, *, day: date, location_id: int) -> DayGrid:
    """The day at one location, in its own zone; InvalidInput('location') if there is none."""
    with read_session(ctx.engine) as session:
        row = session.get(Location, location_id)
        if row is None:
            raise InvalidInput("location", f"no location with id {location_id}")
        location = location_view(row)
        zone = location.zone
        window = Interval(datetime.combine(day, time(), zone),
                          datetime.combine(day + timedelta(days=1), time(), zone))
        names = {p.id or 0: p.name
                 for p in session.exec(select(Provider).where(col(Provider.active)))}
        templates = [t for t in q.templates_for(session, list(names))
                     if t.location_id == location_id]
        closures = tuple(
            ShadedClosure(c.starts_at, c.ends_at, c.kind,
                        "Time off" if c.kind == "time_off" else c.reason,
                        c.provider_id, c.location_id)
            for c in session.exec(
                select(Closure)
                .where(col(Closure.starts_at) < window.end, col(Closure.ends_at) > window.start)
                .order_by(col(Closure.starts_at), col(Closure.id)))
            if c.location_id in (None, location_id)
        )
    hours: dict[int, list[Interval]] = {}
    first, last = 24, 0
    for template in templates:
        spans = [_clip(s, window) for s in expand_template(template, window)]
        spans = [s for s in spans if s.start < s.end]
        if not spans:
            continue
        hours.setdefault(template.provider_id, []).extend(spans)
        for span in spans:
            first = min(first, span.start.astimezone(zone).hour)
            last = max(last, _ceil_hour(span.end, zone, day))
    appointments = tuple(scheduling.appointments_on(ctx, day=day, location_ids=[location_id]))
    if first >= last:
        first, last = DEFAULT_HOURS
    for appt in appointments:  # an overbooked or moved visit still shows
        first = min(first, appt.local_start.hour if appt.local_start.date() == day else 0)
        last = max(last, _ceil_hour(appt.end, zone, day))
    providers = []
    for pid in sorted(hours, key=lambda p: (names[p], p)):
        spans = sorted(hours[pid], key=lambda s: s.start)
        holes = [Interval(c.start, c.end) for c in closures if c.applies_to(pid)]
        providers.append(ProviderDay(pid, names[pid], tuple(spans), tuple(subtract(spans, holes))))
    return DayGrid(day, location, tuple(providers), closures, appointments, first, last)


def _clip(span: Interval, window: Interval) -> Interval:
    return Interval(max(span.start, window.start), min(span.end, window.end))


def _ceil_hour(moment: datetime, zone: ZoneInfo, day: date) -> int:
    """The local hour a span ending at ``moment`` needs the grid to reach (24: midnight)."""
    local = moment.astimezone(zone)
    if local.date() > day:
        return 24
    return local.hour + (1 if (local.minute or local.second) else 0)
