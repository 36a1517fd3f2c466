"""Reading the audit trail: newest first, filtered by time, person, patient and action, with
plain-words summaries that never name a patient — on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session

from frontdesk.db.engine import run_write
from frontdesk.db.models import AuditEvent, Staff
from frontdesk.domain.calls import CallReason
from frontdesk.domain.model import Status
from frontdesk.services import calls, directory, scheduling
from frontdesk.services.audit import AuditLine, audit_events
from frontdesk.services.context import Context
from frontdesk.services.errors import InvalidInput
from tests.conftest import FrozenClock
from tests.practice import Practice

# The frozen clock is Wed 2027-03-10 09:00 Chicago (15:00 UTC).
START = datetime(2027, 3, 10, 15, 0, tzinfo=UTC)
THU_NINE = datetime(2027, 3, 11, 15, 0, tzinfo=UTC)  # 09:00 local
THU_TEN = datetime(2027, 3, 11, 16, 0, tzinfo=UTC)
FRI_TEN = datetime(2027, 3, 12, 16, 0, tzinfo=UTC)
PATIENT_DETAILS = ("Casey", "Testcase", "Jordan", "Sample", "Avery Quinn", "Quinn",
                   "1970", "1982", "5550111", "5550122", "Self-pay", "Cash",
                   "L4-L5", "lumbar", "bilateral", "feeling unwell")


def add(ctx: Context, **fields: Any) -> None:
    def work(session: Session) -> None:
        session.add(AuditEvent(**({"at": ctx.now(), "staff_id": None} | fields)))

    run_write(ctx.engine, work)


def events(ctx: Context, **filters: Any) -> list[AuditLine]:
    """The trail as the practice's manager reads it."""
    return audit_events(ctx, by="mgr", **filters)


def add_manager(ctx: Context) -> int:
    def work(session: Session) -> int:
        person = Staff(name="Mona Manager", username="mona", role="manager")
        session.add(person)
        session.flush()
        return person.id or 0

    return run_write(ctx.engine, work)


@pytest.fixture
def trail(ctx: Context, practice: Practice, clock: FrozenClock) -> dict[str, int]:
    """A morning at the desk, a minute apart: two patients' visits, a call, a new patient."""
    mona = add_manager(ctx)
    first = scheduling.book(ctx, staff="desk", patient_id=practice.patient_id,
                            visit_type="facet-diagnostic", provider_id=practice.able,
                            location_id=practice.location_id, start=THU_TEN, region="lumbar",
                            levels="L4-L5", side="bilateral")  # + callback.create
    clock.advance(minutes=1)
    other = scheduling.book(ctx, staff="mona", patient_id=practice.other_patient_id,
                            visit_type="follow-up", provider_id=practice.baker,
                            location_id=practice.location_id, start=THU_NINE)
    clock.advance(minutes=1)
    scheduling.reschedule(ctx, staff="desk", appointment_id=first.id, start=FRI_TEN)
    clock.advance(minutes=1)
    scheduling.set_status(ctx, staff="mona", appointment_id=other.id, status=Status.CONFIRMED)
    clock.advance(minutes=1)
    scheduling.cancel(ctx, staff="desk", appointment_id=other.id, reason="feeling unwell")
    clock.advance(minutes=1)
    call = calls.start_call(ctx, staff="desk")
    calls.save_draft(ctx, staff="desk", call_id=call.id, expected_version=1,
                     patient_id=practice.patient_id, reason=CallReason.INJECTION_REPORT)
    clock.advance(minutes=1)
    new = directory.add_patient(ctx, staff="mona", name="Avery Quinn", dob=date(1990, 4, 1),
                                phone="918-555-0177")
    clock.advance(minutes=1)
    return {"first": first.id, "other": other.id, "call": call.id, "new": new.id, "mona": mona}


def test_newest_first_with_who_and_plain_words(ctx: Context, trail: dict[str, int]) -> None:
    found = events(ctx)
    assert [e.action for e in found] == [
        "patient.create", "call.update", "call.start", "appointment.cancel",
        "appointment.status", "callback.update", "appointment.reschedule",
        "appointment.book", "callback.create", "appointment.book"]  # same moment: newest id
    assert all(a.at >= b.at for a, b in zip(found, found[1:], strict=False))
    assert all(e.at.tzinfo is not None and e.at.utcoffset() == timedelta(0) for e in found)
    by_action = {e.action: e for e in found}
    assert by_action["patient.create"].staff == "mona"
    assert by_action["patient.create"].staff_name == "Mona Manager"
    assert by_action["patient.create"].summary == f"added patient {trail['new']}"
    assert by_action["appointment.cancel"].summary == (
        f"cancelled appointment {trail['other']}: late cancel")  # the reason is not shown
    assert by_action["appointment.status"].summary == (
        f"appointment {trail['other']}: booked → confirmed")
    assert by_action["appointment.reschedule"].summary == (
        f"moved appointment {trail['first']}: Thu 11 Mar 10:00 → Fri 12 Mar 10:00")
    booked = [e.summary for e in found if e.action == "appointment.book"]
    assert booked == [
        f"booked follow-up at Test Clinic for Thu 11 Mar 09:00 with Pat Baker, PA-C "
        f"(appointment {trail['other']})",
        f"booked facet-diagnostic at Test Clinic for Thu 11 Mar 10:00 with Dr. Avery Able "
        f"(appointment {trail['first']})",
    ]
    assert by_action["call.start"].summary == f"took call {trail['call']}"
    assert by_action["call.update"].summary == f"saved call {trail['call']} (patient, reason)"
    assert by_action["callback.create"].staff is None  # the system
    assert by_action["callback.create"].summary.endswith(" created")


def test_summaries_name_no_patient(ctx: Context, trail: dict[str, int]) -> None:
    found = events(ctx)
    assert len(found) >= 9
    for line in found:
        for detail in PATIENT_DETAILS:
            assert detail.lower() not in line.summary.lower(), (line.action, line.summary)


def test_lines_are_frozen(ctx: Context, trail: dict[str, int]) -> None:
    line = events(ctx, limit=1)[0]
    assert isinstance(line, AuditLine)
    with pytest.raises(FrozenInstanceError):
        line.summary = "changed"  # type: ignore[misc]


def test_filter_by_staff(ctx: Context, trail: dict[str, int]) -> None:
    assert {e.action for e in events(ctx, staff="mona")} == {
        "appointment.book", "appointment.status", "patient.create"}
    assert {e.staff for e in events(ctx, staff=" DESK ")} == {"desk"}


def test_unknown_staff_is_bad_input(ctx: Context, trail: dict[str, int]) -> None:
    with pytest.raises(InvalidInput) as bad:
        events(ctx, staff="nobody")
    assert bad.value.field == "staff"
    assert "'nobody'" in bad.value.message
    assert "staff list" in bad.value.message


def test_filter_by_patient_follows_their_records(
    ctx: Context, practice: Practice, trail: dict[str, int]
) -> None:
    mine = events(ctx, patient_id=practice.patient_id)
    assert [(e.entity, e.entity_id) for e in mine] == [
        ("call", trail["call"]), ("call", trail["call"]),
        ("callback_task", mine[2].entity_id), ("appointment", trail["first"]),
        ("callback_task", mine[2].entity_id), ("appointment", trail["first"])]
    theirs = events(ctx, patient_id=practice.other_patient_id)
    assert {(e.entity, e.entity_id) for e in theirs} == {("appointment", trail["other"])}
    assert [e.action for e in events(ctx, patient_id=trail["new"])] == ["patient.create"]
    with pytest.raises(InvalidInput, match="no patient with id 999"):
        events(ctx, patient_id=999)


def test_filter_by_action_exact_and_prefix(ctx: Context, trail: dict[str, int]) -> None:
    assert [e.entity_id for e in events(ctx, action="appointment.book")] == [
        trail["other"], trail["first"]]
    family = {e.action for e in events(ctx, action="appointment.")}
    assert family == {"appointment.book", "appointment.reschedule", "appointment.status",
                      "appointment.cancel"}
    assert {e.action for e in events(ctx, action="Call.")} == {"call.start",
                                                                     "call.update"}
    assert events(ctx, action="appointment") == []  # exact: no such action
    assert events(ctx, action="appointment_") == []  # "_" is not a wildcard


@pytest.mark.parametrize("action", ["", "appointment.*", "%", "a" * 41, "drop table;"])
def test_bad_action_is_bad_input(ctx: Context, trail: dict[str, int], action: str) -> None:
    with pytest.raises(InvalidInput) as bad:
        events(ctx, action=action)
    assert bad.value.field == "action"


def test_since_is_inclusive_and_until_exclusive(ctx: Context, trail: dict[str, int]) -> None:
    at_three = START + timedelta(minutes=3)  # the status change
    found = events(ctx, since=START + timedelta(minutes=2), until=at_three)
    assert [e.action for e in found] == ["callback.update", "appointment.reschedule"]
    assert [e.action for e in events(ctx, since=at_three, until=at_three
                                           + timedelta(minutes=1))] == ["appointment.status"]
    assert events(ctx, since=START + timedelta(hours=1)) == []
    assert len(events(ctx, until=START + timedelta(minutes=1))) == 2  # first booking


def test_filters_combine_and_limit_keeps_the_newest(
    ctx: Context, practice: Practice, trail: dict[str, int]
) -> None:
    found = events(ctx, staff="desk", patient_id=practice.other_patient_id,
                         action="appointment.")
    assert [e.action for e in found] == ["appointment.cancel"]
    assert [e.action for e in events(ctx, limit=2)] == ["patient.create", "call.update"]


@pytest.mark.parametrize("kwargs", [
    {"since": START.replace(tzinfo=None)},
    {"until": START.replace(tzinfo=None)},
    {"since": START, "until": START},
    {"limit": 0},
    {"limit": 5001},
])
def test_bad_ranges_are_bad_input(ctx: Context, practice: Practice,
                                  kwargs: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput):
        events(ctx, **kwargs)


def test_other_events_read_plainly(ctx: Context, practice: Practice) -> None:
    add(ctx, action="payer.override", entity="appointment", entity_id=12,
        after={"visit_type": "rfa", "rules": ["blocks"], "payers": ["BlueCross"],
               "reason": "Dr. Able approved after review"})
    add(ctx, action="staff.sign_in", entity="staff", entity_id=1, after={"via": "password"})
    add(ctx, action="staff.sign_in_failed", entity="staff", entity_id=None,
        after={"username": "Casey Testcase"})  # someone typed a patient's name: not shown
    add(ctx, action="staff.locked", entity="staff", entity_id=1,
        after={"failures": 5, "until": "2027-03-10T15:15:00+00:00"})
    add(ctx, action="staff.screen_lock", entity="staff", entity_id=1,
        after={"via": "idle", "idle_minutes": 5})
    add(ctx, action="staff.screen_lock", entity="staff", entity_id=1, after={"via": "key"})
    add(ctx, action="staff.unlock", entity="staff", entity_id=1, after={"via": "password"})
    add(ctx, action="patient.open", entity="patient", entity_id=practice.patient_id)
    add(ctx, action="patient.open", entity="patient", entity_id=practice.patient_id,
        after={"view": "caller record", "call_id": 7})
    add(ctx, action="patient.payer", entity="patient", entity_id=practice.patient_id,
        before={"payer": None, "member_id_changed": False},
        after={"payer": "self-pay", "member_id_changed": True})
    add(ctx, action="patient.payer_map", entity="patient", entity_id=None,
        after={"mapped": {"medicare": 2, "self-pay": 1}})
    add(ctx, action="something.new", entity="widget", entity_id=3)
    summaries = [e.summary for e in reversed(events(ctx))]
    assert summaries == [
        "payer override on appointment 12: blocks first — Dr. Able approved after review",
        "sign-in", "failed sign-in (unknown username)",
        "account locked after 5 failed sign-ins", "screen locked after 5 idle minutes",
        "locked the screen", "unlocked the idle lock",
        f"opened the record of patient {practice.patient_id}",
        f"opened the record of patient {practice.patient_id} in call 7",
        f"set the payer and member id of patient {practice.patient_id}",
        "mapped the payer text of 3 patients to plans",
        "something new: widget 3",
    ]


def test_empty_trail(ctx: Context, practice: Practice) -> None:
    assert events(ctx) == []


def test_what_the_booker_said_to_the_checks_reads_plainly(
    ctx: Context, practice: Practice
) -> None:
    """A physician's order and accepted warnings are in the booking's own audit line."""
    newcomer = directory.add_patient(ctx, staff="desk", name="Avery Quinn",
                                     dob=date(1990, 4, 1), phone="918-555-0177")
    first = scheduling.book(ctx, staff="desk", patient_id=newcomer.id, visit_type="follow-up",
                            provider_id=practice.able, location_id=practice.location_id,
                            start=THU_NINE, ordered_by_physician=True)
    second = scheduling.book(ctx, staff="desk", patient_id=newcomer.id,
                             visit_type="med-management", provider_id=practice.baker,
                             location_id=practice.location_id, start=THU_TEN,
                             accept_warnings=["same-day"])
    booked = {e.entity_id: e.summary for e in events(ctx, action="appointment.book")}
    assert booked[first.id].endswith(f"(appointment {first.id}); ordered by the physician")
    assert booked[second.id].endswith(
        f"(appointment {second.id}); warnings accepted: same-day")
