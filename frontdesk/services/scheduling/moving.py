"""Moving a visit to another start (and optionally provider, location or room)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from sqlmodel import Session

from frontdesk.db import queries as q
from frontdesk.db.engine import OverlapError, read_session
from frontdesk.db.models import VisitType
from frontdesk.domain.model import Status
from frontdesk.domain.permissions import Permission
from frontdesk.services.access import acting
from frontdesk.services.context import Context
from frontdesk.services.errors import InvalidInput, SlotTaken
from frontdesk.services.mapping import appointment_snapshot
from frontdesk.services.pathway import enforce_payer_rules, override_authoriser
from frontdesk.services.scheduling import guards
from frontdesk.services.scheduling.booking import Within, _procedure_details
from frontdesk.services.scheduling.fitting import _check_slot, _Taken
from frontdesk.services.scheduling.reading import _view
from frontdesk.services.scheduling.transaction import (
    _alternatives,
    _appointment,
    _check_version,
    _id,
    _sync,
    _touch,
    _write,
)
from frontdesk.services.views import AppointmentView


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
    override_password: str | None = None,
    ordered_by_physician: bool = False,
    accept_warnings: Collection[str] = (),
    region: str | None = None,
    levels: str | None = None,
    side: str | None = None,
    within: Within | None = None,
) -> AppointmentView:
    """Move a booked visit to another start (and optionally provider, location or room).

    The payer rules and the booking checks (:mod:`~frontdesk.services.scheduling.guards`) run
    again for the new time, as :func:`book` runs them (an override by someone else needs their
    ``override_password``); what was said when it was booked (a physician's order, physician
    review) still stands. ``region``, ``levels``, ``side``: a procedure's details, to give
    those a visit booked without them lacks (or to correct them). ``within``: more to write in
    the same transaction once the visit is moved (see :func:`book`)."""
    if start.tzinfo is None:
        raise InvalidInput("start", "needs a time zone (e.g. 2027-03-15T09:00-05:00)")
    region, levels, side = _procedure_details(region, levels, side)
    extra = guards.Asked.of(ordered_by_physician=ordered_by_physician, physician_review=False,
                            accept_warnings=accept_warnings)
    authoriser = override_authoriser(ctx, staff=staff, override_by=override_by,
                                     password=override_password, reason=override_reason)
    moving: dict[str, int] = {}

    def work(session: Session) -> AppointmentView:
        now = ctx.now()
        q.expire_holds(session, now=now)
        staff_row = acting(session, staff, Permission.BOOK)
        appt = _appointment(session, appointment_id)
        q.lock_for_booking(session, location_id=location_id or appt.location_id,
                           provider_id=provider_id or appt.provider_id)
        q.lock_patient(session, appt.patient_id)  # before the row: a merge may be moving it
        session.refresh(appt)  # as it stands once any such merge committed
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
        if vt.is_procedure:
            appt.region = region or appt.region
            appt.levels = levels or appt.levels
            appt.side = side or appt.side
        _touch(appt, now)
        session.flush()
        asked = extra.joined(guards.asked_when_booked(session, _id(appt)).orders())
        guards.refuse(session, ctx, appt=appt, vt=vt, asked=asked, now=now)
        enforce_payer_rules(session, ctx, staff=staff_row if authoriser == staff
                            else acting(session, authoriser), appointment=appt,
                            visit_type=vt.code, override_reason=override_reason)
        accepted = guards.warn(session, appt=appt, vt=vt, asked=asked, now=now)
        q.add_audit(session, origin=ctx.origin.stamp,
                    at=now, staff_id=staff_row.id, action="appointment.reschedule",
                    entity="appointment", entity_id=appt.id, before=before,
                    after=appointment_snapshot(appt) | guards.audit_note(extra, accepted))
        _sync(session, ctx, appt, now)
        if within is not None:
            within(session, appt, staff_row, now)
        return _view(session, _id(appt))  # read back in the same transaction

    try:
        return _write(ctx, work)
    except (_Taken, OverlapError) as exc:
        with read_session(ctx.engine) as session:
            code = session.get(VisitType, moving["visit"])
            assert code is not None
            visit_code = code.code
        raise SlotTaken(_alternatives(ctx, visit_code, start, moving["location"],
                                      moving["provider"]),
                        reason=getattr(exc, "reason", "")) from None
