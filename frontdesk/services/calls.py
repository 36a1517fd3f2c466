"""Phone calls at the front desk: a draft saved on every change, offered for resume after a
crash, and logged with its outcome when it ends.

A call is one ``call`` row. While it is open it is the draft: who is calling, why, and the
answers given so far (``answers``, a small JSON document the intake screen owns). Every save is
one transaction with its audit event, which names the fields that changed — never their values,
so the audit log holds no call content. A save carries the version the screen last saw; a call
changed elsewhere meanwhile (the same person in another terminal) is refused, not overwritten.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from frontdesk.db import queries as q
from frontdesk.db.engine import DatabaseBusyError, read_session, run_write
from frontdesk.db.models import Appointment, AuditEvent, Call, CallbackTask, Patient, Staff
from frontdesk.domain.calls import (
    VISIT_OUTCOMES,
    CallbackKind,
    CallOutcome,
    CallReason,
    callback_due_problem,
)
from frontdesk.domain.model import Status
from frontdesk.domain.permissions import Permission
from frontdesk.services.access import acting
from frontdesk.services.context import Context
from frontdesk.services.errors import Busy, FrontDeskError, InvalidInput
from frontdesk.services.patients.lookup import live_patient

MAX_ANSWERS_BYTES = 20_000  # the intake screen's answers: a few dozen short fields
MAX_NOTE = 2000
MAX_CALLBACK_NOTE = 500  # what a callback is about: the task's note
NO_ANSWER_RETRY = timedelta(hours=2)  # a callback nobody answered: due again (as ``n`` does)
MOVE_ACTION = "appointment.reschedule"  # the audit action of a visit moved (scheduling)


@dataclass(frozen=True, slots=True)
class CallView:
    id: int
    staff: str  # username of the person taking the call
    patient_id: int | None
    patient_short: str  # "Last, F." or "" while the caller is not identified
    started_at: datetime
    updated_at: datetime
    ended_at: datetime | None
    open: bool
    reason: CallReason | None
    answers: dict[str, Any]
    outcome: CallOutcome | None
    note: str
    appointment_id: int | None
    version: int


class StaleCall(FrontDeskError):
    """The call was saved elsewhere since it was read; ``current`` is how it is now."""

    def __init__(self, current: CallView) -> None:
        super().__init__("this call was changed elsewhere meanwhile; look again before saving")
        self.current = current


class _Unset:
    pass


UNSET: Any = _Unset()  # "leave as it is" (None means "clear")


def start_call(ctx: Context, *, staff: str) -> CallView:
    """Open a new call (its draft) for ``staff``."""

    def work(session: Session) -> CallView:
        person = acting(session, staff, Permission.CALLS)
        now = ctx.now()
        call = Call(staff_id=person.id or 0, started_at=now, updated_at=now, answers={})
        session.add(call)
        session.flush()
        q.add_audit(session, origin=ctx.origin.stamp,
                    at=now, staff_id=person.id, action="call.start", entity="call",
                    entity_id=call.id)
        return _view(session, call)

    return _write(ctx, work)


def save_draft(
    ctx: Context,
    *,
    staff: str,
    call_id: int,
    expected_version: int,
    patient_id: int | None = UNSET,
    reason: CallReason | None = UNSET,
    answers: dict[str, Any] | None = None,
    note: str | None = None,
) -> CallView:
    """Save what changed on an open call. Returns the call as stored (with its new version)."""
    if answers is not None:
        _check_answers(answers)
    if note is not None:
        _check_note(note)

    def work(session: Session) -> CallView:
        person = acting(session, staff, Permission.CALLS)
        call = _open_call(session, call_id, expected_version)
        changed: list[str] = []
        if patient_id is not UNSET and patient_id != call.patient_id:
            if patient_id is not None:
                live_patient(session, patient_id, lock=True)  # waits for a merge in progress
            call.patient_id = patient_id
            changed.append("patient")
        if reason is not UNSET and (reason.value if reason else None) != call.reason:
            call.reason = CallReason(reason).value if reason is not None else None
            changed.append("reason")
        if answers is not None and answers != call.answers:
            call.answers = dict(answers)
            changed.append("answers")
        if note is not None and note != call.note:
            call.note = note
            changed.append("note")
        if not changed:
            return _view(session, call)
        now = ctx.now()
        call.updated_at, call.version = now, call.version + 1
        session.add(call)
        session.flush()
        q.add_audit(session, origin=ctx.origin.stamp,
                    at=now, staff_id=person.id, action="call.update", entity="call",
                    entity_id=call.id,
                    after={"changed": changed, "patient_id": call.patient_id,
                           "reason": call.reason, "version": call.version})
        return _view(session, call)

    return _write(ctx, work)


def finish_call(
    ctx: Context,
    *,
    staff: str,
    call_id: int,
    expected_version: int,
    outcome: CallOutcome,
    note: str = "",
    appointment_id: int | None = None,
    callback_due: datetime | None = None,
    callback_note: str = "",
    reached: bool = True,
) -> CallView:
    """Close the call and log how it ended, in one transaction with what the outcome says.

    Booked, moved and cancelled name the caller's visit the call changed: a moved one was moved
    during this call, a cancelled one is cancelled, a booked or moved one is not. "Callback
    scheduled" needs the caller identified, ``callback_due`` (aware) and ``callback_note``
    (what it is about): the callback task is created with the call's close.
    A call that worked a "call back" task (``answers["callback_id"]``) closes that task once
    the patient was reached; ``reached=False`` (nobody answered) logs the call as "Callback
    scheduled" and keeps that task open, due again at ``callback_due`` or in
    ``NO_ANSWER_RETRY``."""
    _check_note(note)
    try:
        outcome = CallOutcome(outcome)
    except ValueError:
        raise InvalidInput("outcome", f"unknown outcome; one of: "
                                      f"{', '.join(o.value for o in CallOutcome)}") from None
    if outcome in VISIT_OUTCOMES and appointment_id is None:
        raise InvalidInput("appointment", f"a call logged as {outcome.label.lower()!r} names "
                                          "the appointment it changed")
    if not reached and outcome is not CallOutcome.CALLBACK:
        raise InvalidInput("outcome", "a call nobody answered is logged as "
                                      f"{CallOutcome.CALLBACK.label.lower()!r}")
    if not reached and callback_due is not None:
        _check_due(ctx, callback_due)
    elif outcome is CallOutcome.CALLBACK and reached:
        _check_callback(ctx, callback_due, callback_note)

    def work(session: Session) -> CallView:
        person = acting(session, staff, Permission.CALLS)
        call = _open_call(session, call_id, expected_version)
        if outcome is CallOutcome.CALLBACK:
            # the patient's lock before the call's row is written: the one lock order
            # (``live_patient``), so a merge in progress cannot deadlock with this close
            _callback_patient(session, call)
        if appointment_id is not None and outcome in VISIT_OUTCOMES:
            _check_visit(session, call, outcome, appointment_id)
        now = ctx.now()
        call.status, call.ended_at, call.updated_at = "closed", now, now
        call.outcome, call.note, call.appointment_id = outcome.value, note, appointment_id
        call.version += 1
        session.add(call)
        session.flush()
        after: dict[str, Any] = {"outcome": outcome.value, "patient_id": call.patient_id,
                                 "appointment_id": appointment_id, "version": call.version}
        if not reached:
            after["callback_id"] = _retry_worked_callback(session, ctx, call, person.id, now,
                                                          callback_due)
            after["reached"] = False
        elif outcome is CallOutcome.CALLBACK:
            assert callback_due is not None
            after["callback_id"] = _schedule_callback(session, ctx, call, person.id, now,
                                                      callback_due, callback_note)
        q.add_audit(session, origin=ctx.origin.stamp,
                    at=now, staff_id=person.id, action="call.finish", entity="call",
                    entity_id=call.id, after=after)
        if reached:
            _close_worked_callback(session, ctx, call, person.id, now)
        return _view(session, call)

    return _write(ctx, work)


def _check_visit(session: Session, call: Call, outcome: CallOutcome,
                 appointment_id: int) -> None:
    """The visit a booked, moved or cancelled call names is the caller's, and the call did to
    it what the outcome says."""
    if call.patient_id is None:
        raise InvalidInput("patient", f"a call logged as {outcome.label.lower()!r} needs the "
                                      "caller identified: find them first")
    appt = session.get(Appointment, appointment_id)
    if appt is None:
        raise InvalidInput("appointment", f"no appointment with id {appointment_id}")
    if appt.patient_id != call.patient_id:
        raise InvalidInput("appointment", "that visit belongs to another patient than the "
                                          "caller")
    cancelled = appt.status == Status.CANCELLED.value
    if outcome is CallOutcome.CANCELLED and not cancelled:
        raise InvalidInput("appointment", "that visit is not cancelled")
    if outcome is not CallOutcome.CANCELLED and cancelled:
        raise InvalidInput("appointment", f"that visit is cancelled: the call cannot be "
                                          f"logged as {outcome.label.lower()!r}")
    if outcome is CallOutcome.MOVED:
        moved = session.exec(
            select(AuditEvent.id).where(
                col(AuditEvent.entity) == "appointment",
                col(AuditEvent.entity_id) == appointment_id,
                col(AuditEvent.action) == MOVE_ACTION,
                col(AuditEvent.at) >= call.started_at).limit(1)).first()
        if moved is None:
            raise InvalidInput("appointment", "that visit was not moved during this call")


def _callback_patient(session: Session, call: Call) -> None:
    """A callback is for the caller on file: their record locked (waits for a merge)."""
    if call.patient_id is None:
        raise InvalidInput("patient", "a callback needs the caller on file: identify them "
                                      "(or add them as a new patient) first")
    live_patient(session, call.patient_id, lock=True)


def _check_callback(ctx: Context, due: datetime | None, about: str) -> None:
    if due is None:
        raise InvalidInput("callback", "say when to call back")
    _check_due(ctx, due)
    if not about.strip():
        raise InvalidInput("callback", "say what the callback is about")
    if len(about.strip()) > MAX_CALLBACK_NOTE:
        raise InvalidInput("callback", f"keep what it is about under {MAX_CALLBACK_NOTE} "
                                       "characters")


def _check_due(ctx: Context, due: datetime) -> None:
    if due.tzinfo is None:
        raise InvalidInput("callback", "the time to call back needs its time zone")
    problem = callback_due_problem(due, ctx.now())
    if problem:
        raise InvalidInput("callback", problem)


def _schedule_callback(session: Session, ctx: Context, call: Call, staff_id: int | None,
                       now: datetime, due: datetime, about: str) -> int:
    """The callback a call ended with: for the caller on file (locked already), due when they
    were told."""
    assert call.patient_id is not None
    task = CallbackTask(patient_id=call.patient_id, kind=CallbackKind.CALL_BACK.value,
                        due_at=due.astimezone(UTC), created_at=now, call_id=call.id,
                        note=about.strip())
    session.add(task)
    session.flush()
    q.add_audit(session, origin=ctx.origin.stamp,
                at=now, staff_id=staff_id, action="callback.create",
                entity="callback_task", entity_id=task.id,
                after={"kind": task.kind, "call_id": call.id,
                       "due_at": task.due_at.isoformat()})  # never the note
    return task.id or 0


def _worked_callback(session: Session, call: Call, *, any_kind: bool = False
                     ) -> CallbackTask | None:
    """The open callback task for the caller this call was the callback for, if any: a "call
    back" one (``any_kind``: a relief report's too)."""
    worked = (call.answers or {}).get("callback_id")
    if not isinstance(worked, int):
        return None
    task = session.get(CallbackTask, worked)
    if (task is None or task.status != "open" or task.patient_id != call.patient_id
            or not (any_kind or task.kind == CallbackKind.CALL_BACK.value)):
        return None
    return task


def _retry_worked_callback(session: Session, ctx: Context, call: Call, staff_id: int | None,
                           now: datetime, due: datetime | None) -> int:
    """Nobody answered the callback this call made: it stays open, due again later, noted."""
    task = _worked_callback(session, call, any_kind=True)
    if task is None:
        raise InvalidInput("outcome", "only a call that called a patient back can be logged "
                                      "as not answered")
    task.due_at = (due or now + NO_ANSWER_RETRY).astimezone(UTC)
    said = " · no answer" if task.kind == CallbackKind.CALL_BACK.value else "no answer"
    if not task.note.endswith(said):  # a call back's note says what it is about: kept
        task.note = (task.note + said if said.startswith(" ") else said)[:MAX_CALLBACK_NOTE]
    session.add(task)
    q.add_audit(session, origin=ctx.origin.stamp,
                at=now, staff_id=staff_id, action="callback.open",
                entity="callback_task", entity_id=task.id,
                after={"call_id": call.id, "due_at": task.due_at.isoformat()})
    return task.id or 0


def _close_worked_callback(session: Session, ctx: Context, call: Call, staff_id: int | None,
                           now: datetime) -> None:
    """The "call back" task this call was the callback for is done once the call is logged
    (a relief report's callback closes with the report instead)."""
    task = _worked_callback(session, call)
    if task is None:
        return
    task.status, task.done_at, task.done_by_id = "done", now, staff_id
    session.add(task)
    q.add_audit(session, origin=ctx.origin.stamp,
                at=now, staff_id=staff_id, action="callback.done",
                entity="callback_task", entity_id=task.id, after={"call_id": call.id})


def open_calls(ctx: Context, *, staff: str) -> list[CallView]:
    """``staff``'s unfinished calls, newest first: what to offer for resume at start-up."""
    with read_session(ctx.engine) as session:
        person = acting(session, staff, Permission.CALLS)
        rows = session.exec(
            select(Call).where(col(Call.status) == "open", col(Call.staff_id) == person.id)
            .order_by(col(Call.updated_at).desc(), col(Call.id).desc())).all()
        return [_view(session, c) for c in rows]


def get_call(ctx: Context, call_id: int) -> CallView:
    with read_session(ctx.engine) as session:
        call = session.get(Call, call_id)
        if call is None:
            raise InvalidInput("call", f"no call with id {call_id}")
        return _view(session, call)


# ---------------------------------------------------------------------------- helpers


def _write(ctx: Context, work: Any) -> CallView:
    try:
        result: CallView = run_write(ctx.engine, work)
    except DatabaseBusyError as exc:
        raise Busy(str(exc)) from exc
    return result


def _open_call(session: Session, call_id: int, expected_version: int) -> Call:
    call = session.get(Call, call_id)
    if call is None:
        raise InvalidInput("call", f"no call with id {call_id}")
    if call.version != expected_version or call.status != "open":
        raise StaleCall(_view(session, call))
    return call


def _check_answers(answers: dict[str, Any]) -> None:
    try:
        size = len(json.dumps(answers, ensure_ascii=False).encode())
    except (TypeError, ValueError):
        raise InvalidInput("answers", "must be plain text, numbers, lists and maps") from None
    if size > MAX_ANSWERS_BYTES:
        raise InvalidInput("answers", f"at most {MAX_ANSWERS_BYTES:,} bytes")


def _check_note(note: str) -> None:
    if len(note) > MAX_NOTE:
        raise InvalidInput("note", f"at most {MAX_NOTE} characters")


def _view(session: Session, call: Call) -> CallView:
    who = session.get(Staff, call.staff_id)
    patient = session.get(Patient, call.patient_id) if call.patient_id is not None else None
    return CallView(
        id=call.id or 0,
        staff=who.username if who else "",
        patient_id=call.patient_id,
        patient_short=f"{patient.last_name}, {patient.first_name[:1]}." if patient else "",
        started_at=call.started_at,
        updated_at=call.updated_at,
        ended_at=call.ended_at,
        open=call.status == "open",
        reason=CallReason(call.reason) if call.reason else None,
        answers=dict(call.answers or {}),
        outcome=CallOutcome(call.outcome) if call.outcome else None,
        note=call.note,
        appointment_id=call.appointment_id,
        version=call.version,
    )
