"""The frame every appointment write shares: one transaction, a busy database or a just-taken
slot turned into ``Busy`` or ``SlotTaken`` (with alternatives), and the small steps each write
repeats (load, version check, touch, callback sync)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlmodel import Session

from frontdesk.db.engine import DatabaseBusyError, OverlapError, run_write
from frontdesk.db.models import Appointment, Staff, VisitType
from frontdesk.services.callbacks import sync_callback
from frontdesk.services.context import Context
from frontdesk.services.errors import Busy, InvalidInput, SlotTaken, StaleAppointment
from frontdesk.services.scheduling.fitting import _Taken
from frontdesk.services.scheduling.reading import _view
from frontdesk.services.scheduling.slots import find_slots
from frontdesk.services.views import AppointmentView, SlotView

_Work = Callable[[Session], AppointmentView]


def _write(ctx: Context, work: _Work) -> AppointmentView:
    try:
        return run_write(ctx.engine, work)
    except DatabaseBusyError as exc:
        raise Busy(str(exc)) from exc


def _write_slot(ctx: Context, work: _Work, *, visit_type: str, start: datetime,
                location_id: int, provider_id: int) -> AppointmentView:
    try:
        return _write(ctx, work)
    except (_Taken, OverlapError) as exc:
        raise SlotTaken(_alternatives(ctx, visit_type, start, location_id, provider_id),
                        reason=getattr(exc, "reason", "")) from None


def _alternatives(ctx: Context, visit_type: str, start: datetime, location_id: int,
                  provider_id: int) -> list[SlotView]:
    return find_slots(ctx, visit_type=visit_type, start=start - timedelta(hours=2), days=30,
                      preferred_location_id=location_id, previous_provider_id=provider_id,
                      limit=5)


def _sync(session: Session, ctx: Context, appt: Appointment, now: datetime) -> None:
    vt = session.get(VisitType, appt.visit_type_id)
    if vt is not None:
        sync_callback(session, ctx, appt, code=vt.code, now=now)


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
