"""Bad input to every command: exit 2, stderr names the field, no traceback, nothing written.

The database holds the test practice and one booked visit (id 1, Mon 15 March 10:00 CDT);
"nothing written" compares row counts of appointment, patient and audit_event and every
appointment's status and version before and after.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.cli.conftest import Desk, assert_clean

LONG = "x" * 10_000
LONG_NAME = "x" * 5_000 + " " + "y" * 5_000
SQL = "Robert'); DROP TABLE patient;--"

BOOK = {"--patient": "1", "--visit-type": "facet-diagnostic", "--provider": "1",
        "--location": "1", "--start": "2027-03-11T09:00", "--as": "desk"}
ADD = {"--name": "Morgan Reyes", "--dob": "1961-04-02", "--phone": "918-555-0177",
       "--as": "desk"}


def _args(command: tuple[str, ...], base: dict[str, str], **changes: str | None) -> list[str]:
    options = dict(base)
    for key, value in changes.items():
        flag = "--" + key.rstrip("_").replace("_", "-")
        if value is None:
            options.pop(flag)
        else:
            options[flag] = value
    return [*command, *(part for pair in options.items() for part in pair)]


def book(**changes: str | None) -> list[str]:
    return _args(("book",), BOOK, **changes)


def add(**changes: str | None) -> list[str]:
    return _args(("patients", "add"), ADD, **changes)


CASES: list[tuple[str, list[str], str]] = [
    # book ------------------------------------------------------------------------------
    ("book-unknown-patient", book(patient="999"), "error: patient: no patient with id 999"),
    ("book-patient-zero", book(patient="0"), "'--patient'"),
    ("book-patient-not-a-number", book(patient="one"), "'--patient'"),
    ("book-patient-sql", book(patient=SQL), "'--patient'"),
    ("book-unknown-provider", book(provider="99"), "error: provider:"),
    ("book-provider-name-unknown", book(provider="Dr. Nobody"), "error: provider:"),
    ("book-provider-cannot-perform", book(provider="2"),
     "error: provider: Pat Baker, PA-C does not perform facet-diagnostic"),
    ("book-unknown-location", book(location="99"), "error: location: no location with id 99"),
    ("book-location-sql", book(location=SQL), "error: location:"),
    ("book-location-empty", book(location=""), "error: location:"),
    ("book-unknown-visit-type", book(visit_type="botox"), "error: visit-type: unknown"),
    ("book-visit-type-long", book(visit_type=LONG), "error: visit-type:"),
    ("book-visit-type-sql", book(visit_type=SQL), "error: visit-type:"),
    ("book-start-words", book(start="tomorrow 9am"), "error: start: 'tomorrow 9am' is not"),
    ("book-start-impossible-date", book(start="2027-02-30T09:00"), "error: start:"),
    ("book-start-long", book(start=LONG), "error: start:"),
    ("book-start-sql", book(start=SQL), "error: start:"),
    ("book-start-past", book(start="2027-03-09T10:00"), "error: start: is in the past"),
    ("book-start-year-1", book(start="0001-01-01T00:00+05:00"), "error: start:"),
    ("book-start-year-9999", book(start="9999-12-31T23:59"), "error: start:"),
    ("book-start-inside-notice", book(start="2027-03-10T09:30"),
     "error: start: is inside the minimum notice of 60 minutes"),
    ("book-start-off-hours", book(start="2027-03-11T07:00"), "error: start: is not within"),
    ("book-start-weekend", book(start="2027-03-13T09:00"), "error: start: is not within"),
    ("book-start-off-the-mark", book(start="2027-03-11T09:07"),
     "error: start: must be on a 15-minute mark"),
    ("book-start-beyond-horizon", book(start="2028-03-13T09:00"),
     "error: start: is beyond the booking horizon of 180 days"),
    ("book-start-in-dst-gap", book(start="2027-03-14T02:30"),
     "error: start: 2027-03-14T02:30 does not exist in America/Chicago"),
    ("book-unknown-room", [*book(), "--room", "99"], "error: room: no room 99"),
    ("book-wrong-kind-of-room", [*book(), "--room", "1"],
     "error: room: Exam 1 is not a procedure room"),
    ("book-bad-region", [*book(), "--region", "sacral"], "'--region'"),
    ("book-bad-side", [*book(), "--side", SQL], "'--side'"),
    ("book-levels-sql", [*book(), "--levels", SQL], "error: levels:"),
    ("book-levels-long", [*book(), "--levels", LONG], "error: levels:"),
    # slots -----------------------------------------------------------------------------
    ("slots-unknown-visit-type", ["slots", "--visit-type", "nope"], "error: visit-type:"),
    ("slots-visit-type-sql", ["slots", "--visit-type", SQL], "error: visit-type:"),
    ("slots-unknown-location", ["slots", "--visit-type", "follow-up", "--location", "Paris"],
     "error: location: no location 'Paris'; choose one of Test Clinic"),
    ("slots-unknown-provider", ["slots", "--visit-type", "follow-up", "--provider", "Zed"],
     "error: provider:"),
    ("slots-from-garbage", ["slots", "--visit-type", "follow-up", "--from", "someday"],
     "error: from: did not understand 'someday'"),
    ("slots-from-past", ["slots", "--visit-type", "follow-up", "--from", "yesterday"],
     "error: from: 2027-03-09 is in the past"),
    ("slots-from-far", ["slots", "--visit-type", "follow-up", "--from", "in 9999 years"],
     "error: from: 'in 9999 years' is too far from today"),
    ("slots-from-beyond-horizon", ["slots", "--visit-type", "follow-up", "--from", "in 1 year"],
     "error: from: 2028-03-10 is beyond the booking horizon"),
    ("slots-from-long", ["slots", "--visit-type", "follow-up", "--from", LONG],
     "error: from: is too long"),
    ("slots-days-zero", ["slots", "--visit-type", "follow-up", "--days", "0"], "'--days'"),
    ("slots-limit-words", ["slots", "--visit-type", "follow-up", "--limit", "ten"],
     "'--limit'"),
    ("slots-no-visit-type", ["slots"], "Missing option '--visit-type'"),
    # cancel ----------------------------------------------------------------------------
    ("cancel-unknown-appointment", ["cancel", "999", "--reason", "x", "--as", "desk"],
     "error: appointment: no appointment with id 999"),
    ("cancel-appointment-sql", ["cancel", SQL, "--reason", "x", "--as", "desk"],
     "'APPOINTMENT_ID'"),
    ("cancel-empty-reason", ["cancel", "1", "--reason", "   ", "--as", "desk"],
     "error: reason: say why"),
    ("cancel-long-reason", ["cancel", "1", "--reason", LONG, "--as", "desk"],
     "error: reason: keep it under 500 characters"),
    # reschedule ------------------------------------------------------------------------
    ("reschedule-unknown-appointment",
     ["reschedule", "999", "--start", "2027-03-11T09:00", "--as", "desk"],
     "error: appointment: no appointment with id 999"),
    ("reschedule-bad-start", ["reschedule", "1", "--start", "next week", "--as", "desk"],
     "error: start:"),
    ("reschedule-past", ["reschedule", "1", "--start", "2027-03-01T09:00", "--as", "desk"],
     "error: start: is in the past"),
    ("reschedule-unknown-provider",
     ["reschedule", "1", "--start", "2027-03-11T09:00", "--provider", "77", "--as", "desk"],
     "error: provider:"),
    ("reschedule-unknown-location",
     ["reschedule", "1", "--start", "2027-03-11T09:00", "--location", SQL, "--as", "desk"],
     "error: location:"),
    # status / show ---------------------------------------------------------------------
    ("status-unknown-status", ["status", "1", "arrived", "--as", "desk"], "'STATUS'"),
    ("status-cancelled-needs-cancel", ["status", "1", "cancelled", "--as", "desk"],
     "'STATUS'"),
    ("status-unknown-appointment", ["status", "999", "confirmed", "--as", "desk"],
     "error: appointment:"),
    ("status-future-completed", ["status", "1", "completed", "--as", "desk"],
     "error: status:"),
    ("show-unknown-appointment", ["show", "424242", "--as", "desk"], "error: appointment:"),
    ("show-zero", ["show", "0"], "'APPOINTMENT_ID'"),
    ("show-huge-id", ["show", "9" * 30], "'APPOINTMENT_ID'"),
    # appointments ----------------------------------------------------------------------
    ("appointments-garbage-date", ["appointments", "--date", "the day after", "--as", "desk"],
     "error: date: did not understand"),
    ("appointments-impossible-date", ["appointments", "--date", "13/45", "--as", "desk"],
     "error: date:"),
    ("appointments-far-date", ["appointments", "--date", "in 9999 years", "--as", "desk"],
     "error: date: 'in 9999 years' is too far from today"),
    ("appointments-overflowing-date",
     ["appointments", "--date", "in 99999999999999999999 days", "--as", "desk"],
     "error: date: 'in 99999999999999999999 days' is too far from today"),
    ("appointments-distant-date", ["appointments", "--date", "2999-01-01", "--as", "desk"],
     "error: date: pick a day within 10 years"),
    ("appointments-long-date", ["appointments", "--date", LONG, "--as", "desk"], "error: date:"),
    ("appointments-sql-location", ["appointments", "--location", SQL, "--as", "desk"],
     "error: location:"),
    # patients --------------------------------------------------------------------------
    ("find-empty", ["patients", "find", "  ", "--as", "desk"], "error: text:"),
    ("find-long", ["patients", "find", LONG, "--as", "desk"],
     "error: text: search text is at most 100"),
    ("add-phone-too-short", add(phone="12"), "error: phone: not a valid phone number"),
    ("add-phone-letters", add(phone="call me"), "error: phone:"),
    ("add-phone-long", add(phone=LONG), "error: phone:"),
    ("add-phone-sql", add(phone=SQL), "error: phone:"),
    ("add-empty-name", add(name=""), "error: name:"),
    ("add-one-name", add(name="Cher"), "error: name: enter both a first and a last name"),
    ("add-long-name", add(name=LONG_NAME), "error: name: names are at most 60 characters"),
    ("add-sql-name", add(name=SQL), "error: name:"),
    ("add-digits-in-name", add(name="R2 D2"), "error: name:"),
    ("add-future-dob", add(dob="2099-01-31"), "error: dob: date of birth is in the future"),
    ("add-relative-dob", add(dob="tomorrow"),
     "error: dob: 'tomorrow' is not a date of birth; write it like 1970-05-17 or 5/17/1970"),
    ("add-ancient-dob", add(dob="1850-01-01"), "error: dob:"),
    ("add-garbage-dob", add(dob="last christmas"), "error: dob:"),
    ("add-long-dob", add(dob=LONG), "error: dob:"),
    ("add-sql-dob", add(dob=SQL), "error: dob:"),
    ("add-unknown-location", add(location="Atlantis"), "error: location:"),
    ("add-long-payer", add(payer=LONG), "error: payer: at most 60 characters"),
    ("add-no-phone", add(phone=None), "Missing option '--phone'"),
    # lists -----------------------------------------------------------------------------
    ("rooms-unknown-location", ["rooms", "--location", "999"], "error: location:"),
    ("unknown-command", ["teleport"], "No such command 'teleport'"),
    ("unknown-theme", ["--theme", "neon"], "no theme 'neon'; choose one of: ansi-dark"),
]


@pytest.fixture
def booked(desk: Desk) -> Desk:
    desk.book(datetime(2027, 3, 15, 15, 0, tzinfo=UTC))  # Mon 10:00 CDT
    return desk


@pytest.mark.parametrize(("args", "expected"), [pytest.param(a, e, id=i) for i, a, e in CASES])
def test_bad_input_exits_2_names_the_field_and_writes_nothing(
    booked: Desk, args: list[str], expected: str
) -> None:
    before = booked.state()
    result = booked.run(*args)
    assert_clean(result)
    assert result.exit_code == 2, result.stdout + result.stderr
    assert expected in result.stderr
    assert result.stdout == ""
    assert len(result.stderr) < 2_000  # a 10,000-character value is never echoed back
    assert booked.state() == before


#: Who runs the command is not proven: exit 6, nothing written (tests/cli/test_identity.py has
#: the whole story).
UNPROVEN: list[tuple[str, list[str], str]] = [
    ("book-unknown-staff", book(**{"as": "ghost"}), "no terminal to ask ghost's password on"),
    ("book-staff-sql", book(**{"as": SQL}), "--as: not a staff username"),
    ("book-staff-long", book(**{"as": LONG}), "--as: not a staff username"),
    ("book-no-staff", book(**{"as": None}), "who is running this?"),
    ("cancel-unknown-staff", ["cancel", "1", "--reason", "x", "--as", "ghost"],
     "no terminal to ask ghost's password on"),
    ("reschedule-no-staff", ["reschedule", "1", "--start", "2027-03-11T09:00"],
     "who is running this?"),
    ("status-unknown-staff", ["status", "1", "confirmed", "--as", LONG],
     "--as: not a staff username"),
    ("show-no-staff", ["show", "1"], "who is running this?"),
    ("appointments-no-staff", ["appointments"], "who is running this?"),
    ("find-no-staff", ["patients", "find", "Testcase"], "who is running this?"),
    ("add-unknown-staff", add(**{"as": "ghost"}), "no terminal to ask ghost's password on"),
    ("holidays-unknown-staff", ["holidays", "install", "--year", "2027", "--as", "ghost"],
     "no terminal to ask ghost's password on"),
]


@pytest.mark.parametrize(("args", "expected"),
                         [pytest.param(a, e, id=i) for i, a, e in UNPROVEN])
def test_an_unproven_person_exits_6_and_nothing_is_written(
    booked: Desk, args: list[str], expected: str
) -> None:
    before = booked.state()
    result = booked.run(*args)
    assert_clean(result)
    assert result.exit_code == 6, result.stdout + result.stderr
    assert expected in result.stderr
    assert result.stderr.count("\n") == 1
    assert result.stdout == ""
    assert len(result.stderr) < 2_000
    assert booked.state() == before


@pytest.mark.parametrize("json_flag", [[], ["--json"]])
def test_service_errors_are_one_line(booked: Desk, json_flag: list[str]) -> None:
    result = booked.run(*add(phone="12"), *json_flag)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert result.stdout == ""


def test_bad_database_url_names_db_and_exits_2(desk: Desk) -> None:
    result = desk.run("locations", db="mysql://somewhere/frontdesk")
    assert_clean(result)
    assert result.exit_code == 2
    assert result.stderr == "error: db: unsupported database 'mysql'; use SQLite or PostgreSQL\n"
