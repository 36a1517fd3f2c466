"""Find slots, book, hold, reschedule, cancel and set status — each write one transaction with
its audit event, attributed to a staff member.

The database is the last word on double-booking (see db/schema.py); the checks here give the
person a useful answer — a clear reason, or "slot just taken" with the next alternatives.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Row
from sqlmodel import Session, col, select

from frontdesk.db import queries as q
from frontdesk.db.engine import DatabaseBusyError, OverlapError, read_session, run_write
from frontdesk.db.models import Appointment, Location, Patient, Provider, Room, Staff, VisitType
from frontdesk.domain.availability import (
    SlotQuery,
    bookable_window,
    expand_template,
    free_slots,
    rank,
    slot_rank,
)
from frontdesk.domain.model import (
    ClosureSpec,
    Interval,
    Region,
    RoomSpec,
    Side,
    Slot,
    Status,
    TemplateSpec,
    VisitSpec,
    can_transition,
)
from frontdesk.domain.permissions import Permission
from frontdesk.services.access import acting
from frontdesk.services.callbacks import sync_callback
from frontdesk.services.context import Context
from frontdesk.services.errors import Busy, InvalidInput, SlotTaken, StaleAppointment
from frontdesk.services.mapping import appointment_snapshot, appointment_view
from frontdesk.services.pathway import enforce_payer_rules
from frontdesk.services.views import AppointmentView, SlotView

MAX_TEXT = 500
_Work = Callable[[Session], AppointmentView]


class _Taken(Exception):
    """Internal: the requested start is valid but no longer free."""


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


# --------------------------------------------------------------------------- reading


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
        for vt in session.exec(select(VisitType).order_by(col(VisitType.id))):
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


def appointments_on(
    ctx: Context, *, day: date, location_ids: Collection[int] | None = None,
    include_inactive: bool = True,
) -> list[AppointmentView]:
    """One local day's appointments (each location's own zone), ordered by start."""
    with read_session(ctx.engine) as session:
        by_zone: dict[str, list[int]] = {}
        for loc in session.exec(select(Location)):
            if loc.id is not None and (location_ids is None or loc.id in location_ids):
                by_zone.setdefault(loc.timezone, []).append(loc.id)
        rows: list[Row[Any]] = []
        for tz, ids in by_zone.items():
            zone = ZoneInfo(tz)
            start = datetime.combine(day, time(), zone)
            end = datetime.combine(day + timedelta(days=1), time(), zone)
            rows.extend(q.appointment_rows(session, start=start, end=end, location_ids=ids))
    views = [appointment_view(r) for r in rows]
    if not include_inactive:
        views = [v for v in views if v.status not in (Status.EXPIRED, Status.CANCELLED)]
    views.sort(key=lambda v: (v.start, v.provider_name))
    return views


def upcoming_for(ctx: Context, patient_id: int, *, limit: int = 20) -> list[AppointmentView]:
    """The patient's visits from now on that can still be moved or cancelled."""
    live = (Status.HELD, Status.BOOKED, Status.CONFIRMED)
    with read_session(ctx.engine) as session:
        rows = q.appointment_rows(session, start=ctx.now(), patient_id=patient_id)
    views = [appointment_view(r) for r in rows]
    return [v for v in views if v.status in live][:limit]


def get_appointment(ctx: Context, appointment_id: int) -> AppointmentView:
    with read_session(ctx.engine) as session:
        return _view(session, appointment_id)


def _view(session: Session, appointment_id: int) -> AppointmentView:
    row = q.appointment_row(session, appointment_id)
    if row is None:
        raise InvalidInput("appointment", f"no appointment with id {appointment_id}")
    return appointment_view(row)


# --------------------------------------------------------------------------- writing


def book(
    ctx: Context,
    *,
    staff: str,
    patient_id: int,
    visit_type: str,
    provider_id: int,
    location_id: int,
    start: datetime,
    room_id: int | None = None,
    region: str | None = None,
    levels: str | None = None,
    side: str | None = None,
    hold: bool = False,
    override_reason: str | None = None,
    override_by: str | None = None,
) -> AppointmentView:
    """Book (or, with ``hold=True``, hold for the caller) one visit at ``start``.

    A procedure that breaks the patient's payer rules raises PayerRulesBroken unless
    ``override_reason`` is given by a role allowed to override (the booking person, or
    ``override_by`` standing next to them); the override is audited with the booking.
    Booking a diagnostic block creates its relief-report callback.
    """
    if start.tzinfo is None:
        raise InvalidInput("start", "needs a time zone (e.g. 2027-03-15T09:00-05:00)")
    region, levels, side = _procedure_details(region, levels, side)

    def work(session: Session) -> AppointmentView:
        q.lock_for_booking(session, location_id=location_id, provider_id=provider_id)
        now = ctx.now()
        q.expire_holds(session, now=now)
        staff_row = acting(session, staff, Permission.BOOK)
        if session.get(Patient, patient_id) is None:
            raise InvalidInput("patient", f"no patient with id {patient_id}")
        vt = _visit_type(session, visit_type)
        spec = q.visit_spec(session, vt)
        slot = _check_slot(session, ctx, now=now, spec=spec, provider_id=provider_id,
                           location_id=location_id, start=start, room_id=room_id)
        appt = Appointment(
            patient_id=patient_id, visit_type_id=spec.id, provider_id=slot.provider_id,
            location_id=slot.location_id, room_id=slot.room_id, starts_at=slot.start,
            ends_at=slot.end, block_start=slot.start - timedelta(minutes=spec.buffer_before_min),
            block_end=slot.end + timedelta(minutes=spec.buffer_after_min),
            status=(Status.HELD if hold else Status.BOOKED).value,
            hold_expires_at=now + timedelta(minutes=ctx.settings.booking.hold_min) if hold
            else None,
            region=region if vt.is_procedure else None,
            levels=levels if vt.is_procedure else None,
            side=side if vt.is_procedure else None,
            booked_by_id=_id(staff_row), booked_at=now, updated_at=now,
        )
        session.add(appt)
        session.flush()
        enforce_payer_rules(session, ctx, staff=acting(session, override_by) if override_by
                            else staff_row, appointment=appt, visit_type=vt.code,
                            override_reason=override_reason)
        q.add_audit(session, at=now, staff_id=staff_row.id,
                    action="appointment.hold" if hold else "appointment.book",
                    entity="appointment", entity_id=appt.id, after=appointment_snapshot(appt))
        sync_callback(session, ctx, appt, code=vt.code, now=now, new=True)
        return _view(session, _id(appt))  # read back in the same transaction

    return _write_slot(ctx, work, visit_type=visit_type, start=start,
                         location_id=location_id, provider_id=provider_id)


def confirm_hold(ctx: Context, *, staff: str, appointment_id: int) -> AppointmentView:
    """Turn the caller's hold into a booking (the time never left their hands)."""

    def work(session: Session) -> AppointmentView:
        now = ctx.now()
        staff_row = acting(session, staff, Permission.BOOK)
        appt = _appointment(session, appointment_id)
        if appt.status != Status.HELD.value:
            raise InvalidInput("appointment", "is not a hold")
        if appt.hold_expires_at is not None and appt.hold_expires_at <= now:
            q.expire_holds(session, now=now)
            raise InvalidInput("appointment", "the hold has expired; offer the slot again")
        before = appointment_snapshot(appt)
        appt.status, appt.hold_expires_at = Status.BOOKED.value, None
        appt.booked_at, appt.booked_by_id = now, _id(staff_row)
        _touch(appt, now)
        q.add_audit(session, at=now, staff_id=staff_row.id, action="appointment.book",
                    entity="appointment", entity_id=appt.id, before=before,
                    after=appointment_snapshot(appt))
        _sync(session, ctx, appt, now)
        return _view(session, _id(appt))  # read back in the same transaction

    return _write(ctx, work)


def release_hold(ctx: Context, *, staff: str, appointment_id: int) -> AppointmentView:
    def work(session: Session) -> AppointmentView:
        now = ctx.now()
        staff_row = acting(session, staff, Permission.BOOK)
        appt = _appointment(session, appointment_id)
        if appt.status != Status.HELD.value:
            raise InvalidInput("appointment", "is not a hold")
        before = appointment_snapshot(appt)
        appt.status = Status.EXPIRED.value
        _touch(appt, now)
        q.add_audit(session, at=now, staff_id=staff_row.id, action="appointment.release_hold",
                    entity="appointment", entity_id=appt.id, before=before,
                    after=appointment_snapshot(appt))
        _sync(session, ctx, appt, now)
        return _view(session, _id(appt))  # read back in the same transaction

    return _write(ctx, work)


def reschedule(
    ctx: Context,
    *,
    staff: str,
    appointment_id: int,
    start: datetime,
    provider_id: int | None = None,
    location_id: int | None = None,
    room_id: int | None = None,
    expected_version: int | None = None,
    override_reason: str | None = None,
    override_by: str | None = None,
) -> AppointmentView:
    """Move a booked visit to another start (and optionally provider, location or room).

    The payer rules are checked again for the new day, as :func:`book` checks them."""
    if start.tzinfo is None:
        raise InvalidInput("start", "needs a time zone (e.g. 2027-03-15T09:00-05:00)")
    moving: dict[str, int] = {}

    def work(session: Session) -> AppointmentView:
        now = ctx.now()
        q.expire_holds(session, now=now)
        staff_row = acting(session, staff, Permission.BOOK)
        appt = _appointment(session, appointment_id)
        q.lock_for_booking(session, location_id=location_id or appt.location_id,
                           provider_id=provider_id or appt.provider_id)
        _check_version(session, appt, expected_version)
        if appt.status not in (Status.BOOKED.value, Status.CONFIRMED.value, Status.HELD.value):
            raise InvalidInput("appointment", f"a {Status(appt.status).label} visit cannot move")
        vt = session.get(VisitType, appt.visit_type_id)
        assert vt is not None
        spec = q.visit_spec(session, vt)
        moving.update(visit=spec.id, location=location_id or appt.location_id,
                      provider=provider_id or appt.provider_id)
        slot = _check_slot(
            session, ctx, now=now, spec=spec, provider_id=provider_id or appt.provider_id,
            location_id=location_id or appt.location_id, start=start, room_id=room_id,
            exclude_id=appt.id,
        )
        before = appointment_snapshot(appt)
        appt.provider_id, appt.location_id, appt.room_id = (
            slot.provider_id, slot.location_id, slot.room_id)
        appt.starts_at, appt.ends_at = slot.start, slot.end
        appt.block_start = slot.start - timedelta(minutes=spec.buffer_before_min)
        appt.block_end = slot.end + timedelta(minutes=spec.buffer_after_min)
        _touch(appt, now)
        session.flush()
        enforce_payer_rules(session, ctx, staff=acting(session, override_by) if override_by
                            else staff_row, appointment=appt, visit_type=vt.code,
                            override_reason=override_reason)
        q.add_audit(session, at=now, staff_id=staff_row.id, action="appointment.reschedule",
                    entity="appointment", entity_id=appt.id, before=before,
                    after=appointment_snapshot(appt))
        _sync(session, ctx, appt, now)
        return _view(session, _id(appt))  # read back in the same transaction

    try:
        return _write(ctx, work)
    except (_Taken, OverlapError):
        with read_session(ctx.engine) as session:
            code = session.get(VisitType, moving["visit"])
            assert code is not None
            visit_code = code.code
        raise SlotTaken(_alternatives(ctx, visit_code, start, moving["location"],
                                      moving["provider"])) from None


def cancel(
    ctx: Context, *, staff: str, appointment_id: int, reason: str,
    expected_version: int | None = None,
) -> AppointmentView:
    """Cancel with a reason; flagged late when inside the late-cancel window."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput("reason", "say why the visit is cancelled")
    if len(reason) > MAX_TEXT:
        raise InvalidInput("reason", f"keep it under {MAX_TEXT} characters")

    def work(session: Session) -> AppointmentView:
        now = ctx.now()
        staff_row = acting(session, staff, Permission.CANCEL)
        appt = _appointment(session, appointment_id)
        _check_version(session, appt, expected_version)
        if not can_transition(Status(appt.status), Status.CANCELLED):
            raise InvalidInput(
                "appointment", f"a {Status(appt.status).label} visit cannot be cancelled")
        before = appointment_snapshot(appt)
        window = timedelta(hours=ctx.settings.booking.late_cancel_hours)
        appt.status, appt.cancel_reason = Status.CANCELLED.value, reason
        appt.late_cancel = appt.starts_at - now < window
        _touch(appt, now)
        q.add_audit(session, at=now, staff_id=staff_row.id, action="appointment.cancel",
                    entity="appointment", entity_id=appt.id, before=before,
                    after=appointment_snapshot(appt))
        _sync(session, ctx, appt, now)
        return _view(session, _id(appt))  # read back in the same transaction

    return _write(ctx, work)


def set_status(
    ctx: Context, *, staff: str, appointment_id: int, status: Status,
    expected_version: int | None = None,
) -> AppointmentView:
    """Confirm, check in, complete or mark a no-show (cancel has its own service)."""
    if status in (Status.CANCELLED, Status.HELD, Status.EXPIRED):
        raise InvalidInput("status", f"use the {status.label} action instead")

    def work(session: Session) -> AppointmentView:
        now = ctx.now()
        staff_row = acting(session, staff, Permission.STATUS)
        appt = _appointment(session, appointment_id)
        _check_version(session, appt, expected_version)
        current = Status(appt.status)
        if not can_transition(current, status):
            raise InvalidInput("status", f"a {current.label} visit cannot become {status.label}")
        if status in (Status.CHECKED_IN, Status.COMPLETED, Status.NO_SHOW):
            location = session.get(Location, appt.location_id)
            zone = ZoneInfo(location.timezone if location else "UTC")
            if appt.starts_at.astimezone(zone).date() > now.astimezone(zone).date():
                raise InvalidInput("status", f"cannot mark a future visit {status.label}")
        before = appointment_snapshot(appt)
        appt.status = status.value
        _touch(appt, now)
        session.flush()
        q.add_audit(session, at=now, staff_id=staff_row.id, action="appointment.status",
                    entity="appointment", entity_id=appt.id, before=before,
                    after=appointment_snapshot(appt))
        _sync(session, ctx, appt, now)
        return _view(session, _id(appt))  # read back in the same transaction

    return _write(ctx, work)


# --------------------------------------------------------------------------- helpers


def _write(ctx: Context, work: _Work) -> AppointmentView:
    try:
        return run_write(ctx.engine, work)
    except DatabaseBusyError as exc:
        raise Busy(str(exc)) from exc


def _write_slot(ctx: Context, work: _Work, *, visit_type: str, start: datetime,
                location_id: int, provider_id: int) -> AppointmentView:
    try:
        return _write(ctx, work)
    except (_Taken, OverlapError):
        raise SlotTaken(_alternatives(ctx, visit_type, start, location_id, provider_id)) from None


def _alternatives(ctx: Context, visit_type: str, start: datetime, location_id: int,
                  provider_id: int) -> list[SlotView]:
    return find_slots(ctx, visit_type=visit_type, start=start - timedelta(hours=2), days=30,
                      preferred_location_id=location_id, previous_provider_id=provider_id,
                      limit=5)


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
        raise InvalidInput("start", _why_not(start, now, ctx, provider.name, location.name))
    busy = q.busy_between(session, start=start - margin_b, end=start + margin_a, now=now,
                          provider_ids=[provider_id], room_ids=[r.id for r in rooms],
                          exclude_id=exclude_id)
    free = [s for s in free_slots(query, templates=templates, closures=closures, rooms=rooms,
                                  busy=busy) if s.start == start]
    if not free:
        raise _Taken()
    return free[0]


def _explain_rooms(session: Session, spec: VisitSpec, location_id: int,
                   room_id: int | None) -> None:
    """Raise the InvalidInput that says why no room at the location fits the visit."""
    location = session.get(Location, location_id)
    if location is None:
        raise InvalidInput("location", f"no location with id {location_id}")
    if room_id is not None:
        room = session.get(Room, room_id)
        if room is None or room.location_id != location_id:
            raise InvalidInput("room", f"no room {room_id} at {location.name}")
        raise InvalidInput("room", f"{room.name} is not a {spec.room_kind.value} room")
    raise InvalidInput("location", f"{location.name} has no {spec.room_kind.value} room")


def _why_not(start: datetime, now: datetime, ctx: Context, provider: str, location: str) -> str:
    rules = ctx.settings.booking
    if start <= now:
        return "is in the past"
    if start < now + timedelta(minutes=rules.min_notice_min):
        return f"is inside the minimum notice of {rules.min_notice_min} minutes"
    if start > now + timedelta(days=rules.horizon_days):
        return f"is beyond the booking horizon of {rules.horizon_days} days"
    if start.minute % rules.slot_step_min or start.second or start.microsecond:
        return f"must be on a {rules.slot_step_min}-minute mark"
    return f"is not within {provider}'s hours at {location} (or falls in a closure)"


def _procedure_details(
    region: str | None, levels: str | None, side: str | None
) -> tuple[str | None, str | None, str | None]:
    if region is not None:
        region = region.strip().lower() or None
        if region is not None and region not in {r.value for r in Region}:
            raise InvalidInput("region", "must be cervical, thoracic or lumbar")
    if side is not None:
        side = side.strip().lower() or None
        if side is not None and side not in {s.value for s in Side}:
            raise InvalidInput("side", "must be left, right or bilateral")
    if levels is not None:
        levels = levels.strip().upper() or None
        if levels is not None and (len(levels) > 40 or not all(
                ch.isalnum() or ch in "-, " for ch in levels)):
            raise InvalidInput("levels", "write levels like L4-L5, L5-S1")
    return region, levels, side


def _sync(session: Session, ctx: Context, appt: Appointment, now: datetime) -> None:
    vt = session.get(VisitType, appt.visit_type_id)
    if vt is not None:
        sync_callback(session, ctx, appt, code=vt.code, now=now)


def _visit_type(session: Session, code: str) -> VisitType:
    vt = q.visit_type_by_code(session, code)
    if vt is None:
        raise InvalidInput("visit-type", f"unknown visit type {code[:40]!r}; "
                           "`frontdesk visit-types` lists the codes")
    return vt


def _appointment(session: Session, appointment_id: int) -> Appointment:
    appt = session.get(Appointment, appointment_id)
    if appt is None:
        raise InvalidInput("appointment", f"no appointment with id {appointment_id}")
    return appt


def _check_version(session: Session, appt: Appointment, expected: int | None) -> None:
    if expected is not None and appt.version != expected:
        raise StaleAppointment(_view(session, _id(appt)))


def _touch(appt: Appointment, now: datetime) -> None:
    appt.version += 1
    appt.updated_at = now


def _id(row: Appointment | Staff) -> int:
    assert row.id is not None
    return row.id

