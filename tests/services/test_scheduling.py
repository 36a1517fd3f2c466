"""Booking services on SQLite and PostgreSQL: each write one transaction with its audit event."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from frontdesk.db.models import Appointment, AuditEvent
from frontdesk.domain.model import Status
from frontdesk.services import scheduling as s
from frontdesk.services.context import Context
from frontdesk.services.errors import InvalidInput, SlotTaken, StaleAppointment
from tests.conftest import FrozenClock
from tests.practice import PROCEDURES, SEEN_VISITS, SPINE, Practice

# The frozen clock is Wed 2027-03-10 09:00 Chicago (15:00 UTC); minimum notice 60 minutes.
TEN = datetime(2027, 3, 10, 16, 0, tzinfo=UTC)  # 10:00 local
TOMORROW_NINE = datetime(2027, 3, 11, 15, 0, tzinfo=UTC)


def count(ctx: Context, model: type) -> int:
    with Session(ctx.engine) as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def audit_actions(ctx: Context) -> list[str]:
    with Session(ctx.engine) as session:
        return list(session.exec(select(AuditEvent.action).order_by(AuditEvent.id)).all())


def book(ctx: Context, p: Practice, start: datetime = TEN, **kw: object) -> s.AppointmentView:
    args: dict[str, object] = dict(staff="desk", patient_id=p.patient_id,
                                   visit_type="facet-diagnostic", provider_id=p.able,
                                   location_id=p.location_id, start=start)
    args.update(kw)
    if args["visit_type"] in PROCEDURES:
        args = {**SPINE, **args}
    return s.book(ctx, **args)  # type: ignore[arg-type]


def test_find_slots_starts_after_minimum_notice(ctx: Context, practice: Practice) -> None:
    slots = s.find_slots(ctx, visit_type="facet-diagnostic", limit=3)
    assert [x.start for x in slots] == [TEN, TEN + timedelta(minutes=15),
                                        TEN + timedelta(minutes=30)]
    assert slots[0].provider_name == "Dr. Avery Able"
    assert slots[0].room_name == "Procedure Suite"
    assert slots[0].local_start.hour == 10


def test_book_writes_the_row_and_its_audit_event(ctx: Context, practice: Practice) -> None:
    appt = book(ctx, practice, region="lumbar", levels="L4-L5, L5-S1", side="bilateral")
    assert appt.status is Status.BOOKED
    assert appt.start == TEN
    assert appt.end == TEN + timedelta(minutes=30)
    assert appt.room_id == practice.procedure_room
    assert appt.booked_by == "desk"
    assert appt.region == "lumbar"
    assert appt.levels == "L4-L5, L5-S1"
    assert appt.start.tzinfo is not None
    assert audit_actions(ctx) == ["appointment.book", "callback.create"]
    with Session(ctx.engine) as session:
        row = session.get(Appointment, appt.id)
        assert row is not None
        assert row.block_start == TEN - timedelta(minutes=15)
        assert row.block_end == TEN + timedelta(minutes=45)


def test_second_booking_of_the_same_time_gets_slot_taken_with_alternatives(
    ctx: Context, practice: Practice
) -> None:
    book(ctx, practice)
    with pytest.raises(SlotTaken) as taken:
        book(ctx, practice, patient_id=practice.other_patient_id)
    alternatives = taken.value.alternatives
    assert alternatives
    assert all(a.start >= TEN + timedelta(minutes=60) or a.start <= TEN - timedelta(minutes=60)
               for a in alternatives)
    assert count(ctx, Appointment) == SEEN_VISITS + 1
    assert audit_actions(ctx) == ["appointment.book", "callback.create"]


def test_buffer_overlap_is_refused_too(ctx: Context, practice: Practice) -> None:
    book(ctx, practice)
    with pytest.raises(SlotTaken):
        book(ctx, practice, start=TEN + timedelta(minutes=45))  # block starts 10:30 < 10:45
    assert book(ctx, practice, start=TEN + timedelta(minutes=60),
                patient_id=practice.other_patient_id).status is Status.BOOKED


def test_room_conflict_across_providers(ctx: Context, practice: Practice) -> None:
    exam1, exam2 = practice.exam_rooms
    book(ctx, practice, visit_type="follow-up", provider_id=practice.able, room_id=exam1)
    with pytest.raises(SlotTaken):  # Baker is free, the room is not
        book(ctx, practice, visit_type="follow-up", provider_id=practice.baker, room_id=exam1,
             patient_id=practice.other_patient_id)
    other = book(ctx, practice, visit_type="follow-up", provider_id=practice.baker,
                 patient_id=practice.other_patient_id)
    assert other.room_id == exam2
    # Both exam rooms taken at 10:00: the next follow-up is at 10:30 (20 minutes, 15-min grid).
    assert s.find_slots(ctx, visit_type="follow-up", limit=1)[0].start == TEN + timedelta(
        minutes=30)


@pytest.mark.parametrize(
    ("start", "field", "words"),
    [
        (datetime(2027, 3, 9, 16, tzinfo=UTC), "start", "past"),
        (datetime(2027, 3, 10, 15, 30, tzinfo=UTC), "start", "minimum notice"),
        (datetime(2027, 3, 13, 16, tzinfo=UTC), "start", "hours"),  # Saturday
        (datetime(2027, 3, 10, 16, 5, tzinfo=UTC), "start", "15-minute"),
        (datetime(2028, 3, 10, 16, tzinfo=UTC), "start", "horizon"),
    ],
)
def test_invalid_start_names_the_reason(ctx: Context, practice: Practice, start: datetime,
                                        field: str, words: str) -> None:
    with pytest.raises(InvalidInput) as bad:
        book(ctx, practice, start=start)
    assert bad.value.field == field
    assert words in bad.value.message
    assert count(ctx, Appointment) == SEEN_VISITS
    assert count(ctx, AuditEvent) == 0


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"patient_id": 9999}, "patient"),
        ({"visit_type": "nope"}, "visit-type"),
        ({"provider_id": 9999}, "provider"),
        ({"location_id": 9999}, "location"),
        ({"staff": "ghost"}, "as"),
        ({"region": "knee"}, "region"),
        ({"side": "up"}, "side"),
        ({"levels": "L4; DROP TABLE"}, "levels"),
        ({"room_id": 9999}, "room"),
    ],
)
def test_bad_references_are_refused_and_nothing_written(
    ctx: Context, practice: Practice, kw: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInput) as bad:
        book(ctx, practice, **kw)
    assert bad.value.field == field
    assert count(ctx, Appointment) == SEEN_VISITS


def test_provider_who_does_not_perform_the_visit(ctx: Context, practice: Practice) -> None:
    with pytest.raises(InvalidInput, match="does not perform"):
        book(ctx, practice, provider_id=practice.baker)


def test_naive_start_is_refused(ctx: Context, practice: Practice) -> None:
    with pytest.raises(InvalidInput, match="time zone"):
        book(ctx, practice, start=TEN.replace(tzinfo=None))


def test_hold_blocks_the_slot_until_it_expires(ctx: Context, practice: Practice,
                                               clock: FrozenClock) -> None:
    eleven = TEN + timedelta(hours=1)
    held = book(ctx, practice, start=eleven, hold=True)
    assert held.status is Status.HELD
    assert held.hold_expires_at == clock.now + timedelta(minutes=5)
    assert eleven not in [x.start for x in s.find_slots(ctx, visit_type="facet-diagnostic")]
    with pytest.raises(SlotTaken):
        book(ctx, practice, start=eleven, patient_id=practice.other_patient_id)
    clock.advance(minutes=6)
    # Expired on its own: offered again and bookable by someone else.
    starts = [x.start for x in s.find_slots(ctx, visit_type="facet-diagnostic")]
    assert eleven in starts
    other = book(ctx, practice, start=eleven, patient_id=practice.other_patient_id)
    assert other.status is Status.BOOKED
    assert s.get_appointment(ctx, held.id).status is Status.EXPIRED


def test_confirm_hold_books_it(ctx: Context, practice: Practice) -> None:
    held = book(ctx, practice, hold=True)
    booked = s.confirm_hold(ctx, staff="desk", appointment_id=held.id)
    assert booked.status is Status.BOOKED
    assert booked.hold_expires_at is None
    assert audit_actions(ctx) == ["appointment.hold", "appointment.book", "callback.create"]


def test_expired_hold_cannot_be_confirmed(ctx: Context, practice: Practice,
                                          clock: FrozenClock) -> None:
    held = book(ctx, practice, hold=True)
    clock.advance(minutes=5, seconds=1)
    with pytest.raises(InvalidInput, match="expired"):
        s.confirm_hold(ctx, staff="desk", appointment_id=held.id)


def test_release_hold_frees_the_slot(ctx: Context, practice: Practice) -> None:
    held = book(ctx, practice, hold=True)
    s.release_hold(ctx, staff="desk", appointment_id=held.id)
    assert book(ctx, practice, patient_id=practice.other_patient_id).status is Status.BOOKED


def test_cancel_early_and_late(ctx: Context, practice: Practice) -> None:
    soon = book(ctx, practice)  # today 10:00: inside the 24-hour window
    later = book(ctx, practice, start=TOMORROW_NINE + timedelta(days=1),
                 patient_id=practice.other_patient_id)
    cancelled = s.cancel(ctx, staff="desk", appointment_id=soon.id, reason="feeling better")
    assert cancelled.status is Status.CANCELLED
    assert cancelled.late_cancel is True
    assert cancelled.cancel_reason == "feeling better"
    assert s.cancel(ctx, staff="desk", appointment_id=later.id, reason="work").late_cancel is False
    # The cancelled time is free again.
    assert book(ctx, practice, patient_id=practice.other_patient_id).status is Status.BOOKED


@pytest.mark.parametrize("reason", ["", "   ", "x" * 501])
def test_cancel_needs_a_reason(ctx: Context, practice: Practice, reason: str) -> None:
    appt = book(ctx, practice)
    with pytest.raises(InvalidInput) as bad:
        s.cancel(ctx, staff="desk", appointment_id=appt.id, reason=reason)
    assert bad.value.field == "reason"
    assert s.get_appointment(ctx, appt.id).status is Status.BOOKED


def test_cancelled_cannot_be_cancelled_again(ctx: Context, practice: Practice) -> None:
    appt = book(ctx, practice)
    s.cancel(ctx, staff="desk", appointment_id=appt.id, reason="x")
    with pytest.raises(InvalidInput, match="cannot be cancelled"):
        s.cancel(ctx, staff="desk", appointment_id=appt.id, reason="x")


def test_reschedule_moves_and_audits(ctx: Context, practice: Practice) -> None:
    appt = book(ctx, practice)
    moved = s.reschedule(ctx, staff="desk", appointment_id=appt.id, start=TOMORROW_NINE)
    assert moved.start == TOMORROW_NINE
    assert moved.version == appt.version + 1
    assert audit_actions(ctx) == [
        "appointment.book", "callback.create", "appointment.reschedule", "callback.update"]
    # The old time is free; a small move within its own buffers works (it excludes itself).
    assert s.reschedule(ctx, staff="desk", appointment_id=appt.id,
                        start=TOMORROW_NINE + timedelta(minutes=15)).status is Status.BOOKED
    assert book(ctx, practice, patient_id=practice.other_patient_id).start == TEN


def test_reschedule_onto_a_taken_slot(ctx: Context, practice: Practice) -> None:
    a = book(ctx, practice)
    b = book(ctx, practice, start=TOMORROW_NINE, patient_id=practice.other_patient_id)
    with pytest.raises(SlotTaken) as taken:
        s.reschedule(ctx, staff="desk", appointment_id=b.id, start=TEN)
    assert taken.value.alternatives
    assert s.get_appointment(ctx, b.id).start == TOMORROW_NINE
    assert s.get_appointment(ctx, a.id).start == TEN


def test_stale_version_is_refused_with_fresh_state(ctx: Context, practice: Practice) -> None:
    appt = book(ctx, practice)
    s.set_status(ctx, staff="desk", appointment_id=appt.id, status=Status.CONFIRMED)
    with pytest.raises(StaleAppointment) as stale:
        s.cancel(ctx, staff="desk", appointment_id=appt.id, reason="x",
                 expected_version=appt.version)
    assert stale.value.current.status is Status.CONFIRMED
    assert s.get_appointment(ctx, appt.id).status is Status.CONFIRMED


def test_status_flow_check_in_complete(ctx: Context, practice: Practice) -> None:
    appt = book(ctx, practice)
    for status in (Status.CONFIRMED, Status.CHECKED_IN, Status.COMPLETED):
        assert s.set_status(ctx, staff="desk", appointment_id=appt.id,
                            status=status).status is status
    assert audit_actions(ctx) == (
        ["appointment.book", "callback.create"] + ["appointment.status"] * 3)


def test_impossible_status_change_is_refused(ctx: Context, practice: Practice) -> None:
    appt = book(ctx, practice)
    with pytest.raises(InvalidInput, match="cannot become"):
        s.set_status(ctx, staff="desk", appointment_id=appt.id, status=Status.COMPLETED)
    with pytest.raises(InvalidInput):
        s.set_status(ctx, staff="desk", appointment_id=appt.id, status=Status.CANCELLED)


def test_future_visit_cannot_be_checked_in(ctx: Context, practice: Practice) -> None:
    appt = book(ctx, practice, start=TOMORROW_NINE + timedelta(days=5))
    with pytest.raises(InvalidInput, match="future"):
        s.set_status(ctx, staff="desk", appointment_id=appt.id, status=Status.CHECKED_IN)


def test_no_show_frees_nothing_retroactively_but_is_recorded(ctx: Context,
                                                             practice: Practice) -> None:
    appt = book(ctx, practice)
    assert s.set_status(ctx, staff="desk", appointment_id=appt.id,
                        status=Status.NO_SHOW).status is Status.NO_SHOW


def test_appointments_on_a_local_day(ctx: Context, practice: Practice) -> None:
    book(ctx, practice)
    book(ctx, practice, start=TOMORROW_NINE, patient_id=practice.other_patient_id)
    day = s.appointments_on(ctx, day=date(2027, 3, 10))
    assert [a.start for a in day] == [TEN]
    assert day[0].patient_short == "Testcase, C."
    assert s.appointments_on(ctx, day=date(2027, 3, 10), location_ids=[9999]) == []


def test_tomorrow_cannot_be_completed_late_in_the_local_evening(
    ctx: Context, practice: Practice, clock: FrozenClock
) -> None:
    appt = book(ctx, practice, start=TOMORROW_NINE)
    clock.now = datetime(2027, 3, 11, 1, 30, tzinfo=UTC)  # 19:30 on the 10th in Tulsa
    with pytest.raises(InvalidInput, match="future"):
        s.set_status(ctx, staff="desk", appointment_id=appt.id, status=Status.NO_SHOW)
