"""Finding free slots: the best few starts for a visit type across providers and locations,
ranked by the patient's preferred location and previous provider."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from frontdesk.db import queries as q
from frontdesk.db.engine import read_session
from frontdesk.db.models import VisitType
from frontdesk.domain.availability import (
    SlotQuery,
    bookable_window,
    expand_template,
    free_slots,
    rank,
    slot_rank,
)
from frontdesk.domain.model import ClosureSpec, Interval, RoomSpec, Slot, TemplateSpec
from frontdesk.services.context import Context
from frontdesk.services.errors import InvalidInput
from frontdesk.services.views import SlotView


@dataclass(frozen=True)
class _Names:
    providers: dict[int, str]
    locations: dict[int, tuple[str, str]]
    rooms: dict[int, str]

    @classmethod
    def load(cls, session: Session) -> _Names:
        return cls(*q.names(session))

    def view(self, slot: Slot) -> SlotView:
        name, tz = self.locations[slot.location_id]
        return SlotView(
            start=slot.start, end=slot.end, provider_id=slot.provider_id,
            provider_name=self.providers[slot.provider_id], location_id=slot.location_id,
            location_name=name, room_id=slot.room_id, room_name=self.rooms[slot.room_id],
            timezone=tz,
        )


def find_slots(
    ctx: Context,
    *,
    visit_type: str,
    start: datetime | None = None,
    days: int = 60,
    location_ids: Collection[int] | None = None,
    provider_ids: Collection[int] | None = None,
    preferred_location_id: int | None = None,
    previous_provider_id: int | None = None,
    limit: int = 10,
) -> list[SlotView]:
    """The best ``limit`` free slots for a visit type across providers and locations.

    Scans forward in growing chunks and stops as soon as no later slot could rank higher, so the
    common case reads one or two days of bookings, not the whole window.
    """
    if limit < 1:
        raise InvalidInput("limit", "must be at least 1")
    if days < 1 or days > 730:
        raise InvalidInput("days", "must be between 1 and 730")
    now = ctx.now()
    begin = start or now
    with read_session(ctx.engine) as session:
        vt = _visit_type(session, visit_type)
        spec = q.visit_spec(session, vt)
        query = SlotQuery(
            visit=spec,
            window=Interval(begin, begin + timedelta(days=days)),
            now=now,
            rules=ctx.settings.booking,
            location_ids=frozenset(location_ids) if location_ids is not None else None,
            provider_ids=frozenset(provider_ids) if provider_ids is not None else None,
            preferred_location_id=preferred_location_id,
            previous_provider_id=previous_provider_id,
        )
        slots = _scan(session, query, limit=limit)
        names = _Names.load(session)
    return [names.view(s) for s in slots]


def _scan(session: Session, query: SlotQuery, *, limit: int) -> list[Slot]:
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
        r for r in q.room_specs(session, kind=spec.room_kind)
        if query.location_ids is None or r.location_id in query.location_ids
    ]
    sites = {r.location_id for r in rooms}
    templates = [t for t in q.templates_for(session, providers) if t.location_id in sites]
    if not templates:
        return []
    reach_back = timedelta(minutes=spec.buffer_before_min)
    reach_ahead = timedelta(minutes=spec.duration_min + spec.buffer_after_min)
    closures = q.closures_between(session, window.start - reach_back, window.end + reach_ahead)
    found: dict[tuple[datetime, int, int], Slot] = {}
    for tier, sites_wanted, people_wanted in _tiers(query):
        tier_templates = [
            t for t in templates
            if (sites_wanted is None or t.location_id in sites_wanted)
            and (people_wanted is None or t.provider_id in people_wanted)
        ]
        tier_rooms = [r for r in rooms if sites_wanted is None or r.location_id in sites_wanted]
        for slot in _earliest(session, query, window, tier_templates, tier_rooms, closures,
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
    session: Session, query: SlotQuery, window: Interval, templates: list[TemplateSpec],
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
            busy = q.busy_between(session, start=reach.start, end=reach.end, now=query.now,
                                  provider_ids=working, room_ids=room_ids)
            part = SlotQuery(visit=query.visit, window=Interval(chunk_start, chunk_end),
                             now=query.now, rules=query.rules)
            found.extend(free_slots(part, templates=templates, closures=closures, rooms=rooms,
                                    busy=busy, limit=limit))
        chunk_start, chunk = chunk_end, chunk * 2
    found.sort(key=slot_rank)
    return found[:limit]


def _visit_type(session: Session, code: str) -> VisitType:
    vt = q.visit_type_by_code(session, code)
    if vt is None:
        raise InvalidInput("visit-type", f"unknown visit type {code[:40]!r}; "
                           "`frontdesk visit-types` lists the codes")
    if not vt.active:
        raise InvalidInput("visit-type", f"{vt.code} is retired: it is booked no more")
    return vt
