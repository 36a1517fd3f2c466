"""`frontdesk confirmations`: the day's list (plain and --json), audited; `confirmations record`
for a call's outcome, with who runs it proven and the list's permission, against the version
seen. The clock: Wed 10 Mar 2027, 09:00 in Tulsa."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from frontdesk.db.engine import make_engine
from frontdesk.domain import permissions
from frontdesk.domain.model import Role
from frontdesk.domain.permissions import Permission
from tests.cli.conftest import Desk, assert_clean

THU_NINE = datetime(2027, 3, 11, 15, tzinfo=UTC)  # 09:00 in Tulsa
THU_ONE = datetime(2027, 3, 11, 19, tzinfo=UTC)  # 13:00
FRI_NINE = datetime(2027, 3, 12, 15, tzinfo=UTC)


def outreach(desk: Desk) -> list[tuple[int, str, str]]:
    engine = make_engine(desk.db)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(
                "SELECT appointment_id, outcome, note FROM outreach ORDER BY id"))]
    finally:
        engine.dispose()


def last_audit(desk: Desk) -> tuple[str, str]:
    engine = make_engine(desk.db)
    try:
        with engine.connect() as conn:
            row = conn.execute(text(
                "SELECT action, after FROM audit_event ORDER BY id DESC LIMIT 1")).one()
            return row[0], row[1]
    finally:
        engine.dispose()


def test_the_next_working_day_s_list_plain_and_json(desk: Desk) -> None:
    nine = desk.book(THU_NINE)
    one = desk.book(THU_ONE, patient=desk.practice.other_patient_id)
    desk.book(FRI_NINE)

    result = desk.run("confirmations", "--as", "desk")
    assert_clean(result)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == ("Confirmations · All locations · Thu Mar 11 2027: 0 of 2 reached · "
                        "0 confirmed · 2 to call")
    assert lines[1].split()[:3] == ["ID", "TIME", "PATIENT"]
    assert lines[2].startswith(f"{nine.id}   9:00 AM  Testcase, Casey  (918) 555-0111")
    assert "* facet-diagnostic" in lines[2]
    assert "to call" in lines[2]
    assert lines[2].endswith("arrive by 8:30 AM (30 min early) · driver if sedated")
    assert lines[3].startswith(f"{one.id}   1:00 PM  Sample, Jordan")
    action, after = last_audit(desk)
    assert action == "patient.list"
    assert (json.loads(after) if isinstance(after, str) else after) == {
        "command": "confirmations", "rows": 2}

    data = json.loads(desk.run("confirmations", "--date", "fri", "--location", "Test Clinic",
                               "--json", "--as", "desk").stdout)
    assert (data["day"], data["location"], data["to_call"]) == ("2027-03-12", "Test Clinic", 1)
    assert [r["standing"] for r in data["rows"]] == ["to-call"]
    assert data["rows"][0]["phone"] == "+19185550111"


def test_record_confirmed_then_no_answer_and_the_list_shows_it(desk: Desk) -> None:
    nine = desk.book(THU_NINE)
    one = desk.book(THU_ONE, patient=desk.practice.other_patient_id)

    done = desk.run("confirmations", "record", str(nine.id), "confirmed", "--as", "desk",
                    "--if-version", str(nine.version))
    assert_clean(done)
    assert done.exit_code == 0, done.stderr
    assert done.stdout.startswith(f"Appointment {nine.id}: confirmed (call recorded)")
    assert "status     confirmed" in done.stdout
    no_answer = desk.run("confirmations", "record", str(one.id), "No-Answer", "--note",
                         "rang twice", "--as", "desk", "--json")
    assert no_answer.exit_code == 0, no_answer.stderr
    assert json.loads(no_answer.stdout)["status"] == "booked"
    assert outreach(desk) == [(nine.id, "confirmed", ""), (one.id, "no-answer", "rang twice")]

    data = json.loads(desk.run("confirmations", "--date", "2027-03-11", "--json",
                               "--as", "desk").stdout)
    assert [(r["appointment_id"], r["standing"]) for r in data["rows"]] == [
        (nine.id, "confirmed"), (one.id, "no-answer")]
    assert (data["reached"], data["confirmed"]) == (1, 1)


def test_cancelled_and_wants_move_count_as_cancelled_or_moved(desk: Desk) -> None:
    nine = desk.book(THU_NINE)
    one = desk.book(THU_ONE, patient=desk.practice.other_patient_id)

    cancel = desk.run("confirmations", "record", str(nine.id), "cancelled", "--reason",
                      "Feeling better", "--as", "desk")
    assert_clean(cancel)
    assert cancel.exit_code == 0, cancel.stderr
    assert "status     cancelled" in cancel.stdout
    move = desk.run("confirmations", "record", str(one.id), "wants-move", "--as", "desk")
    assert move.exit_code == 0, move.stderr
    assert outreach(desk) == [(nine.id, "cancelled", ""), (one.id, "wants-move", "")]

    listed = desk.run("confirmations", "--date", "2027-03-11", "--as", "desk")
    assert listed.stdout.splitlines()[0].endswith(
        "1 of 1 reached · 0 confirmed · 0 to call · 2 cancelled or moved")
    assert "Cancelled or moved through the list:" in listed.stdout


def test_bad_input_changed_meanwhile_and_unproven_write_nothing(desk: Desk) -> None:
    nine = desk.book(THU_NINE)
    before = desk.state()

    wrong = desk.run("confirmations", "record", str(nine.id), "maybe", "--as", "desk")
    assert wrong.exit_code == 2
    assert "'maybe' is not one of" in wrong.stderr
    no_reason = desk.run("confirmations", "record", str(nine.id), "cancelled", "--as", "desk")
    assert no_reason.exit_code == 2
    assert "--reason" in no_reason.stderr
    stray = desk.run("confirmations", "record", str(nine.id), "confirmed", "--reason", "x",
                     "--as", "desk")
    assert stray.exit_code == 2
    assert "--reason goes with cancelled only" in stray.stderr
    unknown = desk.run("confirmations", "record", "999", "confirmed", "--as", "desk")
    assert unknown.exit_code == 2
    assert "no appointment with id 999" in unknown.stderr
    stale = desk.run("confirmations", "record", str(nine.id), "no-answer", "--as", "desk",
                     "--if-version", str(nine.version + 1))
    assert stale.exit_code == 4
    assert "changed by someone else meanwhile" in stale.stderr
    nobody = desk.run("confirmations", "record", str(nine.id), "confirmed")
    assert nobody.exit_code == 6
    bad_day = desk.run("confirmations", "--date", "someday", "--as", "desk")
    assert bad_day.exit_code == 2
    assert "date" in bad_day.stderr
    for result in (wrong, no_reason, stray, unknown, stale, nobody, bad_day):
        assert_clean(result)
    assert desk.state() == before
    assert outreach(desk) == []


def test_the_list_s_permission_holds_on_the_command_line(
        desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    nine = desk.book(THU_NINE)
    monkeypatch.setitem(permissions.LOWEST, Permission.CONFIRMATIONS, Role.SCHEDULER)
    listed = desk.run("confirmations", "--as", "desk")
    recorded = desk.run("confirmations", "record", str(nine.id), "confirmed", "--as", "desk")
    for result in (listed, recorded):
        assert_clean(result)
        assert result.exit_code == 6  # a refusal, as every command's
        assert "working the confirmation list needs a scheduler" in result.stderr
    assert outreach(desk) == []
    assert desk.run("confirmations", "--as", "sched").exit_code == 0
