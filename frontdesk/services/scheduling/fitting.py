"""Whether one start is offered and free: the check every booking and move runs, and the visit
types that fit a free start (what the calendar offers for an empty cell)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from frontdesk.db import queries as q
from frontdesk.db.engine import read_session
from frontdesk.db.models import Location, Provider, Room, VisitType
from frontdesk.domain.availability import SlotQuery, free_slots
from frontdesk.domain.model import Interval, Slot, VisitSpec
from frontdesk.services.context import Context
from frontdesk.services.errors import InvalidInput


class _Taken(Exception):
    """Internal: the requested start is valid but not free; ``reason`` says what is in the
    way ("" when a write in the same second took it)."""

    def __init__(self, reason: str = "") -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class SlotFit:
    """The visit types one provider could be booked for at one start and location, right now,
    in catalogue order; ``reason`` says why none fits (empty when some do)."""

    visit_codes: tuple[str, ...]
    reason: str = ""


def fitting_visit_types(ctx: Context, *, provider_id: int, location_id: int,
                        start: datetime) -> SlotFit:
    """Run the very checks ``book`` runs (hours, closures, notice, horizon, the provider's and
    the rooms' bookings with buffers) for each visit type the provider performs."""
    if start.tzinfo is None:
        raise InvalidInput("start", "needs a time zone (e.g. 2027-03-15T09:00-05:00)")
    now = ctx.now()
    fits: list[str] = []
    refusals: list[InvalidInput] = []
    taken = False
    with read_session(ctx.engine) as session:
        provider = session.get(Provider, provider_id)
        if provider is None:
            raise InvalidInput("provider", f"no provider with id {provider_id}")
        for vt in session.exec(select(VisitType).where(col(VisitType.active))
                               .order_by(col(VisitType.id))):
            spec = q.visit_spec(session, vt)
            if provider_id not in spec.provider_ids:
                continue
            try:
                _check_slot(session, ctx, now=now, spec=spec, provider_id=provider_id,
                            location_id=location_id, start=start, room_id=None)
            except _Taken:
                taken = True
            except InvalidInput as exc:
                refusals.append(exc)
            else:
                fits.append(vt.code)
    if fits:
        return SlotFit(tuple(fits))
    timing = next((r for r in refusals if r.field == "start"), None)
    if timing is not None:
        return SlotFit((), f"that time {timing.message}")
    if taken:
        return SlotFit((), f"{provider.name} or every suitable room is busy then")
    if refusals:
        return SlotFit((), refusals[0].message)
    return SlotFit((), f"{provider.name} performs no visit types")


def _check_slot(
    session: Session, ctx: Context, *, now: datetime, spec: VisitSpec, provider_id: int,
    location_id: int, start: datetime, room_id: int | None, exclude_id: int | None = None,
) -> Slot:
    """The slot at ``start`` if it is offered and free; InvalidInput why not, or _Taken.

    The common case reads only what availability needs; names are looked up when there is
    something to explain.
    """
    if provider_id not in spec.provider_ids:
        provider = session.get(Provider, provider_id)
        if provider is None:
            raise InvalidInput("provider", f"no provider with id {provider_id}")
        raise InvalidInput("provider", f"{provider.name} does not perform {spec.code}")
    rooms = [r for r in q.room_specs(session, kind=spec.room_kind) if r.location_id == location_id]
    if room_id is not None:
        rooms = [r for r in rooms if r.id == room_id]
    if not rooms:
        _explain_rooms(session, spec, location_id, room_id)
    rules = ctx.settings.booking
    step = timedelta(minutes=rules.slot_step_min)
    query = SlotQuery(visit=spec, window=Interval(start, start + step), now=now, rules=rules,
                      location_ids=frozenset({location_id}), provider_ids=frozenset({provider_id}))
    templates = q.templates_for(session, [provider_id])
    duration = timedelta(minutes=spec.duration_min)
    margin_b = timedelta(minutes=spec.buffer_before_min)
    margin_a = duration + timedelta(minutes=spec.buffer_after_min)
    closures = q.closures_between(session, start - margin_b, start + margin_a)
    offered = [s for s in free_slots(query, templates=templates, closures=closures, rooms=rooms,
                                     busy=[]) if s.start == start]
    if not offered:
        provider, location = session.get(Provider, provider_id), session.get(Location, location_id)
        if location is None:
            raise InvalidInput("location", f"no location with id {location_id}")
        assert provider is not None  # it performs the visit, so it exists
        closed = [c for c in closures
                  if c.start < start + margin_a and start - margin_b < c.end
                  and c.provider_id in (None, provider_id)
                  and c.location_id in (None, location_id)]
        raise InvalidInput("start", _why_not(start, now, ctx, provider.name, location.name,
                                             closed=bool(closed)))
    busy = q.busy_between(session, start=start - margin_b, end=start + margin_a, now=now,
                          provider_ids=[provider_id], room_ids=[r.id for r in rooms],
                          exclude_id=exclude_id)
    free = [s for s in free_slots(query, templates=templates, closures=closures, rooms=rooms,
                                  busy=busy) if s.start == start]
    if not free:
        block = (start - margin_b, start + margin_a)
        in_way = [b for b in busy if b.start < block[1] and block[0] < b.end]
        if any(b.provider_id == provider_id for b in in_way):
            provider = session.get(Provider, provider_id)
            name = provider.name if provider is not None else "the provider"
            raise _Taken(f"{name} has another visit then")  # buffers included
        location = session.get(Location, location_id)
        where = f" at {location.name}" if location is not None else ""
        raise _Taken(f"every {spec.room_kind.value} room{where} is in use then")
    return free[0]


def _explain_rooms(session: Session, spec: VisitSpec, location_id: int,
                   room_id: int | None) -> None:
    """Raise the InvalidInput that says why no room at the location fits the visit."""
    location = session.get(Location, location_id)
    if location is None:
        raise InvalidInput("location", f"no location with id {location_id}")
    if not location.active:
        raise InvalidInput("location", f"{location.name} is retired")
    if room_id is not None:
        room = session.get(Room, room_id)
        if room is None or room.location_id != location_id:
            raise InvalidInput("room", f"no room {room_id} at {location.name}")
        if not room.active:
            raise InvalidInput("room", f"{room.name} at {location.name} is retired")
        raise InvalidInput("room", f"{room.name} is not a {spec.room_kind.value} room")
    raise InvalidInput("location", f"{location.name} has no {spec.room_kind.value} room")


def _why_not(start: datetime, now: datetime, ctx: Context, provider: str, location: str, *,
             closed: bool = False) -> str:
    rules = ctx.settings.booking
    if start <= now:
        return "is in the past"
    if start < now + timedelta(minutes=rules.min_notice_min):
        return f"is inside the minimum notice of {rules.min_notice_min} minutes"
    if start > now + timedelta(days=rules.horizon_days):
        return f"is beyond the booking horizon of {rules.horizon_days} days"
    if start.minute % rules.slot_step_min or start.second or start.microsecond:
        return f"must be on a {rules.slot_step_min}-minute mark"
    if closed:
        return f"falls in a closure (a holiday, {provider}'s time off or {location} closed)"
    return f"is not within {provider}'s hours at {location} (or falls in a closure)"
