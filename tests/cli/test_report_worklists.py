"""The daily report's worklist figures on the command line agree with the lists' own commands
(`confirmations --json`, `reminders status --json`, `recalls --json`) for the same day."""

from __future__ import annotations

import json
from typing import Any

from tests.cli.conftest import Desk, assert_clean
from tests.cli.test_confirmations import THU_NINE, THU_ONE


def as_json(desk: Desk, *args: str, who: str = "desk") -> Any:
    result = desk.run(*args, "--json", "--as", who)
    assert_clean(result)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def report(desk: Desk, day: str) -> dict[str, Any]:
    result = desk.run("report", "daily", "--date", day, "--format", "json", "--as",
                      desk.practice.manager)
    assert_clean(result)
    assert result.exit_code == 0, result.stderr
    found: dict[str, Any] = json.loads(result.stdout)["worklists"]
    return found


def test_the_report_counts_what_the_lists_list(desk: Desk) -> None:
    nine = desk.book(THU_NINE)
    desk.book(THU_ONE, patient=desk.practice.other_patient_id)
    done = desk.run("confirmations", "record", str(nine.id), "confirmed", "--as", "desk")
    assert done.exit_code == 0, done.stderr

    listed = as_json(desk, "confirmations", "--date", "2027-03-11")
    counted = report(desk, "2027-03-11")
    assert counted["confirmations"]["to_confirm"] == len(listed["rows"]) == 2
    assert counted["confirmations"]["confirmed"] == listed["confirmed"] == 1
    assert counted["confirmations"]["not_tried_yet"] == listed["to_call"] == 1

    outbox = as_json(desk, "reminders", "status", "--date", "2027-03-11")
    assert counted["reminders"]["sent"] == outbox["counts"]["sent"]
    assert counted["reminders"]["failed"] == outbox["counts"]["failed"]

    today = report(desk, "2027-03-10")
    due = as_json(desk, "recalls")
    assert sum(n for key, n in today["recalls"].items() if key.startswith("due_now")) == len(
        due if isinstance(due, list) else due.get("recalls", []))
