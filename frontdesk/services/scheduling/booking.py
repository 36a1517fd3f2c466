"""Booking and holding a visit: book (or hold for the caller) at a start, confirm or release a
hold."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime, timedelta

from sqlmodel import Session

from frontdesk.db import queries as q
from frontdesk.db.models import Appointment, Staff, VisitType
from frontdesk.domain.model import Region, Side, Status
from frontdesk.domain.permissions import DOING, Permission, allowed, refusal
from frontdesk.services.access import acting
from frontdesk.services.attention import outside_working_time
from frontdesk.services.callbacks import sync_callback
from frontdesk.services.context import Context
from frontdesk.services.errors import InvalidInput, NotAllowed
from frontdesk.services.mapping import appointment_snapshot
from frontdesk.services.pathway import (
    enforce_payer_rules,
    override_authoriser,
    recheck_later_visits,
    recheck_payer_rules,
)
from frontdesk.services.patients.lookup import live_patient
from frontdesk.services.scheduling import guards
from frontdesk.services.scheduling.fitting import _check_slot
from frontdesk.services.scheduling.reading import _view
from frontdesk.services.scheduling.slots import _visit_type
from frontdesk.services.scheduling.transaction import (
    _appointment,
    _id,
    _sync,
    _touch,
    _write,
    _write_slot,
)
from frontdesk.services.views import AppointmentView

#: More to write inside a booking's or a move's transaction, once the visit is in place:
#: (session, the visit, who acts, now).
Within = Callable[[Session, Appointment, Staff, datetime], None]


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
    override_password: str | None = None,
    ordered_by_physician: bool = False,
    physician_review: bool = False,
    accept_warnings: Collection[str] = (),
    within: Within | None = None,
) -> AppointmentView:
    """Book (or, with ``hold=True``, hold for the caller) one visit at ``start``.

    Every booking passes the same checks (:mod:`~frontdesk.services.scheduling.guards`):
    a procedure needs its details; a patient's first visit is the new-patient evaluation
    unless ``ordered_by_physician``; no overlap with the patient's other visits; with
    ``physician_review``, a physician (unless the settings allow any clinician). Warnings
    (the same day, a relief report pending, already booked) raise BookingNeedsConfirmation
    unless their codes are in ``accept_warnings``; what was said goes in the audit event.

    A procedure that breaks the patient's payer rules raises PayerRulesBroken unless
    ``override_reason`` is given by a role allowed to override: the booking person, or
    ``override_by`` standing next to them, who proves it with ``override_password`` (their own;
    see :func:`~frontdesk.services.pathway.override_authoriser`). The override is audited with
    the booking. Booking a diagnostic block creates its relief-report callback.

    ``within``: more to write in the same transaction once the visit is booked (the waitlist
    entry an accepted offer closes); what it raises undoes the booking too.
    """
    if start.tzinfo is None:
        raise InvalidInput("start", "needs a time zone (e.g. 2027-03-15T09:00-05:00)")
    region, levels, side = _procedure_details(region, levels, side)
    asked = guards.Asked.of(ordered_by_physician=ordered_by_physician,
                            physician_review=physician_review, accept_warnings=accept_warnings)
    authoriser = override_authoriser(ctx, staff=staff, override_by=override_by,
                                     password=override_password, reason=override_reason)

    def work(session: Session) -> AppointmentView:
        q.lock_for_booking(session, location_id=location_id, provider_id=provider_id)
        now = ctx.now()
        q.expire_holds(session, now=now)
        staff_row = acting(session, staff, Permission.BOOK)
        live_patient(session, patient_id, lock=True)  # waits for a merge in progress
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
        guards.refuse(session, ctx, appt=appt, vt=vt, asked=asked, now=now)
        enforce_payer_rules(session, ctx, staff=staff_row if authoriser == staff
                            else acting(session, authoriser), appointment=appt,
                            visit_type=vt.code, override_reason=override_reason)
        accepted = guards.warn(session, appt=appt, vt=vt, asked=asked, now=now)
        q.add_audit(session, origin=ctx.origin.stamp, at=now, staff_id=staff_row.id,
                    action="appointment.hold" if hold else "appointment.book",
                    entity="appointment", entity_id=appt.id,
                    after=appointment_snapshot(appt) | guards.audit_note(asked, accepted))
        sync_callback(session, ctx, appt, code=vt.code, now=now, new=True)
        if within is not None:
            within(session, appt, staff_row, now)
        return _view(session, _id(appt))  # read back in the same transaction

    return _write_slot(ctx, work, visit_type=visit_type, start=start,
                         location_id=location_id, provider_id=provider_id)


def confirm_hold(ctx: Context, *, staff: str, appointment_id: int,
                 accept_warnings: Collection[str] = ()) -> AppointmentView:
    """Turn the caller's hold into a booking (the time never left their hands). The
    booking checks run again, with what was said when it was held: something booked for the
    patient meanwhile is refused or warned as :func:`book` would."""
    extra = guards.Asked.of(ordered_by_physician=False, physician_review=False,
                            accept_warnings=accept_warnings)

    def work(session: Session) -> AppointmentView:
        now = ctx.now()
        staff_row = acting(session, staff, Permission.BOOK)
        appt = _appointment(session, appointment_id)
        if appt.status != Status.HELD.value:
            raise InvalidInput("appointment", "is not a hold")
        if appt.hold_expires_at is not None and appt.hold_expires_at <= now:
            q.expire_holds(session, now=now)
            raise InvalidInput("appointment", "the hold has expired; offer the slot again")
        q.lock_for_booking(session, location_id=appt.location_id, provider_id=appt.provider_id)
        q.lock_patient(session, appt.patient_id)  # before the row: a merge may be moving it
        session.refresh(appt)  # as it stands once any such merge committed
        if appt.status != Status.HELD.value:
            raise InvalidInput("appointment", "is not a hold")
        closed = outside_working_time(session, appt)  # a closure saved over the hold since
        if closed is not None:
            raise InvalidInput("start", f"that time is now {closed}; offer another time")
        vt = session.get(VisitType, appt.visit_type_id)
        assert vt is not None
        asked = extra.joined(guards.asked_when_booked(session, _id(appt)))
        accepted = booked_again(session, ctx, appt=appt, vt=vt, asked=asked, now=now)
        before = appointment_snapshot(appt)
        appt.status, appt.hold_expires_at = Status.BOOKED.value, None
        appt.booked_at, appt.booked_by_id = now, _id(staff_row)
        _touch(appt, now)
        session.flush()
        recheck_later_visits(session, ctx, appt)
        q.add_audit(session, origin=ctx.origin.stamp,
                    at=now, staff_id=staff_row.id, action="appointment.book",
                    entity="appointment", entity_id=appt.id, before=before,
                    after=appointment_snapshot(appt) | guards.audit_note(asked, accepted))
        _sync(session, ctx, appt, now)
        return _view(session, _id(appt))  # read back in the same transaction

    return _write(ctx, work)


def booked_again(session: Session, ctx: Context, *, appt: Appointment, vt: VisitType,
                 asked: guards.Asked, now: datetime) -> tuple[str, ...]:
    """What a visit that was not counted (a hold, a no-show) passes to count again: the
    booking checks and the payer rules as they stand now (an override already signed on it
    stands), then the warnings. Returns the warnings accepted."""
    guards.refuse(session, ctx, appt=appt, vt=vt, asked=asked, now=now)
    recheck_payer_rules(session, ctx, appointment=appt, visit_type=vt.code)
    return tuple(guards.warn(session, appt=appt, vt=vt, asked=asked, now=now))


#: A hold is kept at most this many hold times from when it was made, however often it is
#: kept longer: the time is the practice's, and other callers may want it.
HOLD_TIMES_AT_MOST = 3


def release_hold(ctx: Context, *, staff: str, appointment_id: int) -> AppointmentView:
    """Let a hold go now. Another person's hold (the needs-attention list) needs a scheduler
    or above; the hold is read under the booking lock, so a booking of it at the same moment
    either comes first (and is refused here) or finds it released."""

    def work(session: Session) -> AppointmentView:
        staff_row = acting(session, staff, Permission.BOOK)
        appt = _live_hold(session, staff_row, appointment_id)
        now = ctx.now()
        before = appointment_snapshot(appt)
        appt.status = Status.EXPIRED.value
        _touch(appt, now)
        q.add_audit(session, origin=ctx.origin.stamp,
                    at=now, staff_id=staff_row.id, action="appointment.release_hold",
                    entity="appointment", entity_id=appt.id, before=before,
                    after=appointment_snapshot(appt))
        _sync(session, ctx, appt, now)
        return _view(session, _id(appt))  # read back in the same transaction

    return _write(ctx, work)


def extend_hold(ctx: Context, *, staff: str, appointment_id: int) -> AppointmentView:
    """Keep a live hold for another hold time from now (the caller is still deciding): the
    needs-attention list's answer to a hold about to lapse. A hold already lapsed is not
    brought back: its time may be someone else's by now; and no hold is kept longer than
    ``HOLD_TIMES_AT_MOST`` hold times from when it was made. Another person's hold needs a
    scheduler or above."""

    def work(session: Session) -> AppointmentView:
        staff_row = acting(session, staff, Permission.BOOK)
        appt = _live_hold(session, staff_row, appointment_id)
        now = ctx.now()  # once the lock is ours
        if appt.hold_expires_at is not None and appt.hold_expires_at <= now:
            raise InvalidInput("appointment", "the hold has lapsed; offer the slot again")
        minutes = ctx.settings.booking.hold_min
        latest = appt.booked_at + timedelta(minutes=minutes * HOLD_TIMES_AT_MOST)
        if appt.hold_expires_at is not None and latest <= appt.hold_expires_at:
            raise InvalidInput("appointment", f"it has been kept as long as a hold may be "
                               f"({minutes * HOLD_TIMES_AT_MOST} min); book it or let it go")
        until = min(now + timedelta(minutes=minutes), latest)
        if appt.hold_expires_at is not None:
            until = max(until, appt.hold_expires_at)  # never shorter than it was
        before = appointment_snapshot(appt)
        appt.hold_expires_at = until
        _touch(appt, now)
        q.add_audit(session, origin=ctx.origin.stamp,
                    at=now, staff_id=staff_row.id, action="appointment.extend_hold",
                    entity="appointment", entity_id=appt.id, before=before,
                    after=appointment_snapshot(appt)
                    | {"hold_expires_at": until.isoformat()})
        return _view(session, _id(appt))  # read back in the same transaction

    return _write(ctx, work)


def _live_hold(session: Session, staff_row: Staff, appointment_id: int) -> Appointment:
    """The hold ``appointment_id`` as it stands under its provider's booking lock (and its
    row's, on PostgreSQL), for ``staff_row`` to change: theirs, or anyone's for a scheduler."""
    appt = _appointment(session, appointment_id)
    q.lock_for_booking(session, location_id=appt.location_id, provider_id=appt.provider_id)
    session.refresh(appt, with_for_update=True)  # as it stands once a booking committed
    if appt.status != Status.HELD.value:
        raise InvalidInput("appointment", "is not a hold (booked or released meanwhile)")
    if appt.booked_by_id != staff_row.id and not allowed(staff_row.role, Permission.SCHEDULE):
        raise NotAllowed(refusal(Permission.SCHEDULE).replace(
            DOING[Permission.SCHEDULE], "changing another person's hold", 1))
    return appt


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
