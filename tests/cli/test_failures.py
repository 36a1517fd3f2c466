"""When things go wrong that are not the person's input: one plain line and a documented code."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from frontdesk.db.engine import DatabaseBusyError
from frontdesk.services import directory, scheduling
from frontdesk.services.errors import Busy
from tests.cli.conftest import Desk, assert_clean, invoke

SECRET = "Casey Testcase 1970-05-17"


def _raiser(exc: BaseException) -> object:
    def fail(*_args: object, **_kwargs: object) -> object:
        raise exc

    return fail


def test_unreachable_postgresql_is_one_plain_line_exit_1() -> None:
    url = "postgresql+psycopg://desk:s3cret@127.0.0.1:1/frontdesk"
    result = invoke("--db", url, "locations")
    assert_clean(result)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(
        "error: cannot open the database postgresql+psycopg://desk:***@127.0.0.1:1/frontdesk: ")
    assert "s3cret" not in result.stderr
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("", "unable to open database file"),  # the folder itself
        ("garbage.db", "file is not a database"),
    ],
)
def test_unopenable_sqlite_file_exits_1(tmp_path: Path, name: str, reason: str) -> None:
    (tmp_path / "garbage.db").write_text("not sqlite", encoding="utf-8")
    target = tmp_path / name
    result = invoke("--db", str(target), "locations")
    assert_clean(result)
    assert result.exit_code == 1
    assert result.stderr == f"error: cannot open the database {target}: {reason}\n"


def test_unexpected_exception_names_only_its_type(desk: Desk,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(directory, "locations", _raiser(RuntimeError(SECRET)))
    result = desk.run("locations")
    assert_clean(result)
    assert result.exit_code == 1
    assert result.stderr == ("error: unexpected RuntimeError; set FRONTDESK_DEBUG=1 to see the "
                             "details\n")
    assert SECRET not in result.output


def test_debug_lets_the_traceback_through(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRONTDESK_DEBUG", "1")
    monkeypatch.setattr(directory, "locations", _raiser(RuntimeError("boom")))
    result = desk.run("locations")
    assert isinstance(result.exception, RuntimeError)


def test_a_database_error_shows_the_drivers_line_not_the_sql(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    error = OperationalError(f"SELECT * FROM patient WHERE name = '{SECRET}'", {"n": SECRET},
                             Exception("disk I/O error"))
    monkeypatch.setattr(directory, "find_patients", _raiser(error))
    result = desk.run("patients", "find", "--as", "desk", "casey")
    assert_clean(result)
    assert result.exit_code == 1
    assert result.stderr == "error: database error: disk I/O error\n"


@pytest.mark.parametrize("error", [Busy("locked"), DatabaseBusyError("locked")])
def test_busy_database_exits_5(desk: Desk, monkeypatch: pytest.MonkeyPatch,
                               error: Exception) -> None:
    monkeypatch.setattr(scheduling, "book", _raiser(error))
    result = desk.run("book", "--patient", "1", "--visit-type", "facet-diagnostic",
                      "--provider", "1", "--location", "1", "--start", "2027-03-11T09:00",
                      "--as", "desk")
    assert_clean(result)
    assert result.exit_code == 5
    assert result.stderr == "error: the database is busy; please try again\n"


def test_ctrl_c_exits_130_and_says_so(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scheduling, "appointments_on", _raiser(KeyboardInterrupt()))
    result = desk.run("appointments", "--as", "desk")
    assert_clean(result)
    assert result.exit_code == 130
    assert result.stderr == "error: interrupted\n"
