"""`frontdesk holidays install` and `frontdesk closures`."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from frontdesk.db.engine import make_engine
from tests.cli.conftest import Desk, assert_clean


def holiday_rows(desk: Desk) -> int:
    engine = make_engine(desk.db)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(
                "SELECT count(*) FROM closure WHERE kind = 'holiday'")).scalar_one())
    finally:
        engine.dispose()


def test_install_adds_the_years_holidays_once_and_audits(desk: Desk) -> None:
    first = desk.run("holidays", "install", "--year", "2027", "--as", "sched", "--json")
    assert first.exit_code == 0, first.stderr
    added = json.loads(first.stdout)["added"]
    assert added >= 12  # 11 federal holidays (some with observed days) + day after Thanksgiving
    again = desk.run("holidays", "install", "--year", "2027", "--as", "sched")
    assert again.exit_code == 0
    assert again.stdout.startswith("added 0 holiday closure(s) for 2027")
    assert holiday_rows(desk) == added
    assert desk.state()["audit_event"] == 2


def test_closures_lists_holidays_in_local_days(desk: Desk) -> None:
    desk.run("holidays", "install", "--year", "2027", "--as", "sched")
    listed = desk.run("closures", "--from", "2027-11-20", "--days", "10")
    assert listed.exit_code == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert "Thu 2027-11-25" in lines[1]
    assert "Thanksgiving Day" in lines[1]
    assert "Fri 2027-11-26" in lines[2]
    assert "Day after Thanksgiving" in lines[2]
    assert "whole practice" in lines[2]
    data = json.loads(desk.run("closures", "--from", "2027-11-20", "--days", "10",
                               "--json").stdout)
    assert [c["reason"] for c in data] == ["Thanksgiving Day", "Day after Thanksgiving"]
    assert data[0]["start"] == "2027-11-25T06:00:00+00:00"  # local midnight, CST


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["holidays", "install", "--year", "1999", "--as", "sched"], "--year"),
        (["holidays", "install", "--as", "sched"], "--year"),
        (["closures", "--from", "someday"], "from"),
        (["closures", "--days", "0"], "--days"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(desk: Desk, args: list[str], words: str) -> None:
    before = desk.state()
    result = desk.run(*args)
    assert result.exit_code == 2
    assert words in result.stderr
    assert_clean(result)
    assert desk.state() == before
    assert holiday_rows(desk) == 0
