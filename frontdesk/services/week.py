"""A week (Monday to Sunday) of one location or one provider, for the week view.

One read: the week's appointments in one query, templates and closures once, expanded here so
the UI gets frozen values per day.
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
from frontdesk.services.calendar import DEFAULT_HOURS, ShadedClosure
from frontdesk.services.context import Context
from frontdesk.services.errors import InvalidInput
from frontdesk.services.mapping import appointment_view
from frontdesk.services.views import AppointmentView


@dataclass(frozen=True, slots=True)
class WeekDay:
    """One day of the week. ``working``: template hours minus closures, of the location's
    providers or of the one provider; ``closures``: those that close the whole column;
    ``location_id``: where the day view for this day should open (None: nowhere in particular)."""

    day: date
    hours: tuple[Interval, ...]
    working: tuple[Interval, ...]
    closures: tuple[ShadedClosure, ...]
    appointments: tuple[AppointmentView, ...]
    location_id: int | None


@dataclass(frozen=True, slots=True)
class WeekGrid:
    monday: date
    location_id: int | None  # location mode
    provider_id: int | None  # provider mode
    name: str  # the location's or the provider's
    timezone: str
    days: tuple[WeekDay, ...]  # Monday first, always seven
    first_hour: int  # local hour of the first row
    last_hour: int  # local hour the last row ends at (exclusive, up to 24)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def week_grid(ctx: Context, *, monday: date, location_id: int | None = None,
              provider_id: int | None = None) -> WeekGrid:
    """The week from ``monday`` at one location or of one active provider (exactly one of
    them); InvalidInput when it names nothing."""
    if (location_id is None) == (provider_id is None):
        raise InvalidInput("week", "give a location or a provider, not both")
    if monday.weekday() != 0:
        raise InvalidInput("week", f"{monday} is not a Monday")
    with read_session(ctx.engine) as session:
        places = {loc.id or 0: loc for loc in session.exec(select(Location))}
        names = {p.id or 0: p.name
                 for p in session.exec(select(Provider).where(col(Provider.active)))}
        if not places or (location_id is not None and location_id not in places):
            raise InvalidInput("location", f"no location with id {location_id}")
        if provider_id is not None and provider_id not in names:
            raise InvalidInput("provider", f"no active provider with id {provider_id}")
        home = places[location_id] if location_id is not None else min(places.values(),
                                                                         key=lambda p: p.id or 0)
        zone = ZoneInfo(home.timezone)
        start = datetime.combine(monday, time(), zone)
        end = datetime.combine(monday + timedelta(days=7), time(), zone)
        wanted = list(names) if provider_id is None else [provider_id]
        templates = [t for t in q.templates_for(session, wanted)
                     if location_id is None or t.location_id == location_id]
        closures = [
            ShadedClosure(c.starts_at, c.ends_at, c.kind,
                        "Time off" if c.kind == "time_off" else c.reason,
                        c.provider_id, c.location_id)
            for c in session.exec(
                select(Closure)
                .where(col(Closure.starts_at) < end, col(Closure.ends_at) > start)
                .order_by(col(Closure.starts_at), col(Closure.id)))
        ]
        rows = q.appointment_rows(
            session, start=start, end=end,
            location_ids=None if location_id is None else [location_id],
            provider_ids=None if provider_id is None else [provider_id])
    appointments = [appointment_view(r) for r in rows]
    days, first, last = [], 24, 0
    for offset in range(7):
        day = monday + timedelta(days=offset)
        window = Interval(datetime.combine(day, time(), zone),
                          datetime.combine(day + timedelta(days=1), time(), zone))
        spans: list[tuple[int, int, Interval]] = []  # (provider, location, span)
        for template in templates:
            for span in expand_template(template, window):
                span = Interval(max(span.start, window.start), min(span.end, window.end))
                if span.start < span.end:
                    spans.append((template.provider_id, template.location_id, span))
        there = {loc for _, loc, _ in spans}
        touching = [c for c in closures if c.start < window.end and window.start < c.end]
        whole = tuple(c for c in touching
                      if (c.location_id is None or c.location_id in there
                          or c.location_id == location_id)
                      and (c.provider_id is None or c.provider_id == provider_id))
        working: list[Interval] = []
        for pid, loc, span in spans:
            holes = [Interval(c.start, c.end) for c in touching
                     if c.applies_to(pid) and c.location_id in (None, loc)]
            working.extend(subtract([span], holes))
        booked = tuple(a for a in appointments if a.local_start.date() == day)
        for span in (s for _, _, s in spans):
            first = min(first, span.start.astimezone(zone).hour)
            last = max(last, _ceil_hour(span.end, zone, day))
        for appt in booked:
            first = min(first, appt.start.astimezone(zone).hour)
            last = max(last, _ceil_hour(appt.end, zone, day))
        where = location_id if location_id is not None else next(
            iter(sorted(there)), booked[0].location_id if booked else None)
        days.append(WeekDay(day, tuple(sorted((s for _, _, s in spans), key=lambda s: s.start)),
                            tuple(sorted(working, key=lambda s: s.start)), whole, booked, where))
    if first >= last:
        first, last = DEFAULT_HOURS
    name = home.name if location_id is not None else names[provider_id or 0]
    return WeekGrid(monday, location_id, provider_id, name, home.timezone, tuple(days),
                    first, last)


def _ceil_hour(moment: datetime, zone: ZoneInfo, day: date) -> int:
    """The local hour a span ending at ``moment`` needs the grid to reach (24: midnight)."""
    local = moment.astimezone(zone)
    if local.date() > day:
        return 24
    return local.hour + (1 if (local.minute or local.second) else 0)
