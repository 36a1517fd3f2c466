"""Cancelling a visit and its other status changes: confirm, check in, complete, no-show."""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from frontdesk.db import queries as q
from frontdesk.db.engine import read_session
from frontdesk.db.models import Appointment, Location, VisitType
from frontdesk.domain.model import Status, can_transition
from frontdesk.domain.permissions import Permission
from frontdesk.services.access import acting
from frontdesk.services.context import Context
from frontdesk.services.errors import InvalidInput
from frontdesk.services.mapping import appointment_snapshot
from frontdesk.services.pathway import recheck_later_visits
from frontdesk.services.scheduling import guards
from frontdesk.services.scheduling.outreach import OutreachNote, write_outreach
from frontdesk.services.scheduling.reading import _view
from frontdesk.services.scheduling.transaction import (
    _appointment,
    _check_version,
    _id,
    _sync,
    _touch,
    _write,
)
from frontdesk.services.views import AppointmentView

MAX_TEXT = 500


def cancel(
    ctx: Context, *, staff: str, appointment_id: int, reason: str,
    expected_version: int | None = None, outreach: OutreachNote | None = None,
) -> AppointmentView:
    """Cancel with a reason; flagged late when inside the late-cancel window. ``outreach``:
    the worklist call that cancelled it, recorded in the same transaction."""
    outreach = outreach.checked() if outreach is not None else None
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
        q.add_audit(session, origin=ctx.origin.stamp,
                    at=now, staff_id=staff_row.id, action="appointment.cancel",
                    entity="appointment", entity_id=appt.id, before=before,
                    after=appointment_snapshot(appt))
        if outreach is not None:
            write_outreach(session, ctx, appt=appt, staff=staff_row, note=outreach, now=now)
        _sync(session, ctx, appt, now)
        return _view(session, _id(appt))  # read back in the same transaction

    return _write(ctx, work)


def set_status(
    ctx: Context, *, staff: str, appointment_id: int, status: Status,
    expected_version: int | None = None, accept_warnings: Collection[str] = (),
    outreach: OutreachNote | None = None,
) -> AppointmentView:
    """Confirm, check in, complete or mark a no-show (cancel has its own service).

    A visit that did not count becomes a booking only through the booking's checks: a hold
    "booked" is confirmed as :func:`~frontdesk.services.scheduling.booking.confirm_hold`
    confirms it, and a no-show booked again passes the same checks and payer rules (an
    override signed on it stands), its warnings accepted with ``accept_warnings``.
    ``outreach``: the worklist call that set it (a confirmation call), recorded in the same
    transaction."""
    outreach = outreach.checked() if outreach is not None else None
    if status in (Status.CANCELLED, Status.HELD, Status.EXPIRED):
        raise InvalidInput("status", f"use the {status.label} action instead")
    if status == Status.BOOKED and _status_now(ctx, appointment_id) == Status.HELD:
        if outreach is not None:
            raise InvalidInput("status", "a hold is booked on the call, not from a worklist")
        from frontdesk.services.scheduling.booking import confirm_hold

        return confirm_hold(ctx, staff=staff, appointment_id=appointment_id,
                            accept_warnings=accept_warnings)

    def work(session: Session) -> AppointmentView:
        now = ctx.now()
        staff_row = acting(session, staff, Permission.STATUS)
        appt = _appointment(session, appointment_id)
        _check_version(session, appt, expected_version)
        current = Status(appt.status)
        if not can_transition(current, status):
            raise InvalidInput("status", f"a {current.label} visit cannot become {status.label}")
        if current == Status.HELD:  # became a hold meanwhile: it is confirmed, not set
            raise InvalidInput("status", "this visit is a hold now; confirm it to book it")
        if current == Status.NO_SHOW:  # counted again: checked as a booking is
            from frontdesk.services.scheduling.booking import booked_again

            q.lock_for_booking(session, location_id=appt.location_id,
                               provider_id=appt.provider_id)
            vt = session.get(VisitType, appt.visit_type_id)
            assert vt is not None
            asked = guards.Asked.of(ordered_by_physician=False, physician_review=False,
                                    accept_warnings=accept_warnings)
            booked_again(session, ctx, appt=appt, vt=vt, now=now,
                         asked=asked.joined(guards.asked_when_booked(session, appt.id or 0)))
        if status in (Status.CHECKED_IN, Status.COMPLETED, Status.NO_SHOW):
            location = session.get(Location, appt.location_id)
            zone = ZoneInfo(location.timezone if location else "UTC")
            if appt.starts_at.astimezone(zone).date() > now.astimezone(zone).date():
                raise InvalidInput("status", f"cannot mark a future visit {status.label}")
        before = appointment_snapshot(appt)
        appt.status = status.value
        _touch(appt, now)
        session.flush()
        if current == Status.NO_SHOW:
            recheck_later_visits(session, ctx, appt)
        q.add_audit(session, origin=ctx.origin.stamp,
                    at=now, staff_id=staff_row.id, action="appointment.status",
                    entity="appointment", entity_id=appt.id, before=before,
                    after=appointment_snapshot(appt))
        if outreach is not None:
            write_outreach(session, ctx, appt=appt, staff=staff_row, note=outreach, now=now)
        _sync(session, ctx, appt, now)
        return _view(session, _id(appt))  # read back in the same transaction

    return _write(ctx, work)


def _status_now(ctx: Context, appointment_id: int) -> Status | None:
    with read_session(ctx.engine) as session:
        appt = session.get(Appointment, appointment_id)
        return Status(appt.status) if appt is not None else None
