"""The command line obeys the same roles as the screens: `--as` names who acts or reads, a
role that may not gets exit 6 and one plain line, and nothing is written."""

from __future__ import annotations

import pytest

from tests.cli.conftest import Desk, assert_clean

REFUSED = [
    (("report", "daily"), "seeing the daily report needs a manager or admin"),
    (("audit",), "seeing the audit log needs a manager or admin"),
    (("holidays", "install", "--year", "2027"),
     "changing working hours and closures needs a scheduler, manager or admin"),
]


@pytest.mark.parametrize(("args", "message"), REFUSED)
def test_a_receptionist_is_refused_with_exit_6(desk: Desk, args: tuple[str, ...],
                                               message: str) -> None:
    before = desk.state()
    result = desk.run(*args, "--as", desk.practice.staff)
    assert_clean(result)
    assert result.exit_code == 6, result.stderr
    assert result.stderr == f"error: {message}\n"
    assert result.stdout == ""
    assert desk.state() == before


@pytest.mark.parametrize("args", [("report", "daily"), ("audit",)])
def test_a_manager_reads_and_an_unknown_name_is_not_proven(desk: Desk,
                                                           args: tuple[str, ...]) -> None:
    assert desk.run(*args, "--as", desk.practice.manager).exit_code == 0
    unknown = desk.run(*args, "--as", "ghost")
    assert unknown.exit_code == 6
    assert "no terminal to ask ghost's password on" in unknown.stderr
    missing = desk.run(*args)
    assert missing.exit_code == 6
    assert "--as" in missing.stderr
