"""How far each offered time's location is from the caller, by ZIP code (``domain.geo``: the
offline table, as the crow flies), and the offered times put in the order the desk asks for:
as the search ranked them, nearest first (then soonest), or soonest first.

The first ZIP looked up loads the table (about a quarter of a second): call :func:`distances`
off the event loop, as the offers' worker does."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from frontdesk.domain.geo import coordinates, distance_miles
from frontdesk.services.context import Context
from frontdesk.services.views import LocationView, SlotView

NO_ZIP = "No distances: the caller's record has no ZIP code."
UNKNOWN_ZIP = "No distances: the caller's ZIP code is not a known US ZIP code."
NO_PLACES = "No distances: no location has a known ZIP code."
PER_PLACE = 3  # nearest first offers at most this many times at one location: the next shows


class Order(StrEnum):
    """The orders the offered times cycle through."""

    BEST = "best"  # the search's own ranking: preferred location, last provider, earliest
    NEAREST = "nearest"
    SOONEST = "soonest"


@dataclass(frozen=True)
class Distances:
    """Miles from the caller's ZIP to each location whose ZIP is known, by location id; with
    none, ``note`` says why in a short sentence."""

    miles: Mapping[int, float] = field(default_factory=dict)
    note: str = ""

    def of(self, location_id: int) -> float | None:
        return self.miles.get(location_id)

    def orders(self) -> tuple[Order, ...]:
        """The orders worth offering: nearest first only when a distance is known."""
        return tuple(Order) if self.miles else (Order.BEST, Order.SOONEST)


def distances(patient_zip: str, locations: Iterable[LocationView]) -> Distances:
    """The caller's distance to each location (never raises: an unknown ZIP is a note)."""
    wanted = (patient_zip or "").strip()
    if not wanted:
        return Distances(note=NO_ZIP)
    if coordinates(wanted) is None:
        return Distances(note=UNKNOWN_ZIP)
    miles = {loc.id: d for loc in locations
             if loc.zip and (d := distance_miles(wanted, loc.zip)) is not None}
    return Distances(miles) if miles else Distances(note=NO_PLACES)


def ordered(slots: Sequence[SlotView], order: Order,
            miles: Mapping[int, float]) -> list[SlotView]:
    """``slots`` in ``order``: BEST as given; NEAREST by distance (a location whose distance is
    unknown last), then the earliest; SOONEST by start. Ties keep the order given."""
    if order is Order.SOONEST:
        return sorted(slots, key=lambda s: s.start)
    if order is Order.NEAREST:
        return sorted(slots, key=lambda s: (miles.get(s.location_id, math.inf), s.start))
    return list(slots)


def nearest_first(slots: Iterable[SlotView], miles: Mapping[int, float], *, limit: int,
                  per_place: int = PER_PLACE) -> list[SlotView]:
    """The nearest location's soonest times first, then the next nearest's: at most
    ``per_place`` at one location (the caller sees what the next place offers too) and
    ``limit`` in all; a location whose distance is unknown comes last."""
    chosen: list[SlotView] = []
    taken: Counter[int] = Counter()
    for slot in ordered(list(slots), Order.NEAREST, miles):
        if taken[slot.location_id] < per_place:
            chosen.append(slot)
            taken[slot.location_id] += 1
            if len(chosen) == limit:
                break
    return chosen


def nearest_slots(ctx: Context, *, visit_type: str, miles: Mapping[int, float],
                  places: Iterable[int], limit: int, days: int = 90,
                  provider_ids: Collection[int] | None = None) -> list[SlotView]:
    """Free times for ``visit_type`` searched location by location, the nearest first (by
    ``miles``), then the locations among ``places`` whose distance is unknown: the soonest
    :data:`PER_PLACE` at each, ``limit`` in all (see :func:`nearest_first`)."""
    from frontdesk.services import scheduling

    wanted = sorted(miles, key=lambda loc: miles[loc]) + [p for p in places if p not in miles]
    found: list[SlotView] = []
    for place in dict.fromkeys(wanted):  # each once, in that order
        found += scheduling.find_slots(ctx, visit_type=visit_type, days=days, limit=PER_PLACE,
                                       provider_ids=provider_ids, location_ids=[place])
        if len(found) >= limit:
            break
    return nearest_first(found, miles, limit=limit)
