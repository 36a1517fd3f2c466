"""Every location's day at a glance: counts by status, who works, and the next open slot per
visit type. Read-only; one call gathers everything the all-locations board shows.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time

from frontdesk.domain.model import Status
from frontdesk.services import directory, scheduling
from frontdesk.services.calendar import day_grid
from frontdesk.services.context import Context
from frontdesk.services.views import LocationView, SlotView, VisitTypeView

#: How far ahead the next open slot is looked for.
HORIZON_DAYS = 60


@dataclass(frozen=True, slots=True)
class NextSlot:
    """The first free slot for one visit type at one location, or None within the horizon."""

    visit_code: str
    visit_name: str
    slot: SlotView | None


@dataclass(frozen=True, slots=True)
class LocationSummary:
    location: LocationView
    counts: tuple[tuple[Status, int], ...]  # every status, in the order of ``Status``
    providers: tuple[str, ...]  # with template hours there that day
    next_slots: tuple[NextSlot, ...]  # the visit types the location has a room for

    @property
    def visits(self) -> int:
        """Visits that still hold their time (cancelled and lapsed holds left out)."""
        return sum(n for s, n in self.counts if s not in (Status.CANCELLED, Status.EXPIRED))

    def count(self, status: Status) -> int:
        return dict(self.counts)[status]


def all_locations(ctx: Context, *, day: date,
                  horizon_days: int = HORIZON_DAYS) -> list[LocationSummary]:
    """Each location's ``day`` (in its own zone), with next slots from that day on (never
    before now)."""
    places = directory.locations(ctx)
    kinds: dict[int, set[str]] = {}
    for room in directory.rooms(ctx):
        kinds.setdefault(room.location_id, set()).add(room.kind.value)
    visits = directory.visit_types(ctx)
    now = ctx.now()
    found: list[LocationSummary] = []
    for place in places:
        grid = day_grid(ctx, day=day, location_id=place.id)
        tally = Counter(a.status for a in grid.appointments)
        start = max(now, datetime.combine(day, time(), place.zone))
        hosted = [v for v in visits if v.room_kind.value in kinds.get(place.id, set())]
        found.append(LocationSummary(
            location=place,
            counts=tuple((s, tally.get(s, 0)) for s in Status),
            providers=tuple(p.name for p in grid.providers),
            next_slots=tuple(_next_slot(ctx, v, place.id, start, horizon_days) for v in hosted),
        ))
    return found


def _next_slot(ctx: Context, visit: VisitTypeView, location_id: int, start: datetime,
               days: int) -> NextSlot:
    slots = scheduling.find_slots(ctx, visit_type=visit.code, start=start, days=days,
                                  location_ids=[location_id], limit=1)
    return NextSlot(visit.code, visit.name, slots[0] if slots else None)
