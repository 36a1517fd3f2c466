"""The confirmation read to the caller, and the caller's upcoming visits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from frontdesk.services import scheduling as s
from frontdesk.services.context import Context
from frontdesk.services.readback import arrive_early, read_back
from tests.practice import Practice

THU_NINE = datetime(2027, 3, 11, 15, 0, tzinfo=UTC)  # Thu 11 Mar, 09:00 in Tulsa


def test_the_read_back_names_when_where_who_what_to_do_and_the_phone(
    ctx: Context, practice: Practice
) -> None:
    appt = s.book(ctx, staff="desk", patient_id=practice.patient_id,
                  visit_type="facet-diagnostic", provider_id=practice.able,
                  location_id=practice.location_id, start=THU_NINE, region="lumbar",
                  levels="L4-L5", side="left")
    script = read_back(ctx, appt.id)
    assert script.lines[:4] == (
        "You are booked for a diagnostic facet joint injection (medial branch block) "
        "(lumbar L4-L5 left).",
        "When: Thursday, March 11, at 9:00 AM (about 30 minutes).",
        "Where: Test Clinic, 1 Test Way, Tulsa, OK 74101.",
        "With: Dr. Avery Able.",
    )
    assert script.lines[4] == "Arrive by: 8:30 AM (30 minutes early)."
    assert script.lines[5].startswith("Please: Arrive 30 minutes early. Bring a driver")
    assert script.lines[-1] == "To change or cancel, call Tulsa Pain Management at (918) 742-7030."
    assert script.text == "\n".join(script.lines)


def test_after_a_move_the_read_back_says_so_and_reads_out_the_new_time(
    ctx: Context, practice: Practice
) -> None:
    appt = s.book(ctx, staff="desk", patient_id=practice.patient_id, visit_type="follow-up",
                  provider_id=practice.able, location_id=practice.location_id, start=THU_NINE)
    later = THU_NINE + timedelta(days=1, hours=2)  # Fri 12 Mar, 11:00 in Tulsa
    s.reschedule(ctx, staff="desk", appointment_id=appt.id, start=later,
                 provider_id=practice.baker)
    script = read_back(ctx, appt.id, moved=True)
    assert script.moved
    assert script.lines[:5] == (
        "Your follow-up is moved to a new time.",
        "When: Friday, March 12, at 11:00 AM (about 20 minutes).",
        "Where: Test Clinic, 1 Test Way, Tulsa, OK 74101.",
        "With: Pat Baker, PA-C.",
        "Arrive by: 10:50 AM (10 minutes early).",
    )
    assert not read_back(ctx, appt.id).moved


def test_no_arrive_by_when_the_prep_does_not_ask_for_it() -> None:
    assert arrive_early("Arrive 45 minutes early. A driver is required.") == 45
    assert arrive_early("Please arrive 1 minute early") == 1
    assert arrive_early("Wear loose clothing.") is None


def test_upcoming_visits_leave_out_past_and_cancelled_ones(
    ctx: Context, practice: Practice
) -> None:
    kept = s.book(ctx, staff="desk", patient_id=practice.patient_id, visit_type="follow-up",
                  provider_id=practice.able, location_id=practice.location_id, start=THU_NINE)
    gone = s.book(ctx, staff="desk", patient_id=practice.patient_id, visit_type="follow-up",
                  provider_id=practice.baker, location_id=practice.location_id,
                  start=THU_NINE + timedelta(days=1), accept_warnings=["duplicate"])
    s.cancel(ctx, staff="desk", appointment_id=gone.id, reason="test")
    other = s.book(ctx, staff="desk", patient_id=practice.other_patient_id,
                   visit_type="follow-up", provider_id=practice.baker,
                   location_id=practice.location_id, start=THU_NINE)
    assert [a.id for a in s.upcoming_for(ctx, practice.patient_id)] == [kept.id]
    assert [a.id for a in s.upcoming_for(ctx, practice.other_patient_id)] == [other.id]
