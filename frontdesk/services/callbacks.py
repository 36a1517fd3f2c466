"""Relief reports and the callbacks that collect them.

Booking a diagnostic facet injection creates a callback task to ask the patient how much relief
it gave (:func:`sync_callback`, called inside every write that changes an appointment, so the
task follows the visit: moved with it, cancelled with it, reopened if it is booked again).
A relief report taken on the phone is stored as data — it feeds the payer rules — and closes the
callback it answers, in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_
from sqlmodel import Session, col, select

from frontdesk.db import queries as q
from frontdesk.db.engine import DatabaseBusyError, read_session, run_write
from frontdesk.db.models import (
    Appointment,
    Call,
    CallbackTask,
    Location,
    Patient,
    ReliefReport,
    VisitType,
)
from frontdesk.domain.calls import CallbackKind, callback_label
from frontdesk.domain.model import Status
from frontdesk.domain.pathway import AnswerError, Answers, Procedure, level_set
from frontdesk.domain.permissions import Permission
from frontdesk.services.access import acting
from frontdesk.services.context import Context
from frontdesk.services.directory import display_phone
from frontdesk.services.errors import Busy, InvalidInput
from frontdesk.services.patients.lookup import live_patient

RELIEF_REPORT = CallbackKind.RELIEF_REPORT.value
CALL_BACK = CallbackKind.CALL_BACK.value  # a call ended "Callback scheduled"; the note says why
_LIVE = (Status.BOOKED.value, Status.CONFIRMED.value, Status.CHECKED_IN.value,
         Status.COMPLETED.value)


@dataclass(frozen=True, slots=True)
class CallbackView:
    id: int
    patient_id: int
    patient_short: str  # "Last, F."
    phone: str
    kind: str
    due_at: datetime
    overdue: bool
    appointment_id: int | None
    procedure: str | None  # visit type code of the visit it follows up
    procedure_name: str | None
    procedure_at: datetime | None
    timezone: str
    region: str | None
    levels: str | None
    side: str | None
    note: str = ""  # what a "call back" is about, as the receptionist typed it

    @property
    def label(self) -> str:
        return callback_label(self.kind)

    @property
    def phone_display(self) -> str:
        return display_phone(self.phone)


@dataclass(frozen=True, slots=True)
class ReliefView:
    id: int
    patient_id: int
    procedure: str
    percent_relief: int
    hours_lasted: float
    callbacks_closed: int


# --------------------------------------------------------------------------- inside other writes


def sync_callback(session: Session, ctx: Context, appt: Appointment, *, code: str,
                  now: datetime, new: bool = False) -> None:
    """Keep the relief-report callback in step with a diagnostic block: open while the visit
    is booked (due a set time after it), cancelled when the visit is not happening.
    ``new``: the appointment was inserted in this transaction, so it has no callback yet."""
    if code != Procedure.FACET_DIAGNOSTIC.value or appt.id is None:
        return
    tasks = [] if new else session.exec(
        select(CallbackTask).where(CallbackTask.appointment_id == appt.id)
        .where(CallbackTask.kind == RELIEF_REPORT)
    ).all()
    if any(t.status == "done" for t in tasks):
        return
    due = appt.starts_at + timedelta(hours=ctx.settings.callbacks.relief_report_hours)
    live = appt.status in _LIVE
    task = next((t for t in tasks if t.status == "open"), None) or (tasks[0] if tasks else None)
    if live and task is None:
        task = CallbackTask(patient_id=appt.patient_id, appointment_id=appt.id,
                            kind=RELIEF_REPORT, due_at=due, created_at=now)
        session.add(task)
        session.flush()
        q.add_audit(session, origin=ctx.origin.stamp,
                    at=now, staff_id=None, action="callback.create",
                    entity="callback_task", entity_id=task.id)
    elif live and task is not None:
        if task.status != "open" or task.due_at != due:
            task.status, task.due_at = "open", due
            q.add_audit(session, origin=ctx.origin.stamp,
                        at=now, staff_id=None, action="callback.update",
                        entity="callback_task", entity_id=task.id)
    elif task is not None and task.status == "open":
        task.status, task.done_at = "cancelled", now
        q.add_audit(session, origin=ctx.origin.stamp,
                    at=now, staff_id=None, action="callback.cancel",
                    entity="callback_task", entity_id=task.id)


# --------------------------------------------------------------------------- reading


def callbacks_due(ctx: Context, *, within_hours: int = 12, limit: int = 50,
                  location_id: int | None = None) -> list[CallbackView]:
    """Open callbacks due by ``within_hours`` from now (overdue first), soonest first.
    ``location_id``: those that follow a visit there, and those that follow none (a call
    back), chosen by the database before the limit, so another place's cannot crowd them out."""
    now = ctx.now()
    query = (select(CallbackTask, Patient)
             .join(Patient, col(Patient.id) == CallbackTask.patient_id)
             .where(CallbackTask.status == "open")
             .where(CallbackTask.due_at <= now + timedelta(hours=within_hours)))
    if location_id is not None:
        query = query.outerjoin(Appointment, col(Appointment.id) == CallbackTask.appointment_id
                                ).where(or_(col(CallbackTask.appointment_id).is_(None),
                                            col(Appointment.location_id) == location_id))
    with read_session(ctx.engine) as session:
        rows = session.exec(
            query.order_by(col(CallbackTask.due_at), col(CallbackTask.id)).limit(limit)).all()
        return [_view(session, task, patient, now) for task, patient in rows]


def open_callbacks(session: Session, patient: Patient, now: datetime) -> list[CallbackView]:
    """The patient's open callbacks, whenever due, soonest first (inside another read)."""
    tasks = session.exec(
        select(CallbackTask).where(CallbackTask.patient_id == patient.id)
        .where(CallbackTask.status == "open")
        .order_by(col(CallbackTask.due_at), col(CallbackTask.id))
    ).all()
    return [_view(session, task, patient, now) for task in tasks]


def get_callback(ctx: Context, callback_id: int) -> CallbackView:
    with read_session(ctx.engine) as session:
        task = session.get(CallbackTask, callback_id)
        if task is None:
            raise InvalidInput("callback", f"no callback with id {callback_id}")
        patient = session.get(Patient, task.patient_id)
        assert patient is not None
        return _view(session, task, patient, ctx.now())


def _view(session: Session, task: CallbackTask, patient: Patient, now: datetime) -> CallbackView:
    appt = session.get(Appointment, task.appointment_id) if task.appointment_id else None
    vt = session.get(VisitType, appt.visit_type_id) if appt else None
    location = session.get(Location, appt.location_id) if appt else None
    return CallbackView(
        id=task.id or 0, patient_id=patient.id or 0,
        patient_short=f"{patient.last_name}, {patient.first_name[:1]}.", phone=patient.phone,
        kind=task.kind, due_at=task.due_at, overdue=task.due_at < now,
        appointment_id=task.appointment_id,
        procedure=vt.code if vt else None, procedure_name=vt.name if vt else None,
        procedure_at=appt.starts_at if appt else None,
        timezone=location.timezone if location else "America/Chicago",
        region=appt.region if appt else None, levels=appt.levels if appt else None,
        side=appt.side if appt else None, note=task.note,
    )


# --------------------------------------------------------------------------- writing


def record_relief(ctx: Context, *, staff: str, patient_id: int, answers: Answers,
                  call_id: int | None = None, callback_id: int | None = None) -> ReliefView:
    """Store what the caller reported after an injection, and close the callback it answers.

    One report per call: saving again in the same call corrects it rather than adding another.
    """
    if answers.procedure is None or answers.percent_relief is None:
        raise InvalidInput("report", "needs the injection and the percent relief")
    procedure = answers.procedure

    def work(session: Session) -> ReliefView:
        now = ctx.now()
        person = acting(session, staff, Permission.CALLS)
        live_patient(session, patient_id, lock=True)  # waits for a merge in progress
        if call_id is not None and session.get(Call, call_id) is None:
            raise InvalidInput("call", f"no call with id {call_id}")
        task = _task_for(session, patient_id, procedure, answers, callback_id)
        appointment_id = task.appointment_id if task else _last_session(
            session, patient_id, procedure, answers, now)
        report = None
        if call_id is not None:
            report = session.exec(
                select(ReliefReport).where(ReliefReport.call_id == call_id)).first()
        action = "relief.update" if report else "relief.record"
        if report is None:
            report = ReliefReport(patient_id=patient_id, procedure=procedure.value,
                                  percent_relief=0, hours_lasted=0.0, reported_at=now,
                                  taken_by_id=person.id or 0, call_id=call_id)
            session.add(report)
        report.appointment_id = appointment_id
        report.procedure = procedure.value
        report.region = answers.region.value if answers.region else None
        report.levels = answers.levels
        report.side = answers.side.value if answers.side else None
        report.percent_relief = answers.percent_relief or 0
        report.hours_lasted = answers.hours_lasted or 0.0
        report.scale_before, report.scale_after = answers.scale_before, answers.scale_after
        report.same_scale = answers.same_scale is not False
        report.wearing_off = bool(answers.wearing_off)
        report.reported_at, report.taken_by_id = now, person.id or 0
        session.flush()
        q.add_audit(session, origin=ctx.origin.stamp,
                    at=now, staff_id=person.id, action=action, entity="relief_report",
                    entity_id=report.id)
        closed = 0
        if task is not None and task.status == "open":
            task.status, task.done_at, task.done_by_id = "done", now, person.id
            task.call_id = call_id
            q.add_audit(session, origin=ctx.origin.stamp,
                        at=now, staff_id=person.id, action="callback.done",
                        entity="callback_task", entity_id=task.id)
            closed = 1
        return ReliefView(id=report.id or 0, patient_id=patient_id, procedure=procedure.value,
                          percent_relief=report.percent_relief,
                          hours_lasted=report.hours_lasted, callbacks_closed=closed)

    try:
        return run_write(ctx.engine, work)
    except DatabaseBusyError as exc:
        raise Busy(str(exc)) from exc


def _task_for(session: Session, patient_id: int, procedure: Procedure, answers: Answers,
              callback_id: int | None) -> CallbackTask | None:
    """The callback this report answers: the one being worked, else the patient's oldest open
    relief-report callback for a block in the same region."""
    if callback_id is not None:
        task = session.get(CallbackTask, callback_id)
        if task is None or task.patient_id != patient_id:
            raise InvalidInput("callback", "that callback is for another patient")
        return task
    if procedure != Procedure.FACET_DIAGNOSTIC:
        return None
    rows = session.exec(
        select(CallbackTask, Appointment)
        .join(Appointment, col(Appointment.id) == CallbackTask.appointment_id)
        .where(CallbackTask.patient_id == patient_id)
        .where(CallbackTask.status == "open").where(CallbackTask.kind == RELIEF_REPORT)
        .order_by(col(CallbackTask.due_at))
    ).all()
    for task, appt in rows:
        if _same_place(appt, answers):
            return task
    return None


def _last_session(session: Session, patient_id: int, procedure: Procedure, answers: Answers,
                  now: datetime) -> int | None:
    """The patient's latest procedure of this kind (region and levels) that has started."""
    query = (
        select(Appointment)
        .join(VisitType, col(VisitType.id) == Appointment.visit_type_id)
        .where(Appointment.patient_id == patient_id)
        .where(VisitType.code == procedure.value)
        .where(col(Appointment.status).in_(_LIVE))
        .where(Appointment.starts_at <= now)
        .order_by(col(Appointment.starts_at).desc())
    )
    for appt in session.exec(query).all():
        if _same_place(appt, answers):
            return appt.id
    return None


def _same_place(appt: Appointment, answers: Answers) -> bool:
    """Whether the report in ``answers`` may be about ``appt``: the same region, and the same
    levels when both are on record (a report on L2-L3 does not answer the L4-L5 block's
    callback, nor take its date)."""
    region = answers.region.value if answers.region else None
    if region is not None and appt.region not in (None, region):
        return False
    if not answers.levels or not appt.levels:
        return True
    try:
        return level_set(answers.levels) == level_set(appt.levels)
    except AnswerError:
        return True


def set_callback(ctx: Context, *, staff: str, callback_id: int, status: str,
                 note: str = "", retry_hours: int | None = None) -> CallbackView:
    """Close a callback (``done``/``cancelled``) or, with ``retry_hours``, leave it open and due
    again later (no answer)."""
    if status not in ("open", "done", "cancelled"):
        raise InvalidInput("status", "open, done or cancelled")
    if len(note) > 500:
        raise InvalidInput("note", "keep it under 500 characters")

    def work(session: Session) -> CallbackView:
        now = ctx.now()
        person = acting(session, staff, Permission.CALLS)
        task = session.get(CallbackTask, callback_id)
        if task is None:
            raise InvalidInput("callback", f"no callback with id {callback_id}")
        if task.status != "open":
            raise InvalidInput("callback", f"this callback is already {task.status}")
        task.status = status
        if note and task.kind == CALL_BACK:  # its note says what it is about: kept
            said = f" · {note.strip()}"
            if not task.note.endswith(said):
                task.note = (task.note + said)[:500]
        elif note:
            task.note = note.strip()
        if status == "open" and retry_hours:
            task.due_at = now + timedelta(hours=retry_hours)
        if status != "open":
            task.done_at, task.done_by_id = now, person.id
        q.add_audit(session, origin=ctx.origin.stamp,
                    at=now, staff_id=person.id, action=f"callback.{status}",
                    entity="callback_task", entity_id=task.id)
        patient = session.get(Patient, task.patient_id)
        assert patient is not None
        return _view(session, task, patient, now)

    try:
        return run_write(ctx.engine, work)
    except DatabaseBusyError as exc:
        raise Busy(str(exc)) from exc

