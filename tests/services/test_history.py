"""An appointment's history from the audit log, in plain words (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

from frontdesk.domain.model import Status
from frontdesk.services import history, scheduling
from frontdesk.services.context import Context
from frontdesk.services.views import AppointmentView
from tests.conftest import FrozenClock
from tests.practice import Practice

TEN = datetime(2027, 3, 10, 16, 0, tzinfo=UTC)  # Wed 10 Mar 2027 10:00 in Tulsa
THU_TEN = datetime(2027, 3, 11, 16, 0, tzinfo=UTC)


def book(ctx: Context, p: Practice, start: datetime = TEN) -> AppointmentView:
    return scheduling.book(ctx, staff=p.staff, patient_id=p.patient_id, visit_type="follow-up",
                           provider_id=p.able, location_id=p.location_id, start=start)


def test_a_new_booking_has_one_entry_naming_when_who_and_where(
    ctx: Context, practice: Practice
) -> None:
    appt = book(ctx, practice)
    [entry] = history.history(ctx, appt.id)
    assert entry.staff == "desk"
    assert entry.action == "booked"
    assert entry.at == datetime(2027, 3, 10, 15, 0, tzinfo=UTC)
    assert entry.changes == ("for Wed 10 Mar 10:00; provider Dr. Avery Able; "
                             "location Test Clinic; room Exam 1")


def test_status_changes_and_a_late_cancel_read_in_order(
    ctx: Context, practice: Practice, clock: FrozenClock
) -> None:
    appt = book(ctx, practice)
    clock.advance(minutes=5)
    scheduling.set_status(ctx, staff="desk", appointment_id=appt.id, status=Status.CONFIRMED)
    clock.advance(minutes=5)
    scheduling.cancel(ctx, staff="desk", appointment_id=appt.id, reason="feeling better")
    entries = history.history(ctx, appt.id)
    assert [e.action for e in entries] == ["booked", "status changed", "cancelled"]
    assert [e.at.minute for e in entries] == [0, 5, 10]
    assert entries[1].changes == "booked → confirmed"
    assert entries[2].changes == "confirmed → cancelled; reason: feeling better; late cancel"


def test_a_move_names_the_old_and_new_time(ctx: Context, practice: Practice) -> None:
    appt = book(ctx, practice)
    scheduling.reschedule(ctx, staff="desk", appointment_id=appt.id, start=THU_TEN)
    moved = history.history(ctx, appt.id)[-1]
    assert moved.action == "moved"
    assert moved.changes == "time Wed 10 Mar 10:00 → Thu 11 Mar 10:00"


def test_history_holds_only_that_appointment_and_no_patient_details(
    ctx: Context, practice: Practice
) -> None:
    first = book(ctx, practice)
    second = scheduling.book(ctx, staff=practice.staff, patient_id=practice.patient_id,
                             visit_type="follow-up", provider_id=practice.able,
                             location_id=practice.location_id, start=THU_TEN,
                             accept_warnings=["duplicate"])
    scheduling.cancel(ctx, staff="desk", appointment_id=second.id, reason="moved away")
    entries = history.history(ctx, first.id)
    assert len(entries) == 1
    text = " ".join(f"{e.staff} {e.action} {e.changes}" for e in entries)
    assert "Testcase" not in text
    assert "Casey" not in text


def test_an_unknown_appointment_has_no_history(ctx: Context, practice: Practice) -> None:
    assert history.history(ctx, 9999) == []
