"""Finding free slots, once for both ways to the database: the full services read through
SQLAlchemy (:mod:`frontdesk.services.scheduling.slots`), the command line's light way through
plain ``sqlite3`` (:mod:`frontdesk.services.light.slots`). Only the reads differ, behind
:class:`SlotReads`; the checks, the tiered search and the views are here. It imports the
standard library and the domain only, so that the light way can use it (issue 19).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from frontdesk.domain.availability import (
    SlotQuery,
    bookable_window,
    expand_template,
    free_slots,
    rank,
    slot_rank,
)
from frontdesk.domain.model import (
    BusySpan,
    ClosureSpec,
    Interval,
    RoomKind,
    RoomSpec,
    Slot,
    TemplateSpec,
    VisitSpec,
)
from frontdesk.domain.settings import BookingRules
from frontdesk.services.errors import InvalidInput
from frontdesk.services.views import SlotView


@dataclass(frozen=True)
class SlotNames:
    """Provider names, location (name, zone) and room names by id, for labelling slots."""

    providers: dict[int, str]
    locations: dict[int, tuple[str, str]]
    rooms: dict[int, str]

    def view(self, slot: Slot) -> SlotView:
        name, tz = self.locations[slot.location_id]
        return SlotView(
            start=slot.start, end=slot.end, provider_id=slot.provider_id,
            provider_name=self.providers[slot.provider_id], location_id=slot.location_id,
            location_name=name, room_id=slot.room_id, room_name=self.rooms[slot.room_id],
            timezone=tz,
        )


class SlotReads(Protocol):
    """What the search reads, each way its own way (one read transaction for all of it)."""

    def visit(self, code: str) -> tuple[VisitSpec, bool] | None:
        """The visit type coded ``code`` (any case) and whether it is active; None: none."""

    def rooms(self, kind: RoomKind) -> list[RoomSpec]:
        """Rooms of this kind in use (neither the room nor its location retired)."""

    def templates(self, provider_ids: Collection[int]) -> list[TemplateSpec]:
        """These providers' templates."""

    def closures(self, start: datetime, end: datetime) -> list[ClosureSpec]:
        """Closures touching [start, end)."""

    def busy(self, *, start: datetime, end: datetime, now: datetime,
             provider_ids: Collection[int], room_ids: Collection[int]) -> list[BusySpan]:
        """Blocked spans touching [start, end) on these providers or rooms."""

    def names(self) -> SlotNames:
        """Every provider, location and room by id."""


def unknown_visit_type(code: str) -> InvalidInput:
    return InvalidInput("visit-type", f"unknown visit type {code[:40]!r}; "
                        "`frontdesk visit-types` lists the codes")


def retired_visit_type(code: str) -> InvalidInput:
    return InvalidInput("visit-type", f"{code} is retired: it is booked no more")


def find(
    reads: SlotReads,
    *,
    now: datetime,
    rules: BookingRules,
    visit_type: str,
    start: datetime | None,
    days: int,
    location_ids: Collection[int] | None,
    provider_ids: Collection[int] | None,
    preferred_location_id: int | None,
    previous_provider_id: int | None,
    limit: int,
) -> list[SlotView]:
    """The best ``limit`` free slots for a visit type across providers and locations (see
    ``scheduling.find_slots``)."""
    if limit < 1:
        raise InvalidInput("limit", "must be at least 1")
    if days < 1 or days > 730:
        raise InvalidInput("days", "must be between 1 and 730")
    begin = start or now
    found = reads.visit(visit_type)
    if found is None:
        raise unknown_visit_type(visit_type)
    spec, active = found
    if not active:
        raise retired_visit_type(spec.code)
    query = SlotQuery(
        visit=spec,
        window=Interval(begin, begin + timedelta(days=days)),
        now=now,
        rules=rules,
        location_ids=frozenset(location_ids) if location_ids is not None else None,
        provider_ids=frozenset(provider_ids) if provider_ids is not None else None,
        preferred_location_id=preferred_location_id,
        previous_provider_id=previous_provider_id,
    )
    slots = search(reads, query, limit=limit)
    names = reads.names()
    return [names.view(s) for s in slots]


def search(reads: SlotReads, query: SlotQuery, *, limit: int) -> list[Slot]:
    """The best ``limit`` slots, searched tier by tier.

    Ranking puts the preferred location with the previous provider first, then the preferred
    location, then the previous provider, then anyone. Each tier is searched on its own
    (narrow tiers read few rows) and the search stops once the tiers so far fill ``limit``;
    searching everything for the top tier alone read up to 60 days of bookings.
    """
    window = bookable_window(query)
    if window is None:
        return []
    spec = query.visit
    providers = spec.provider_ids
    if query.provider_ids is not None:
        providers = providers & query.provider_ids
    rooms = [
        r for r in reads.rooms(spec.room_kind)
        if query.location_ids is None or r.location_id in query.location_ids
    ]
    sites = {r.location_id for r in rooms}
    templates = [t for t in reads.templates(providers) if t.location_id in sites]
    if not templates:
        return []
    reach_back = timedelta(minutes=spec.buffer_before_min)
    reach_ahead = timedelta(minutes=spec.duration_min + spec.buffer_after_min)
    closures = reads.closures(window.start - reach_back, window.end + reach_ahead)
    found: dict[tuple[datetime, int, int], Slot] = {}
    for tier, sites_wanted, people_wanted in _tiers(query):
        tier_templates = [
            t for t in templates
            if (sites_wanted is None or t.location_id in sites_wanted)
            and (people_wanted is None or t.provider_id in people_wanted)
        ]
        tier_rooms = [r for r in rooms if sites_wanted is None or r.location_id in sites_wanted]
        for slot in _earliest(reads, query, window, tier_templates, tier_rooms, closures,
                              reach_back, reach_ahead, limit=limit):
            found.setdefault((slot.start, slot.provider_id, slot.room_id), slot)
        best = rank(found.values(), query, limit=limit)
        if len(best) >= limit and _tier(best[-1]) <= tier:
            break  # no lower tier can outrank what we have
    return rank(found.values(), query, limit=limit)


_Filter = frozenset[int] | None


def _tiers(query: SlotQuery) -> list[tuple[int, _Filter, _Filter]]:
    """(tier, locations, providers) to search, best first; None means any."""
    place, person = query.preferred_location_id, query.previous_provider_id
    tiers: list[tuple[int, _Filter, _Filter]] = []
    if place is not None and person is not None:
        tiers.append((0, frozenset({place}), frozenset({person})))
    if place is not None:
        tiers.append((1, frozenset({place}), None))
    if person is not None:
        tiers.append((2, None, frozenset({person})))
    tiers.append((3, None, None))
    return tiers


def _tier(slot: Slot) -> int:
    """The tier a ranked slot belongs to, as numbered in ``_tiers``."""
    if slot.at_preferred_location:
        return 0 if slot.with_previous_provider else 1
    return 2 if slot.with_previous_provider else 3


def _earliest(
    reads: SlotReads, query: SlotQuery, window: Interval, templates: list[TemplateSpec],
    rooms: list[RoomSpec], closures: list[ClosureSpec], reach_back: timedelta,
    reach_ahead: timedelta, *, limit: int,
) -> list[Slot]:
    """The earliest ``limit`` free slots on these templates and rooms, read in growing chunks."""
    if not templates or not rooms:
        return []
    room_ids = [r.id for r in rooms]
    found: list[Slot] = []
    chunk_start, chunk = window.start, timedelta(days=1)
    while chunk_start < window.end and len(found) < limit:
        chunk_end = min(chunk_start + chunk, window.end)
        reach = Interval(chunk_start - reach_back, chunk_end + reach_ahead)
        working = {t.provider_id for t in templates if expand_template(t, reach)}
        if working:  # else a weekend or a holiday: nothing to read
            busy = reads.busy(start=reach.start, end=reach.end, now=query.now,
                              provider_ids=working, room_ids=room_ids)
            part = SlotQuery(visit=query.visit, window=Interval(chunk_start, chunk_end),
                             now=query.now, rules=query.rules)
            found.extend(free_slots(part, templates=templates, closures=closures, rooms=rooms,
                                    busy=busy, limit=limit))
        chunk_start, chunk = chunk_end, chunk * 2
    found.sort(key=slot_rank)
    return found[:limit]
