"""The practice as the database holds it now, in the practice file's terms (with the ids and
active flags the plan needs)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from frontdesk.db.models import (
    Closure,
    Location,
    PracticeSetting,
    Provider,
    ProviderVisitType,
    Room,
    Staff,
    Template,
    VisitType,
)
from frontdesk.domain.model import ProviderKind, Role, RoomKind
from frontdesk.domain.practice import (
    Cell,
    LocationDecl,
    ProviderDecl,
    RoomDecl,
    Shift,
    StaffDecl,
    VisitTypeDecl,
    cells,
)
from frontdesk.services.holidays import HOLIDAY, PRACTICE_ZONE, local_day_bounds


@dataclass
class Row:
    """One setup row: its id, whether it is active, and what it declares."""

    id: int
    active: bool
    decl: Any


@dataclass
class Current:
    locations: dict[str, Row] = field(default_factory=dict)  # casefold name
    rooms: dict[tuple[str, str], Row] = field(default_factory=dict)  # (location, room) casefold
    visit_types: dict[str, Row] = field(default_factory=dict)  # code
    providers: dict[str, Row] = field(default_factory=dict)  # casefold name
    staff: dict[str, Row] = field(default_factory=dict)  # username
    #: (provider id, location id) -> the current and future templates there
    templates: dict[tuple[int, int], list[Template]] = field(default_factory=dict)
    holidays: dict[date, tuple[int, str]] = field(default_factory=dict)  # local day -> id, name
    holiday_zone: str = PRACTICE_ZONE
    settings: dict[str, Any] = field(default_factory=dict)  # practice_setting key -> value
    today: dict[int, date] = field(default_factory=dict)  # location id -> its local date

    def location_name(self, location_id: int) -> str:
        return str(next(r.decl.name for r in self.locations.values() if r.id == location_id))


def load(session: Session, now: datetime, holiday_zone: str) -> Current:
    cur = Current(holiday_zone=holiday_zone)
    places = session.exec(select(Location).order_by(col(Location.id))).all()
    rooms: dict[int, list[Room]] = defaultdict(list)
    for room in session.exec(select(Room).order_by(col(Room.id))).all():
        rooms[room.location_id].append(room)
    for loc in places:
        lid = loc.id or 0
        cur.today[lid] = now.astimezone(ZoneInfo(loc.timezone)).date()
        decl = LocationDecl(loc.name, loc.address, loc.zip, loc.phone, loc.timezone, tuple(
            RoomDecl(r.name, RoomKind(r.kind)) for r in rooms[lid] if r.active))
        cur.locations[loc.name.casefold()] = Row(lid, loc.active, decl)
        for r in rooms[lid]:
            cur.rooms[loc.name.casefold(), r.name.casefold()] = Row(
                r.id or 0, r.active, RoomDecl(r.name, RoomKind(r.kind)))
    codes: dict[int, str] = {}
    for vt in session.exec(select(VisitType).order_by(col(VisitType.id))).all():
        codes[vt.id or 0] = vt.code
        cur.visit_types[vt.code] = Row(vt.id or 0, vt.active, VisitTypeDecl(
            vt.code, vt.name, vt.duration_min, vt.buffer_before_min, vt.buffer_after_min,
            RoomKind(vt.room_kind), vt.is_procedure, vt.colour, vt.prep))
    performs: dict[int, list[str]] = defaultdict(list)
    for link in session.exec(select(ProviderVisitType)).all():
        performs[link.provider_id].append(codes[link.visit_type_id])
    names = {loc.id or 0: loc.name for loc in places}
    for t in session.exec(select(Template).order_by(col(Template.id))).all():
        today = cur.today.get(t.location_id, now.date())
        if t.valid_until is None or t.valid_until >= today:
            cur.templates.setdefault((t.provider_id, t.location_id), []).append(t)
    order = list(codes.values())
    for p in session.exec(select(Provider).order_by(col(Provider.id))).all():
        pid = p.id or 0
        hours = tuple(sorted(
            (names[lid], cells(Shift(t.rrule, t.start_time, t.end_time) for t in rows))
            for (who, lid), rows in cur.templates.items() if who == pid))
        active_codes = [c for c in order if c in performs[pid] and cur.visit_types[c].active]
        cur.providers[p.name.casefold()] = Row(pid, p.active, ProviderDecl(
            p.name, p.credentials, ProviderKind(p.kind), tuple(active_codes), hours))
    for s in session.exec(select(Staff).order_by(col(Staff.id))).all():
        cur.staff[s.username.lower()] = Row(s.id or 0, s.active,
                                            StaffDecl(s.username.lower(), s.name, Role(s.role)))
    zone = ZoneInfo(holiday_zone)
    first = now.astimezone(zone).date()
    start, _ = local_day_bounds(first, zone)
    for c in session.exec(select(Closure).where(
            Closure.kind == HOLIDAY, col(Closure.starts_at) >= start - timedelta(hours=1))
            .order_by(col(Closure.starts_at))).all():
        day = _aware(c.starts_at).astimezone(zone).date()
        if day >= first:
            cur.holidays.setdefault(day, (c.id or 0, c.reason))
    for row in session.exec(select(PracticeSetting)).all():
        cur.settings[row.key] = row.value
    return cur


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def template_meaning(rows: list[Template]) -> frozenset[Cell]:
    return cells(Shift(t.rrule, t.start_time, t.end_time) for t in rows)
