"""Calls: a draft saved on every change, offered for resume, logged when it ends — on SQLite
and PostgreSQL, each save one transaction with its audit event (no call content in it)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import Session, col, select

from frontdesk.db import queries as q
from frontdesk.db.models import AuditEvent, Call, CallbackTask, Staff
from frontdesk.domain.calls import CallOutcome, CallReason
from frontdesk.services import callbacks, calls, scheduling
from frontdesk.services.context import Context
from frontdesk.services.errors import InvalidInput
from tests.conftest import FrozenClock
from tests.practice import Practice

THU_TEN = datetime(2027, 3, 11, 16, 0, tzinfo=UTC)
FRI_TEN = datetime(2027, 3, 12, 16, 0, tzinfo=UTC)
SOON = timedelta(hours=2)


def audit(ctx: Context) -> list[tuple[str, dict[str, Any] | None]]:
    with Session(ctx.engine) as session:
        rows = session.exec(select(AuditEvent).where(col(AuditEvent.entity) == "call")
                            .order_by(col(AuditEvent.id))).all()
        return [(e.action, e.after) for e in rows]


def stored(ctx: Context, call_id: int) -> Call:
    with Session(ctx.engine) as session:
        row = session.get(Call, call_id)
        assert row is not None
        return row


def test_a_call_starts_open_and_saves_each_change_as_a_new_version(
    ctx: Context, practice: Practice, clock: FrozenClock
) -> None:
    call = calls.start_call(ctx, staff="desk")
    assert (call.open, call.version, call.patient_id, call.answers) == (True, 1, None, {})
    clock.advance(seconds=20)
    call = calls.save_draft(ctx, staff="desk", call_id=call.id, expected_version=1,
                            patient_id=practice.patient_id, reason=CallReason.INJECTION_REPORT)
    assert (call.version, call.patient_short, call.reason) == (
        2, "Testcase, C.", CallReason.INJECTION_REPORT)
    assert call.updated_at == call.started_at + timedelta(seconds=20)
    answers = {"procedure": "facet-diagnostic", "percent_relief": 80, "hours": 3.5}
    call = calls.save_draft(ctx, staff="desk", call_id=call.id, expected_version=2,
                            answers=answers)
    assert call.version == 3
    assert stored(ctx, call.id).answers == answers
    assert [a for a, _ in audit(ctx)] == ["call.start", "call.update", "call.update"]
    _, last = audit(ctx)[-1]
    assert last == {"changed": ["answers"], "patient_id": practice.patient_id,
                    "reason": "injection-report", "version": 3}  # names, never the values


def test_saving_nothing_new_writes_nothing(ctx: Context, practice: Practice) -> None:
    call = calls.start_call(ctx, staff="desk")
    again = calls.save_draft(ctx, staff="desk", call_id=call.id, expected_version=1,
                             patient_id=None, answers={})
    assert again.version == 1
    assert [a for a, _ in audit(ctx)] == ["call.start"]


def test_a_save_against_an_old_version_is_refused_with_the_fresh_call(
    ctx: Context, practice: Practice
) -> None:
    call = calls.start_call(ctx, staff="desk")
    calls.save_draft(ctx, staff="desk", call_id=call.id, expected_version=1,
                     answers={"pain": "muscle"})
    with pytest.raises(calls.StaleCall) as err:
        calls.save_draft(ctx, staff="desk", call_id=call.id, expected_version=1,
                         answers={"pain": "spine"})
    assert err.value.current.answers == {"pain": "muscle"}
    assert stored(ctx, call.id).version == 2


def test_unfinished_calls_are_offered_for_resume_newest_first(
    ctx: Context, practice: Practice, clock: FrozenClock
) -> None:
    first = calls.start_call(ctx, staff="desk")
    clock.advance(minutes=1)
    second = calls.start_call(ctx, staff="desk")
    clock.advance(minutes=1)
    calls.save_draft(ctx, staff="desk", call_id=first.id, expected_version=1,
                     note="caller asked to hold")
    assert [c.id for c in calls.open_calls(ctx, staff="desk")] == [first.id, second.id]
    calls.finish_call(ctx, staff="desk", call_id=second.id, expected_version=1,
                      outcome=CallOutcome.INFORMATION)
    assert [c.id for c in calls.open_calls(ctx, staff="desk")] == [first.id]


def test_finishing_logs_the_outcome_and_closes_the_draft(ctx: Context, practice: Practice) -> None:
    call = calls.start_call(ctx, staff="desk")
    call = calls.save_draft(ctx, staff="desk", call_id=call.id, expected_version=1,
                            patient_id=practice.patient_id, reason=CallReason.NEW_PROBLEM)
    appt = scheduling.book(ctx, staff="desk", patient_id=practice.patient_id,
                           visit_type="new-patient", provider_id=practice.able,
                           location_id=practice.location_id, start=THU_TEN)
    done = calls.finish_call(ctx, staff="desk", call_id=call.id, expected_version=2,
                             outcome=CallOutcome.BOOKED, note="read back", appointment_id=appt.id)
    assert (done.open, done.outcome, done.appointment_id, done.note) == (
        False, CallOutcome.BOOKED, appt.id, "read back")
    assert done.ended_at is not None
    assert audit(ctx)[-1] == ("call.finish", {"outcome": "booked",
                                              "patient_id": practice.patient_id,
                                              "appointment_id": appt.id, "version": 3})
    with pytest.raises(calls.StaleCall):  # a closed call takes no more saves
        calls.save_draft(ctx, staff="desk", call_id=call.id, expected_version=3, note="x")


@pytest.mark.parametrize(("changes", "field"), [
    pytest.param({"patient_id": 999}, "patient", id="unknown-patient"),
    pytest.param({"answers": {"x": "y" * 30_000}}, "answers", id="answers-too-big"),
    pytest.param({"answers": {"when": THU_TEN}}, "answers", id="answers-not-json"),
    pytest.param({"note": "n" * 2001}, "note", id="note-too-long"),
])
def test_bad_drafts_are_refused_and_nothing_is_written(
    ctx: Context, practice: Practice, changes: dict[str, Any], field: str
) -> None:
    call = calls.start_call(ctx, staff="desk")
    with pytest.raises(InvalidInput) as err:
        calls.save_draft(ctx, staff="desk", call_id=call.id, expected_version=1, **changes)
    assert err.value.field == field
    assert stored(ctx, call.id).version == 1
    assert len(audit(ctx)) == 1


def test_finish_needs_a_known_outcome_and_a_booked_call_its_appointment(
    ctx: Context, practice: Practice
) -> None:
    call = calls.start_call(ctx, staff="desk")
    with pytest.raises(InvalidInput, match="outcome"):
        calls.finish_call(ctx, staff="desk", call_id=call.id, expected_version=1,
                          outcome="hung-up")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="appointment"):
        calls.finish_call(ctx, staff="desk", call_id=call.id, expected_version=1,
                          outcome=CallOutcome.BOOKED)
    with pytest.raises(InvalidInput, match="as"):
        calls.start_call(ctx, staff="ghost")
    assert calls.get_call(ctx, call.id).open


def test_a_failed_audit_leaves_no_half_written_call(
    ctx: Context, practice: Practice, monkeypatch: pytest.MonkeyPatch
) -> None:
    call = calls.start_call(ctx, staff="desk")

    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("audit write failed")

    monkeypatch.setattr(q, "add_audit", broken)
    with pytest.raises(RuntimeError):
        calls.save_draft(ctx, staff="desk", call_id=call.id, expected_version=1,
                         answers={"pain": "muscle"})
    assert stored(ctx, call.id).answers == {}
    assert stored(ctx, call.id).version == 1


# --------------------------------------------------------------------------- what an outcome does


def _identified(ctx: Context, practice: Practice, **answers: Any) -> calls.CallView:
    call = calls.start_call(ctx, staff="desk")
    return calls.save_draft(ctx, staff="desk", call_id=call.id, expected_version=1,
                            patient_id=practice.patient_id, reason=CallReason.CHANGE_VISIT,
                            answers=answers or None)


def _tasks(ctx: Context) -> list[CallbackTask]:
    with Session(ctx.engine) as session:
        return list(session.exec(select(CallbackTask).order_by(col(CallbackTask.id))).all())


def test_a_callback_outcome_creates_the_task_with_the_calls_close_and_its_audit(
    ctx: Context, practice: Practice, clock: FrozenClock
) -> None:
    call = _identified(ctx, practice)
    due = clock.now + timedelta(hours=2)
    done = calls.finish_call(ctx, staff="desk", call_id=call.id, expected_version=2,
                             outcome=CallOutcome.CALLBACK, callback_due=due,
                             callback_note="  wants a Friday morning  ")
    assert (done.open, done.outcome) == (False, CallOutcome.CALLBACK)
    [task] = _tasks(ctx)
    assert (task.kind, task.patient_id, task.appointment_id, task.call_id, task.status,
            task.note) == ("call-back", practice.patient_id, None, call.id, "open",
                           "wants a Friday morning")
    assert task.due_at.replace(tzinfo=UTC) == due
    with Session(ctx.engine) as session:
        events = session.exec(select(AuditEvent).order_by(col(AuditEvent.id))).all()
        desk = session.exec(select(Staff.id).where(Staff.username == "desk")).one()
    created = next(e for e in events if e.action == "callback.create")
    finished = next(e for e in events if e.action == "call.finish")
    assert (created.entity_id, created.staff_id) == (task.id, desk)
    assert "wants" not in str(created.after)  # the note is call content: not in the audit
    assert (finished.after or {}).get("callback_id") == task.id
    # it is on the callbacks list, labelled, with what it is about
    [listed] = callbacks.callbacks_due(ctx)
    assert (listed.id, listed.label, listed.note) == (task.id, "Call back",
                                                       "wants a Friday morning")


def test_a_failed_audit_leaves_neither_the_callback_nor_a_closed_call(
    ctx: Context, practice: Practice, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    call = _identified(ctx, practice)
    real = q.add_audit

    def broken(*args: Any, **kwargs: Any) -> None:
        if kwargs.get("action") == "call.finish":
            raise RuntimeError("audit write failed")
        real(*args, **kwargs)

    monkeypatch.setattr(q, "add_audit", broken)
    with pytest.raises(RuntimeError):
        calls.finish_call(ctx, staff="desk", call_id=call.id, expected_version=2,
                          outcome=CallOutcome.CALLBACK, callback_due=clock.now + SOON,
                          callback_note="wants a Friday")
    assert _tasks(ctx) == []
    assert stored(ctx, call.id).status == "open"


@pytest.mark.parametrize(("due", "about", "field", "words"), [
    pytest.param(None, "wants a Friday", "callback", "say when", id="no-time"),
    pytest.param(-SOON, "wants a Friday", "callback", "has passed", id="in-the-past"),
    pytest.param(timedelta(days=400), "wants a Friday", "callback", "days ahead",
                 id="too-far"),
    pytest.param(SOON, "  ", "callback", "what the callback is about", id="no-note"),
    pytest.param(SOON, "x" * 501, "callback", "under 500", id="note-too-long"),
])
def test_a_callback_needs_a_time_ahead_and_what_it_is_about(
    ctx: Context, practice: Practice, clock: FrozenClock, due: timedelta | None, about: str,
    field: str, words: str
) -> None:
    call = _identified(ctx, practice)
    with pytest.raises(InvalidInput, match=words) as err:
        calls.finish_call(ctx, staff="desk", call_id=call.id, expected_version=2,
                          outcome=CallOutcome.CALLBACK, callback_note=about,
                          callback_due=None if due is None else clock.now + due)
    assert err.value.field == field
    assert _tasks(ctx) == []
    assert stored(ctx, call.id).status == "open"


def test_a_callback_needs_the_caller_on_file(
    ctx: Context, practice: Practice, clock: FrozenClock
) -> None:
    call = calls.start_call(ctx, staff="desk")  # nobody identified
    with pytest.raises(InvalidInput, match="caller on file") as err:
        calls.finish_call(ctx, staff="desk", call_id=call.id, expected_version=1,
                          outcome=CallOutcome.CALLBACK, callback_due=clock.now + SOON,
                          callback_note="call 918-555-0199 back")
    assert err.value.field == "patient"
    assert _tasks(ctx) == []
    assert stored(ctx, call.id).status == "open"


def test_moved_and_cancelled_name_the_visit_and_a_cancelled_one_is_cancelled(
    ctx: Context, practice: Practice, clock: FrozenClock
) -> None:
    appt = scheduling.book(ctx, staff="desk", patient_id=practice.patient_id,
                           visit_type="follow-up", provider_id=practice.able,
                           location_id=practice.location_id, start=THU_TEN)
    moved = _identified(ctx, practice)
    clock.advance(minutes=1)
    scheduling.reschedule(ctx, staff="desk", appointment_id=appt.id, start=FRI_TEN)
    done = calls.finish_call(ctx, staff="desk", call_id=moved.id, expected_version=2,
                             outcome=CallOutcome.MOVED, appointment_id=appt.id)
    assert audit(ctx)[-1] == ("call.finish", {"outcome": "moved",
                                              "patient_id": practice.patient_id,
                                              "appointment_id": appt.id, "version": 3})
    call = _identified(ctx, practice)
    for outcome in (CallOutcome.MOVED, CallOutcome.CANCELLED):
        with pytest.raises(InvalidInput, match="names the appointment"):
            calls.finish_call(ctx, staff="desk", call_id=call.id, expected_version=2,
                              outcome=outcome)
    with pytest.raises(InvalidInput, match="not cancelled"):
        calls.finish_call(ctx, staff="desk", call_id=call.id, expected_version=2,
                          outcome=CallOutcome.CANCELLED, appointment_id=appt.id)
    scheduling.cancel(ctx, staff="desk", appointment_id=appt.id, reason="feeling better")
    done = calls.finish_call(ctx, staff="desk", call_id=call.id, expected_version=2,
                             outcome=CallOutcome.CANCELLED, appointment_id=appt.id)
    assert (done.outcome, done.appointment_id) == (CallOutcome.CANCELLED, appt.id)


def _refused(ctx: Context, call: calls.CallView, outcome: CallOutcome, appointment_id: int,
             said: str) -> None:
    with pytest.raises(InvalidInput, match=said):
        calls.finish_call(ctx, staff="desk", call_id=call.id, expected_version=call.version,
                          outcome=outcome, appointment_id=appointment_id)
    assert stored(ctx, call.id).status == "open"


def test_a_visit_outcome_is_checked_against_the_caller_and_what_the_call_did(
    ctx: Context, practice: Practice, clock: FrozenClock
) -> None:
    theirs = scheduling.book(ctx, staff="desk", patient_id=practice.other_patient_id,
                             visit_type="follow-up", provider_id=practice.able,
                             location_id=practice.location_id, start=THU_TEN)
    mine = scheduling.book(ctx, staff="desk", patient_id=practice.patient_id,
                           visit_type="follow-up", provider_id=practice.able,
                           location_id=practice.location_id, start=FRI_TEN)
    nobody = calls.start_call(ctx, staff="desk")  # the caller never identified
    clock.advance(minutes=1)
    scheduling.reschedule(ctx, staff="desk", appointment_id=theirs.id,
                          start=THU_TEN + timedelta(hours=1))
    for outcome in (CallOutcome.MOVED, CallOutcome.BOOKED):
        _refused(ctx, nobody, outcome, theirs.id, "needs the caller identified")
    call = _identified(ctx, practice)
    _refused(ctx, call, CallOutcome.MOVED, theirs.id, "another patient")
    _refused(ctx, call, CallOutcome.MOVED, mine.id, "not moved during this call")
    early = _identified(ctx, practice)
    scheduling.reschedule(ctx, staff="desk", appointment_id=mine.id,
                          start=FRI_TEN + timedelta(hours=1))
    clock.advance(minutes=1)
    late = _identified(ctx, practice)  # started after the move: not its doing
    _refused(ctx, late, CallOutcome.MOVED, mine.id, "not moved during this call")
    done = calls.finish_call(ctx, staff="desk", call_id=early.id, expected_version=2,
                             outcome=CallOutcome.MOVED, appointment_id=mine.id)
    assert done.outcome is CallOutcome.MOVED
    scheduling.cancel(ctx, staff="desk", appointment_id=mine.id, reason="feeling better")
    for outcome in (CallOutcome.MOVED, CallOutcome.BOOKED):
        _refused(ctx, call, outcome, mine.id, "that visit is cancelled")


def test_logging_the_call_that_worked_a_call_back_closes_it(
    ctx: Context, practice: Practice, clock: FrozenClock
) -> None:
    first = _identified(ctx, practice)
    calls.finish_call(ctx, staff="desk", call_id=first.id, expected_version=2,
                      outcome=CallOutcome.CALLBACK, callback_due=clock.now + SOON,
                      callback_note="wants a Friday")
    [task] = _tasks(ctx)
    clock.advance(hours=2)
    back = _identified(ctx, practice, callback_id=task.id)
    calls.finish_call(ctx, staff="desk", call_id=back.id, expected_version=2,
                      outcome=CallOutcome.INFORMATION)
    [task] = _tasks(ctx)
    assert (task.status, task.done_at is not None) == ("done", True)
    assert callbacks.callbacks_due(ctx) == []


def test_a_call_back_nobody_answered_stays_open_due_again_with_the_calls_close(
    ctx: Context, practice: Practice, clock: FrozenClock
) -> None:
    first = _identified(ctx, practice)
    calls.finish_call(ctx, staff="desk", call_id=first.id, expected_version=2,
                      outcome=CallOutcome.CALLBACK, callback_due=clock.now + SOON,
                      callback_note="wants a Friday")
    [task] = _tasks(ctx)
    clock.advance(hours=2)
    back = _identified(ctx, practice, callback_id=task.id)
    with pytest.raises(InvalidInput, match="nobody answered is logged as 'callback"):
        calls.finish_call(ctx, staff="desk", call_id=back.id, expected_version=2,
                          outcome=CallOutcome.INFORMATION, reached=False)
    done = calls.finish_call(ctx, staff="desk", call_id=back.id, expected_version=2,
                             outcome=CallOutcome.CALLBACK, reached=False)
    assert done.outcome is CallOutcome.CALLBACK
    [task] = _tasks(ctx)  # no second task: the same one, due again
    assert (task.status, task.note) == ("open", "wants a Friday · no answer")
    assert task.due_at.replace(tzinfo=UTC) == clock.now + calls.NO_ANSWER_RETRY
    assert audit(ctx)[-1] == ("call.finish", {"outcome": "callback",
                                              "patient_id": practice.patient_id,
                                              "appointment_id": None, "version": 3,
                                              "callback_id": task.id, "reached": False})
    plain = _identified(ctx, practice)  # called nobody back: nothing to keep open
    with pytest.raises(InvalidInput, match="only a call that called a patient back"):
        calls.finish_call(ctx, staff="desk", call_id=plain.id, expected_version=2,
                          outcome=CallOutcome.CALLBACK, reached=False)
    assert stored(ctx, plain.id).status == "open"


def test_a_callback_close_takes_the_patients_lock_before_writing_the_call(
    ctx: Context, practice: Practice, clock: FrozenClock
) -> None:
    """The one lock order (``live_patient``): the patient, then rows naming them."""
    call = _identified(ctx, practice)
    said: list[str] = []

    def heard(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        said.append(" ".join(statement.split()).lower())

    event.listen(ctx.engine, "before_cursor_execute", heard)
    try:
        calls.finish_call(ctx, staff="desk", call_id=call.id, expected_version=2,
                          outcome=CallOutcome.CALLBACK, callback_due=clock.now + SOON,
                          callback_note="wants a Friday")
    finally:
        event.remove(ctx.engine, "before_cursor_execute", heard)
    locked = next(i for i, s in enumerate(said)
                  if "pg_advisory_xact_lock" in s or s.startswith("select patient."))
    written = next(i for i, s in enumerate(said) if s.startswith("update call "))
    assert locked < written


def test_a_relief_report_callback_nobody_answered_stays_open_due_again(
    ctx: Context, practice: Practice, clock: FrozenClock
) -> None:
    with Session(ctx.engine) as session:
        task = CallbackTask(patient_id=practice.patient_id, kind="relief-report",
                            due_at=clock.now, created_at=clock.now)
        session.add(task)
        session.commit()
        task_id = task.id
    back = _identified(ctx, practice, callback_id=task_id)
    calls.finish_call(ctx, staff="desk", call_id=back.id, expected_version=2,
                      outcome=CallOutcome.CALLBACK, reached=False)
    [task] = _tasks(ctx)
    assert (task.status, task.note) == ("open", "no answer")
    assert task.due_at.replace(tzinfo=UTC) == clock.now + calls.NO_ANSWER_RETRY
