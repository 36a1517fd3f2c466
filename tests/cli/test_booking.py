"""Slots, book, hold, show, status, reschedule, cancel and a day's appointments from the shell.

The frozen clock is Wed 2027-03-10 09:00 in Tulsa (15:00 UTC); minimum notice is 60 minutes;
Dr. Able (id 1) works Mon-Fri 08-12 and 13-17 at Test Clinic (id 1), one procedure suite (id 3).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

from sqlmodel import Session, select

from tests.cli.conftest import Desk, assert_clean, password_file

BOOK = ("book", "--patient", "1", "--visit-type", "facet-diagnostic", "--provider", "1",
        "--location", "1", "--region", "lumbar", "--levels", "L4-L5", "--side", "bilateral",
        "--as", "desk")


def test_slots_table_starts_after_minimum_notice_in_local_time(desk: Desk) -> None:
    result = desk.run("slots", "--visit-type", "facet-diagnostic", "--limit", "3")
    assert_clean(result)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["DAY", "START", "(local)", "PROVIDER", "LOCATION", "ROOM"]
    assert [line.split()[:2] for line in lines[1:4]] == [
        ["Wed", "2027-03-10T10:00"], ["Wed", "2027-03-10T10:15"], ["Wed", "2027-03-10T10:30"]]
    assert "1 Dr. Avery Able  1 Test Clinic  3 Procedure Suite" in lines[1]
    assert lines[-1].strip() == (
        "frontdesk book --visit-type facet-diagnostic --provider 1 --location 1 "
        "--start 2027-03-10T10:00 --patient ID --as USERNAME")


def test_slots_json_has_aware_utc_times(desk: Desk) -> None:
    result = desk.run("slots", "--visit-type", "facet-diagnostic", "--limit", "2", "--json")
    slots = json.loads(result.stdout)
    assert [s["start"] for s in slots] == ["2027-03-10T16:00:00+00:00",
                                          "2027-03-10T16:15:00+00:00"]
    assert slots[0]["room_id"] == desk.practice.procedure_room
    assert slots[0]["timezone"] == "America/Chicago"


def test_slots_from_everyday_words_cross_the_dst_change(desk: Desk) -> None:
    # "next tue" from Wed 10 March is 16 March, after clocks went forward on the 14th.
    result = desk.run("slots", "--visit-type", "follow-up", "--from", "next tue",
                      "--provider", "Baker", "--location", "test", "--limit", "1", "--json")
    assert result.exit_code == 0, result.stderr
    [slot] = json.loads(result.stdout)
    assert slot["start"] == "2027-03-16T13:00:00+00:00"  # 08:00 CDT
    assert slot["provider_id"] == desk.practice.baker
    text = desk.run("slots", "--visit-type", "follow-up", "--from", "3/16", "--provider", "2",
                    "--limit", "1").stdout
    assert text.splitlines()[1].split()[:2] == ["Tue", "2027-03-16T08:00"]


def test_slots_when_nothing_is_free(desk: Desk) -> None:
    result = desk.run("slots", "--visit-type", "massage", "--days", "5")  # Cole has no hours
    assert result.exit_code == 0
    assert result.stdout == "No free massage slot in the 5 days searched.\n"
    assert json.loads(desk.run("slots", "--visit-type", "massage", "--json").stdout) == []


def test_book_writes_the_visit_and_reads_it_back(desk: Desk) -> None:
    result = desk.run(*BOOK, "--start", "2027-03-11T09:00", "--region", "Lumbar",
                      "--levels", "l4-l5", "--side", "left")
    assert_clean(result)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert out.startswith("Booked appointment 3\n")  # 1 and 2: the patients' first visits
    assert "  when       Thu Mar 11 2027, 9:00 AM–9:30 AM CST\n" in out
    assert "  room       Procedure Suite (id 3)\n" in out
    assert "  procedure  lumbar, L4-L5, left\n" in out
    assert "Read back to the caller:\n  You are booked for a diagnostic facet joint " in out
    assert "\n  Please: Arrive 30 minutes early." in out
    state = desk.state()
    assert (state["appointment"], state["audit_event"]) == (3, 2)  # the booking, its callback
    assert state["appointments"][2][:3] == (3, "booked", 1)


def test_book_json_and_an_explicit_offset_mean_the_same_instant(desk: Desk) -> None:
    result = desk.run(*BOOK, "--start", "2027-03-11T10:00-06:00", "--json")
    assert result.exit_code == 0, result.stderr
    appt = json.loads(result.stdout)
    assert appt["start"] == "2027-03-11T16:00:00+00:00"
    assert appt["end"] == "2027-03-11T16:30:00+00:00"
    assert (appt["status"], appt["booked_by"], appt["version"]) == ("booked", "desk", 1)
    assert (appt["region"], appt["levels"], appt["side"]) == ("lumbar", "L4-L5", "bilateral")


def test_booking_a_taken_slot_exits_3_with_alternatives(desk: Desk) -> None:
    assert desk.run(*BOOK, "--start", "2027-03-11T09:00").exit_code == 0
    before = desk.state()
    again = desk.run("book", "--patient", "2", "--visit-type", "facet-diagnostic",
                     "--provider", "1", "--location", "1", "--as", "desk", "--region",
                     "lumbar", "--levels", "L4-L5", "--side", "left",
                     "--start", "2027-03-11T09:00-06:00")
    assert_clean(again)
    assert again.exit_code == 3
    assert again.stdout == ""
    lines = again.stderr.splitlines()
    assert lines[0] == "error: slot just taken; the next free slots are:"
    assert lines[1].split()[:3] == ["DAY", "START", "(local)"]
    starts = [line.split()[1] for line in lines[2:]]
    assert len(starts) == 5
    assert "2027-03-11T09:00" not in starts
    assert starts[0] == "2027-03-11T08:00"  # searched from two hours before the asked time
    assert desk.state() == before


def test_taken_slot_with_json_prints_alternatives_on_stdout(desk: Desk) -> None:
    desk.book(datetime(2027, 3, 11, 15, 0, tzinfo=UTC))
    result = desk.run(*BOOK, "--start", "2027-03-11T09:00", "--json")
    assert result.exit_code == 3
    doc = json.loads(result.stdout)
    assert doc["error"] == "slot just taken"
    assert len(doc["alternatives"]) == 5
    assert "2027-03-11T15:00:00+00:00" not in [a["start"] for a in doc["alternatives"]]
    assert "slot just taken" in result.stderr


def test_hold_then_show(desk: Desk) -> None:
    held = desk.run(*BOOK, "--start", "2027-03-11T09:00", "--hold", "--json")
    assert held.exit_code == 0, held.stderr
    appt = json.loads(held.stdout)
    assert appt["status"] == "held"
    assert appt["hold_expires_at"] == "2027-03-10T15:05:00+00:00"
    shown = desk.run("show", "--as", "desk", str(appt["id"]))
    assert shown.exit_code == 0
    assert "  held until 9:05 AM\n" in shown.stdout
    assert "  status     held\n" in shown.stdout


def test_show_json_round_trips_the_view(desk: Desk) -> None:
    booked = desk.book(datetime(2027, 3, 11, 15, 0, tzinfo=UTC))
    result = desk.run("show", "--as", "desk", str(booked.id), "--json")
    data = json.loads(result.stdout)
    assert data["id"] == booked.id
    assert data["patient_short"] == "Testcase, C."
    assert data["visit_type_code"] == "facet-diagnostic"
    assert data["version"] == 1
    text = desk.run("show", "--as", "desk", str(booked.id)).stdout
    assert text.splitlines()[0] == f"Appointment {booked.id}"
    assert "  version    1" in text


def test_status_confirm_then_check_in(desk: Desk) -> None:
    booked = desk.book(datetime(2027, 3, 10, 16, 0, tzinfo=UTC))  # today, 10:00 in Tulsa
    confirmed = desk.run("status", str(booked.id), "confirmed", "--as", "desk")
    assert confirmed.exit_code == 0, confirmed.stderr
    assert confirmed.stdout.startswith(f"Appointment {booked.id} is now confirmed\n")
    checked = desk.run("status", str(booked.id), "checked-in", "--as", "desk", "--json",
                       "--if-version", "2")
    assert json.loads(checked.stdout)["status"] == "checked_in"
    state = desk.state()
    assert state["appointments"][2][1:3] == ("checked_in", 3)
    assert state["audit_event"] == 4  # booking, relief-report callback, two status changes


def test_reschedule_moves_the_visit(desk: Desk) -> None:
    booked = desk.book(datetime(2027, 3, 11, 15, 0, tzinfo=UTC))
    moved = desk.run("reschedule", str(booked.id), "--start", "2027-03-16T10:00",
                     "--as", "desk", "--json")
    assert moved.exit_code == 0, moved.stderr
    data = json.loads(moved.stdout)
    assert data["start"] == "2027-03-16T15:00:00+00:00"  # 10:00 CDT
    assert data["version"] == 2
    text = desk.run("show", "--as", "desk", str(booked.id)).stdout
    assert "Tue Mar 16 2027, 10:00 AM–10:30 AM CDT" in text


def test_cancel_records_the_reason_and_late_flag(desk: Desk) -> None:
    soon = desk.book(datetime(2027, 3, 10, 16, 0, tzinfo=UTC))  # 10:00 today: a late cancel
    result = desk.run("cancel", str(soon.id), "--reason", "caller is ill", "--as", "desk")
    assert_clean(result)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"Cancelled appointment {soon.id}\n")
    assert "  status     cancelled (late cancel)\n" in result.stdout
    assert "  reason     caller is ill\n" in result.stdout
    later = desk.book(datetime(2027, 3, 12, 15, 0, tzinfo=UTC))
    data = json.loads(desk.run("cancel", str(later.id), "--reason", "moved away", "--as",
                               "desk", "--json").stdout)
    assert (data["status"], data["late_cancel"], data["cancel_reason"]) == (
        "cancelled", False, "moved away")


def test_stale_version_exits_4_and_writes_nothing(desk: Desk) -> None:
    booked = desk.book(datetime(2027, 3, 11, 15, 0, tzinfo=UTC))
    assert desk.run("status", str(booked.id), "confirmed", "--as", "desk").exit_code == 0
    before = desk.state()
    result = desk.run("cancel", str(booked.id), "--reason", "x", "--as", "desk",
                      "--if-version", "1", "--json")
    assert_clean(result)
    assert result.exit_code == 4
    assert result.stderr == (f"error: appointment {booked.id} was changed by someone else "
                             "meanwhile (now confirmed); look again before acting\n")
    assert json.loads(result.stdout)["current"]["version"] == 2
    assert desk.state() == before


def test_appointments_on_a_day_in_words(desk: Desk) -> None:
    desk.book(datetime(2027, 3, 11, 15, 0, tzinfo=UTC))
    desk.book(datetime(2027, 3, 11, 19, 0, tzinfo=UTC), patient=desk.practice.other_patient_id)
    result = desk.run("appointments", "--as", "desk", "--date", "tomorrow")
    assert_clean(result)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "Thu Mar 11 2027: 2 appointment(s)"
    assert lines[1].split()[:5] == ["ID", "TIME", "STATUS", "PATIENT", "VISIT"]
    assert lines[2].split()[:6] == ["3", "9:00", "AM–9:30", "AM", "booked", "Testcase,"]
    assert lines[3].split()[:6] == ["4", "1:00", "PM–1:30", "PM", "booked", "Sample,"]
    data = json.loads(desk.run("appointments", "--as", "desk", "--date", "2027-03-11",
                               "--location", "Test", "--json").stdout)
    assert [a["id"] for a in data] == [3, 4]


def test_appointments_on_an_empty_day(desk: Desk) -> None:
    result = desk.run("appointments", "--as", "desk", "--date", "3/12")
    assert result.exit_code == 0
    assert result.stdout == "No appointments on Fri Mar 12 2027.\n"
    assert json.loads(desk.run("appointments", "--as", "desk", "--json").stdout) == []


def test_booking_round_trip_on_postgresql(pg_desk: Desk) -> None:
    first = pg_desk.run(*BOOK, "--start", "2027-03-11T09:00", "--json")
    assert first.exit_code == 0, first.stderr
    assert json.loads(first.stdout)["start"] == "2027-03-11T15:00:00+00:00"
    before = pg_desk.state()
    again = pg_desk.run(*BOOK, "--start", "2027-03-11T09:00")
    assert again.exit_code == 3
    assert "slot just taken" in again.stderr
    assert pg_desk.state() == before
    listed = pg_desk.run("appointments", "--as", "desk", "--date", "tomorrow", "--json")
    assert [a["status"] for a in json.loads(listed.stdout)] == ["booked"]
    cancelled = pg_desk.run("cancel", "3", "--reason", "test", "--as", "desk")
    assert cancelled.exit_code == 0, cancelled.stderr
    assert pg_desk.state()["appointments"][2][1] == "cancelled"


def _medicare_and_a_scheduler(desk: Desk) -> None:
    from frontdesk.db.engine import make_engine, run_write
    from frontdesk.db.models import Patient

    engine = make_engine(desk.db)

    def work(session: Session) -> None:
        patient = session.get(Patient, desk.practice.patient_id)
        assert patient is not None
        patient.payer = "Medicare"

    try:
        run_write(engine, work)
    finally:
        engine.dispose()


def test_a_payer_rule_refuses_until_a_scheduler_overrides_with_a_reason(
        desk: Desk, tmp_path: Path) -> None:
    _medicare_and_a_scheduler(desk)
    three = (*BOOK, "--start", "2027-03-11T09:00", "--region", "lumbar",
             "--levels", "L3-L4, L4-L5, L5-S1", "--side", "bilateral")
    before = desk.state()
    refused = desk.run(*three)
    assert refused.exit_code == 6
    assert refused.stderr == (
        "error: Medicare (Novitas): at most 2 levels per session (3 asked) — booking anyway "
        "needs an override with a reason\n")
    not_allowed = desk.run(*three, "--override-reason", "physician's order")  # as desk
    assert not_allowed.exit_code == 6
    assert "needs a scheduler, manager or admin; ask one to book it" in not_allowed.stderr
    assert desk.state() == before  # nothing written
    by_name = desk.run(*three, "--override-reason", "physician's order", "--override-by", "sched")
    assert by_name.exit_code == 6  # a typed name alone authorises nothing
    assert "no terminal to ask sched's password on" in by_name.stderr
    guess = password_file(tmp_path, "what the receptionist guessed")
    guessed = desk.run(*three, "--override-reason", "physician's order", "--override-by", "sched",
                       "--override-password-file", guess)
    assert guessed.exit_code == 6
    assert guessed.stderr == "error: not proven: wrong username or password\n"
    after_guess = desk.state()
    assert after_guess.pop("audit_event") == before["audit_event"] + 1  # the failure, counted
    assert after_guess == {k: v for k, v in before.items() if k != "audit_event"}
    signed = password_file(tmp_path, desk.passwords["sched"])
    done = desk.run(*three, "--override-reason", "physician's order", "--override-by", "sched",
                    "--override-password-file", signed)
    assert done.exit_code == 0, done.stderr
    engine_state = desk.state()
    assert engine_state["appointment"] == 3  # with the patients' first visits
    assert engine_state["audit_event"] == 4  # the failure, the override, the booking, callback


FOLLOW_UP = ("book", "--patient", "1", "--visit-type", "follow-up", "--provider", "1",
             "--location", "1", "--as", "desk")


def _newcomer(desk: Desk) -> int:
    from frontdesk.db.engine import make_engine, run_write
    from frontdesk.db.models import Patient

    engine = make_engine(desk.db)

    def work(session: Session) -> int:
        patient = Patient(first_name="Robin", last_name="Newcomb", dob=date(1990, 1, 2),
                          phone="+19185550177", payer="BlueCross", created_at=desk.clock())
        session.add(patient)
        session.flush()
        return patient.id or 0

    try:
        return run_write(engine, work)
    finally:
        engine.dispose()


def test_a_warning_exits_7_until_accepted_and_the_acceptance_is_audited(desk: Desk) -> None:
    assert desk.run(*FOLLOW_UP, "--start", "2027-03-11T14:00").exit_code == 0
    before = desk.state()
    warned = desk.run(*FOLLOW_UP, "--start", "2027-03-11T09:00")
    assert_clean(warned)
    assert warned.exit_code == 7
    assert warned.stdout == ""
    assert warned.stderr == (
        "error: same day: the patient already has a follow-up at Thu Mar 11 14:00 at Test "
        "Clinic; already booked: the patient has a follow-up on Thu Mar 11 14:00 at Test Clinic"
        " — to book it anyway, accept: same-day, duplicate\n"
        "  (nothing was booked; book it anyway with --accept same-day --accept duplicate)\n")
    assert desk.state() == before
    half = desk.run(*FOLLOW_UP, "--start", "2027-03-11T09:00", "--accept", "same-day")
    assert half.exit_code == 7
    assert "accept: duplicate" in half.stderr
    unknown = desk.run(*FOLLOW_UP, "--start", "2027-03-11T09:00", "--accept", "sameday")
    assert unknown.exit_code == 2
    assert unknown.stderr.startswith("error: accept: 'sameday' is not a warning")
    assert desk.state() == before
    done = desk.run(*FOLLOW_UP, "--start", "2027-03-11T09:00", "--accept", "same-day",
                    "--accept", "duplicate", "--json")
    assert done.exit_code == 0, done.stderr
    booked = json.loads(done.stdout)["id"]
    from frontdesk.db.engine import make_engine
    from frontdesk.db.models import AuditEvent

    engine = make_engine(desk.db)
    try:
        with Session(engine) as session:
            event = session.exec(select(AuditEvent).where(AuditEvent.entity_id == booked)
                                 .where(AuditEvent.action == "appointment.book")).one()
    finally:
        engine.dispose()
    assert event.after is not None
    assert event.after["checks"] == {"accepted_warnings": ["same-day", "duplicate"]}


def test_a_first_visit_needs_the_evaluation_or_ordered(desk: Desk) -> None:
    newcomer = str(_newcomer(desk))
    args = ("book", "--patient", newcomer, "--visit-type", "trigger-point", "--provider", "1",
            "--location", "1", "--as", "desk", "--start", "2027-03-11T09:00",
            "--region", "cervical", "--side", "left")
    before = desk.state()
    refused = desk.run(*args)
    assert refused.exit_code == 2
    assert refused.stderr == (
        "error: visit_type: this would be a first visit for this patient: a first visit is "
        "the new-patient evaluation, unless a physician ordered this visit (then say so: "
        "ordered by the physician)\n")
    missing = desk.run(*args[:-4], "--ordered")
    assert missing.exit_code == 2
    assert missing.stderr.startswith("error: region: a trigger point injection needs")
    assert desk.state() == before
    ordered = desk.run(*args, "--ordered")
    assert ordered.exit_code == 0, ordered.stderr
    assert "Read back to the caller:\n  You are booked for a trigger point injection " \
           "(cervical left)." in ordered.stdout


def test_reschedule_prints_the_read_back_and_takes_missing_details(desk: Desk) -> None:
    booked = desk.book(datetime(2027, 3, 11, 15, 0, tzinfo=UTC))
    moved = desk.run("reschedule", str(booked.id), "--start", "2027-03-16T10:00",
                     "--as", "desk", "--side", "left")
    assert moved.exit_code == 0, moved.stderr
    assert "Read back to the caller:\n  Your diagnostic facet joint injection (medial " \
           "branch block) (lumbar L4-L5 left) is moved to a new time." in moved.stdout
    assert "  When: Tuesday, March 16, at 10:00 AM (about 30 minutes)." in moved.stdout
    assert "  Arrive by: 9:30 AM (30 minutes early)." in moved.stdout
