"""Imported visits against the schedule: each provider's and room's taken time (on file and
earlier in the file), the room a visit gets, and why a scheduler must look at a visit that
goes in anyway (outside the provider's hours, inside a closure, a past visit still open)."""

from __future__ import annotations

from bisect import bisect_left, insort
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from frontdesk.db import queries as q
from frontdesk.db.models import Appointment, Closure, Location, Provider, Room, VisitType
from frontdesk.domain.availability import expand_template
from frontdesk.domain.model import BLOCKING_STATUSES, Interval, Status
from frontdesk.services.imports.lookups import Practice
from frontdesk.services.imports.outcome import Line

_STILL_OPEN = (Status.BOOKED, Status.CONFIRMED, Status.CHECKED_IN)


@dataclass
class Visit:
    """A row that read: what goes in the appointment table, and what the checks need."""

    line: int
    external_id: str | None
    patient_id: int
    vt: VisitType
    provider: Provider
    location: Location
    room: Room | None
    start: datetime
    end: datetime
    status: Status
    region: str | None
    levels: str | None
    side: str | None
    cancel_reason: str | None
    flags: list[str] = field(default_factory=list)

    @property
    def block(self) -> tuple[datetime, datetime]:
        return (self.start - timedelta(minutes=self.vt.buffer_before_min),
                self.end + timedelta(minutes=self.vt.buffer_after_min))

    @property
    def blocking(self) -> bool:
        return self.status in BLOCKING_STATUSES



@dataclass
class Track:
    """One provider's or room's taken blocks, in start order and never overlapping."""

    starts: list[datetime] = field(default_factory=list)
    spans: dict[datetime, tuple[datetime, str]] = field(default_factory=dict)

    def clash(self, start: datetime, end: datetime) -> str | None:
        i = bisect_left(self.starts, start)
        for j in (i - 1, i):
            if 0 <= j < len(self.starts):
                other = self.starts[j]
                other_end, what = self.spans[other]
                if other < end and start < other_end:
                    return what
        return None

    def add(self, start: datetime, end: datetime, what: str) -> None:
        insort(self.starts, start)
        self.spans[start] = (end, what)


@dataclass
class Schedule:
    providers: dict[int, Track]
    rooms: dict[int, Track]
    practice: Practice
    templates: dict[tuple[int, int], list[Any]]
    closures: list[Closure]

    @classmethod
    def load(cls, session: Session, visits: list[Visit], now: datetime,
             practice: Practice) -> Schedule:
        providers: dict[int, Track] = {}
        rooms: dict[int, Track] = {}
        templates: dict[tuple[int, int], list[Any]] = {}
        closures: list[Closure] = []
        if visits:
            first = min(v.block[0] for v in visits) - q.MAX_BLOCK
            last = max(v.block[1] for v in visits)
            zones = {loc.id: ZoneInfo(loc.timezone) for _, _, loc in practice.locations.items}
            for row in session.connection().execute(sa_select(
                    col(Appointment.id), col(Appointment.provider_id), col(Appointment.room_id),
                    col(Appointment.block_start), col(Appointment.block_end),
                    col(Appointment.location_id), col(Appointment.starts_at))
                    .where(col(Appointment.block_start) < last,
                           col(Appointment.block_end) > first,
                           col(Appointment.status).in_([s.value for s in BLOCKING_STATUSES]))
                    .order_by(col(Appointment.block_start))):
                appt_id, pid, rid, start, end, lid, begins = row
                what = f"appointment {appt_id} at {local(begins, zones.get(lid))}"
                providers.setdefault(pid, Track()).add(start, end, what)
                rooms.setdefault(rid, Track()).add(start, end, what)
            for spec in q.templates_for(session, {v.provider.id or 0 for v in visits}):
                templates.setdefault((spec.provider_id, spec.location_id), []).append(spec)
            closures = list(session.exec(select(Closure).where(
                col(Closure.starts_at) < last, col(Closure.ends_at) > now)).all())
        return cls(providers, rooms, practice, templates, closures)

    def place(self, visit: Visit, bad: list[Line]) -> bool:
        """Give the visit a room and take its time; False (a bad row) when it clashes."""
        start, end = visit.block
        what = f"line {visit.line}"
        here = [r for r in self.practice.rooms.get(visit.location.id or 0, [])
                if r.kind == visit.vt.room_kind and r.active]  # never a retired room
        reasons: list[str] = []
        if visit.blocking:
            track = self.providers.setdefault(visit.provider.id or 0, Track())
            taken = track.clash(start, end)
            if taken is not None:
                reasons.append(f"clashes with {visit.provider.name}'s visit ({taken})")
        if visit.room is None and not here:
            reasons.append(f"room: {visit.location.name} has no {visit.vt.room_kind} room in use")
        elif visit.room is None:
            free = [r for r in here if not visit.blocking
                    or self.rooms.get(r.id or 0, Track()).clash(start, end) is None]
            if free:
                visit.room = free[0]
            else:
                reasons.append(f"room: no {visit.vt.room_kind} room is free at "
                               f"{visit.location.name} then")
        elif visit.blocking:
            taken = self.rooms.get(visit.room.id or 0, Track()).clash(start, end)
            if taken is not None:
                reasons.append(f"room: {visit.room.name} is taken then ({taken})")
        if reasons:
            bad.append(Line(visit.line, tuple(reasons)))
            return False
        if visit.blocking:
            assert visit.room is not None
            self.providers[visit.provider.id or 0].add(start, end, what)
            self.rooms.setdefault(visit.room.id or 0, Track()).add(start, end, what)
        return True

    def flag(self, visit: Visit, now: datetime) -> None:
        """Why a scheduler must look at a visit that goes in anyway."""
        if visit.start <= now:
            if visit.status in _STILL_OPEN:
                visit.flags.append(f"past visit still {visit.status.label} in the old system: "
                                   "mark it completed or a no-show")
            return
        if visit.status not in (Status.BOOKED, Status.CONFIRMED):
            return
        provider, location = visit.provider, visit.location
        if visit.room is not None and visit.room.kind != visit.vt.room_kind:
            visit.flags.append(f"{visit.room.name} is not a {visit.vt.room_kind} room")
        if (provider.id or 0) not in self.practice.performers.get(visit.vt.id or 0, ()):
            visit.flags.append(f"{provider.name} does not perform {visit.vt.name}")
        closure = next((c for c in self.closures
                        if c.starts_at < visit.end and visit.start < c.ends_at
                        and c.provider_id in (None, provider.id)
                        and c.location_id in (None, location.id)), None)
        if closure is not None:
            visit.flags.append(f"inside a closure ({closure.reason})")
        window = Interval(visit.start, visit.end)
        inside = any(span.start <= visit.start and visit.end <= span.end
                     for spec in self.templates.get((provider.id or 0, location.id or 0), [])
                     for span in expand_template(spec, window))
        if not inside:
            visit.flags.append(f"outside {provider.name}'s hours at {location.name}")


def local(moment: datetime, zone: ZoneInfo | None) -> str:
    local = moment.astimezone(zone or ZoneInfo("America/Chicago"))
    return f"{local:%Y-%m-%d %H:%M}"
