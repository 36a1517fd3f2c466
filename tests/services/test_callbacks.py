"""Relief-report callbacks and relief reports, on SQLite and PostgreSQL: the callback follows
its diagnostic block (created, moved, cancelled in the block's own transaction) and a relief
report closes it.

The frozen clock is Wed 2027-03-10 09:00 in Tulsa; the procedure suite works Mon-Fri
08:00-12:00 and 13:00-17:00 local; callbacks fall due 24 hours after the block.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, col, select

from frontdesk.db.models import AuditEvent, CallbackTask, ReliefReport, Staff
from frontdesk.domain.model import Region, Side, Status
from frontdesk.domain.pathway import Answers, Procedure
from frontdesk.services import scheduling as s
from frontdesk.services.callbacks import (
    RELIEF_REPORT,
    callbacks_due,
    get_callback,
    record_relief,
    set_callback,
)
from frontdesk.services.calls import start_call
from frontdesk.services.context import Context
from frontdesk.services.errors import InvalidInput
from frontdesk.services.views import AppointmentView
from tests.conftest import FrozenClock
from tests.practice import Practice

CHICAGO = ZoneInfo("America/Chicago")


def local(year: int, month: int, day: int, hour: int) -> datetime:
    """A Tulsa wall-clock time as UTC (DST starts on 2027-03-14)."""
    return datetime(year, month, day, hour, tzinfo=CHICAGO).astimezone(UTC)


THU_TEN = local(2027, 3, 11, 10)
FRI_TEN = local(2027, 3, 12, 10)
TODAY_TWO = local(2027, 3, 10, 14)
DAY = timedelta(hours=24)
REPORT = Answers(procedure=Procedure.FACET_DIAGNOSTIC, region=Region.LUMBAR, levels="L4-L5",
                 side=Side.LEFT, percent_relief=85, hours_lasted=3, same_scale=True)


def book(ctx: Context, p: Practice, start: datetime = THU_TEN,
         **kw: object) -> AppointmentView:
    args: dict[str, object] = dict(
        staff="desk", patient_id=p.patient_id, visit_type="facet-diagnostic", provider_id=p.able,
        location_id=p.location_id, start=start, region="lumbar", levels="L4-L5", side="left")
    args.update(kw)
    return s.book(ctx, **args)  # type: ignore[arg-type]


def tasks(ctx: Context) -> list[CallbackTask]:
    with Session(ctx.engine) as session:
        return list(session.exec(select(CallbackTask).order_by(col(CallbackTask.id))).all())


def reports(ctx: Context) -> list[ReliefReport]:
    with Session(ctx.engine) as session:
        return list(session.exec(select(ReliefReport).order_by(col(ReliefReport.id))).all())


def audit(ctx: Context) -> list[AuditEvent]:
    with Session(ctx.engine) as session:
        return list(session.exec(select(AuditEvent).order_by(col(AuditEvent.id))).all())


def desk_id(ctx: Context) -> int | None:
    with Session(ctx.engine) as session:
        return session.exec(select(Staff.id).where(Staff.username == "desk")).one()


# --------------------------------------------------------------------------- following the block


def test_booking_a_diagnostic_block_opens_a_relief_report_callback(
    ctx: Context, practice: Practice
) -> None:
    appt = book(ctx, practice)
    [task] = tasks(ctx)
    assert task.kind == RELIEF_REPORT == "relief-report"
    assert task.status == "open"
    assert task.appointment_id == appt.id
    assert task.patient_id == practice.patient_id
    assert task.due_at == THU_TEN + DAY
    events = audit(ctx)
    assert [e.action for e in events] == ["appointment.book", "callback.create"]
    assert events[1].entity == "callback_task"
    assert events[1].entity_id == task.id
    assert events[0].at == events[1].at


def test_other_visits_make_no_callback(ctx: Context, practice: Practice) -> None:
    book(ctx, practice, visit_type="follow-up", region=None, levels=None, side=None)
    book(ctx, practice, FRI_TEN, visit_type="facet-therapeutic")
    assert tasks(ctx) == []
    assert "callback.create" not in [e.action for e in audit(ctx)]


def test_a_hold_makes_its_callback_only_when_confirmed(
    ctx: Context, practice: Practice
) -> None:
    held = book(ctx, practice, hold=True)
    assert held.status is Status.HELD
    assert tasks(ctx) == []
    s.confirm_hold(ctx, staff="desk", appointment_id=held.id)
    [task] = tasks(ctx)
    assert task.status == "open"
    assert task.appointment_id == held.id
    assert task.due_at == THU_TEN + DAY


def test_released_hold_makes_no_callback(ctx: Context, practice: Practice) -> None:
    held = book(ctx, practice, hold=True)
    s.release_hold(ctx, staff="desk", appointment_id=held.id)
    assert tasks(ctx) == []


def test_reschedule_moves_the_callback(ctx: Context, practice: Practice) -> None:
    appt = book(ctx, practice)
    s.reschedule(ctx, staff="desk", appointment_id=appt.id, start=FRI_TEN)
    [task] = tasks(ctx)
    assert task.status == "open"
    assert task.due_at == FRI_TEN + DAY
    assert [e.action for e in audit(ctx)][-2:] == ["appointment.reschedule", "callback.update"]


def test_cancel_cancels_the_callback(ctx: Context, practice: Practice) -> None:
    appt = book(ctx, practice)
    s.cancel(ctx, staff="desk", appointment_id=appt.id, reason="Patient is travelling")
    [task] = tasks(ctx)
    assert task.status == "cancelled"
    assert [e.action for e in audit(ctx)][-2:] == ["appointment.cancel", "callback.cancel"]
    assert callbacks_due(ctx, within_hours=24 * 30) == []


def test_no_show_cancels_the_callback(
    ctx: Context, practice: Practice, clock: FrozenClock
) -> None:
    appt = book(ctx, practice, TODAY_TWO)
    clock.advance(hours=6)  # 15:00 local, after the visit
    s.set_status(ctx, staff="desk", appointment_id=appt.id, status=Status.NO_SHOW)
    [task] = tasks(ctx)
    assert task.status == "cancelled"


def test_checking_in_keeps_the_callback_open(
    ctx: Context, practice: Practice, clock: FrozenClock
) -> None:
    appt = book(ctx, practice, TODAY_TWO)
    clock.advance(hours=5)
    s.set_status(ctx, staff="desk", appointment_id=appt.id, status=Status.CHECKED_IN)
    s.set_status(ctx, staff="desk", appointment_id=appt.id, status=Status.COMPLETED)
    [task] = tasks(ctx)
    assert task.status == "open"
    assert task.due_at == TODAY_TWO + DAY


# --------------------------------------------------------------------------- the due list


def test_callbacks_due_lists_it_from_twelve_hours_before(
    ctx: Context, practice: Practice, clock: FrozenClock
) -> None:
    appt = book(ctx, practice)
    due = THU_TEN + DAY
    assert callbacks_due(ctx) == []
    clock.now = due - timedelta(hours=12, minutes=1)
    assert callbacks_due(ctx) == []
    clock.now = due - timedelta(hours=11)
    [view] = callbacks_due(ctx)
    assert view.appointment_id == appt.id
    assert view.patient_id == practice.patient_id
    assert view.patient_short == "Testcase, C."
    assert view.due_at == due
    assert not view.overdue
    assert view.procedure == "facet-diagnostic"
    assert view.procedure_at == THU_TEN
    assert view.region == "lumbar"
    assert view.levels == "L4-L5"
    assert view.label == "Relief report"
    clock.now = due + timedelta(minutes=1)
    [late] = callbacks_due(ctx)
    assert late.overdue
    record_relief(ctx, staff="desk", patient_id=practice.patient_id, answers=REPORT)
    assert callbacks_due(ctx) == []


# --------------------------------------------------------------------------- relief reports


def test_record_relief_closes_the_callback(
    ctx: Context, practice: Practice, clock: FrozenClock
) -> None:
    appt = book(ctx, practice)
    clock.now = THU_TEN + DAY
    call = start_call(ctx, staff="desk")
    view = record_relief(ctx, staff="desk", patient_id=practice.patient_id, answers=REPORT,
                         call_id=call.id)
    assert view.callbacks_closed == 1
    assert view.percent_relief == 85
    assert view.hours_lasted == 3
    assert view.procedure == "facet-diagnostic"
    [task] = tasks(ctx)
    assert task.status == "done"
    assert task.done_by_id == desk_id(ctx)
    assert task.done_at == clock.now
    assert task.call_id == call.id
    [report] = reports(ctx)
    assert report.id == view.id
    assert report.appointment_id == appt.id
    assert report.call_id == call.id
    assert report.percent_relief == 85
    assert report.region == "lumbar"
    assert report.side == "left"
    actions = [e.action for e in audit(ctx)]
    assert actions[-2:] == ["relief.record", "callback.done"]


def test_recording_again_in_the_same_call_corrects_the_report(
    ctx: Context, practice: Practice, clock: FrozenClock
) -> None:
    appt = book(ctx, practice)
    clock.now = THU_TEN + DAY
    call = start_call(ctx, staff="desk")
    first = record_relief(ctx, staff="desk", patient_id=practice.patient_id, answers=REPORT,
                          call_id=call.id)
    clock.advance(minutes=2)
    corrected = Answers(procedure=Procedure.FACET_DIAGNOSTIC, region=Region.LUMBAR,
                        levels="L4-L5", side=Side.LEFT, percent_relief=60, hours_lasted=1.5,
                        same_scale=False)
    second = record_relief(ctx, staff="desk", patient_id=practice.patient_id,
                           answers=corrected, call_id=call.id)
    assert second.id == first.id
    assert second.callbacks_closed == 0
    [report] = reports(ctx)
    assert report.percent_relief == 60
    assert report.hours_lasted == 1.5
    assert report.same_scale is False
    assert report.appointment_id == appt.id
    assert report.reported_at == clock.now
    assert [t.status for t in tasks(ctx)] == ["done"]
    assert [e.action for e in audit(ctx)][-1] == "relief.update"


def test_reports_in_different_calls_are_separate_rows(
    ctx: Context, practice: Practice, clock: FrozenClock
) -> None:
    book(ctx, practice)
    clock.now = THU_TEN + DAY
    record_relief(ctx, staff="desk", patient_id=practice.patient_id, answers=REPORT)
    record_relief(ctx, staff="desk", patient_id=practice.patient_id, answers=REPORT)
    assert len(reports(ctx)) == 2


def test_record_relief_needs_the_percent(ctx: Context, practice: Practice) -> None:
    book(ctx, practice)
    before = len(audit(ctx))
    with pytest.raises(InvalidInput):
        record_relief(ctx, staff="desk", patient_id=practice.patient_id,
                      answers=Answers(procedure=Procedure.FACET_DIAGNOSTIC,
                                      region=Region.LUMBAR))
    with pytest.raises(InvalidInput):
        record_relief(ctx, staff="desk", patient_id=practice.patient_id,
                      answers=Answers(percent_relief=80))
    assert reports(ctx) == []
    assert [t.status for t in tasks(ctx)] == ["open"]
    assert len(audit(ctx)) == before


def test_relief_audit_events_carry_no_values(
    ctx: Context, practice: Practice, clock: FrozenClock
) -> None:
    book(ctx, practice)
    clock.now = THU_TEN + DAY
    call = start_call(ctx, staff="desk")
    record_relief(ctx, staff="desk", patient_id=practice.patient_id, answers=REPORT,
                  call_id=call.id)
    record_relief(ctx, staff="desk", patient_id=practice.patient_id, answers=REPORT,
                  call_id=call.id)
    relief = [e for e in audit(ctx) if e.action.startswith("relief.")]
    assert [e.action for e in relief] == ["relief.record", "relief.update"]
    for event in relief:
        assert event.entity == "relief_report"
        assert event.before is None or "percent" not in str(event.before)
        assert event.after is None or "percent" not in str(event.after)


# --------------------------------------------------------------------------- working the list


def test_no_answer_leaves_the_callback_open_and_due_later(
    ctx: Context, practice: Practice, clock: FrozenClock
) -> None:
    book(ctx, practice)
    clock.now = THU_TEN + DAY + timedelta(hours=1)
    [task] = tasks(ctx)
    task_id = task.id
    assert task_id is not None
    view = set_callback(ctx, staff="desk", callback_id=task_id, status="open", retry_hours=2)
    assert view.due_at == clock.now + timedelta(hours=2)
    assert not view.overdue
    [task] = tasks(ctx)
    assert task.status == "open"
    assert task.due_at == clock.now + timedelta(hours=2)
    assert task.done_at is None
    assert get_callback(ctx, task_id).due_at == task.due_at


def test_a_closed_callback_cannot_be_set_again(
    ctx: Context, practice: Practice
) -> None:
    book(ctx, practice)
    [task] = tasks(ctx)
    task_id = task.id
    assert task_id is not None
    done = set_callback(ctx, staff="desk", callback_id=task_id, status="done",
                        note="Reached the patient")
    assert done.id == task_id
    [task] = tasks(ctx)
    assert task.status == "done"
    assert task.note == "Reached the patient"
    assert task.done_by_id == desk_id(ctx)
    for status in ("done", "open", "cancelled"):
        with pytest.raises(InvalidInput):
            set_callback(ctx, staff="desk", callback_id=task_id, status=status)
    assert [t.status for t in tasks(ctx)] == ["done"]


def test_set_callback_refuses_an_unknown_status(ctx: Context, practice: Practice) -> None:
    book(ctx, practice)
    [task] = tasks(ctx)
    assert task.id is not None
    with pytest.raises(InvalidInput):
        set_callback(ctx, staff="desk", callback_id=task.id, status="snoozed")
    assert [t.status for t in tasks(ctx)] == ["open"]
