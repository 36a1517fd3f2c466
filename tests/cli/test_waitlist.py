"""`frontdesk waitlist list | add | matches`: who runs it is proven as for every command; bad
input is said plainly and writes nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from tests.cli.conftest import Desk, assert_clean

THU_TEN = datetime(2027, 3, 11, 16, 0, tzinfo=UTC)  # Thu 11 Mar 2027 10:00 in Tulsa


def test_add_list_and_the_matches_for_a_cancelled_visit(desk: Desk) -> None:
    p = desk.practice
    added = desk.run("waitlist", "add", "--patient", str(p.other_patient_id), "--visit-type",
                     "facet-diagnostic", "--region", "lumbar", "--levels", "L4-L5", "--side",
                     "left", "--days", "tue-thu", "--from", "8", "--to", "12:00", "--until",
                     "2027-04-30", "--location", "Test Clinic", "--as", "desk")
    assert added.exit_code == 0, added.stderr
    assert added.stdout.startswith("Added waitlist entry 1: Diagnostic facet joint injection")
    assert "Tue, Wed, Thu · 08:00–12:00 · until Fri 30 Apr" in added.stdout

    listed = desk.run("waitlist", "list", "--as", "desk", "--json")
    assert listed.exit_code == 0, listed.stderr
    (entry,) = json.loads(listed.stdout)
    assert (entry["patient"], entry["weekdays"], entry["until"]) == (
        "Sample, J.", [1, 2, 3], "2027-04-30")

    visit = desk.book(THU_TEN)  # someone else's block, then cancelled
    cancelled = desk.run("cancel", str(visit.id), "--reason", "called off", "--as", "desk")
    assert cancelled.exit_code == 0, cancelled.stderr
    assert cancelled.stdout.rstrip().endswith(
        f"1 on the waitlist could take this time: frontdesk waitlist matches --appointment "
        f"{visit.id}")
    assert "Sample" not in cancelled.stdout  # a count, no names
    matched = desk.run("waitlist", "matches", "--appointment", str(visit.id), "--as", "desk")
    assert matched.exit_code == 0, matched.stderr
    lines = matched.stdout.splitlines()
    assert lines[0].split() == ["ENTRY", "PATIENT", "PHONE", "START", "WITH", "WHY"]
    assert "Sample, J." in lines[1]
    assert "Thu 2027-03-11 10:00" in lines[1]
    assert "no visit yet" in lines[1]


def test_unproven_or_bad_input_writes_nothing(desk: Desk) -> None:
    before = desk.state()
    p = desk.practice
    unproven = desk.run("waitlist", "add", "--patient", str(p.patient_id), "--visit-type",
                        "follow-up", "--as", "desk", "--password-file", "/nonexistent")
    assert unproven.exit_code != 0
    assert_clean(unproven)
    bad_days = desk.run("waitlist", "add", "--patient", str(p.patient_id), "--visit-type",
                        "follow-up", "--days", "someday", "--as", "desk")
    assert bad_days.exit_code != 0
    assert "'someday' is not a day" in bad_days.stderr
    assert_clean(bad_days)
    both = desk.run("waitlist", "add", "--patient", str(p.patient_id), "--as", "desk")
    assert "give --visit-type or --appointment" in both.stderr
    assert desk.state() == before
    assert desk.run("waitlist", "list", "--as", "desk").stdout.startswith("Nobody is waiting")
