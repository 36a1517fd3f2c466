"""`frontdesk report daily`: every format, --output (owner-only), bad input, and no patient
names anywhere."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import Result
from sqlalchemy import text

from frontdesk.db.engine import make_engine
from frontdesk.domain.calls import CallOutcome
from frontdesk.services import calls, demo
from frontdesk.services.context import Context
from frontdesk.services.demo.activity import RETURNING
from frontdesk.services.demo.content import demo_password
from tests.cli.conftest import Desk, assert_clean, invoke
from tests.conftest import FrozenClock

FORMATS = ("text", "csv", "json", "html")
CHICAGO = ZoneInfo("America/Chicago")


def daily(desk: Desk, *args: str, **kwargs: Any) -> Result:
    """``frontdesk report daily`` as the practice's manager."""
    return desk.run("report", "daily", "--as", desk.practice.manager, *args, **kwargs)


def demo_daily(db: str, *args: str, **kwargs: Any) -> Result:
    """``frontdesk report daily`` on the demo practice as its manager, Maria."""
    return invoke("--db", db, "report", "daily", "--as", "maria", *args,
                  passwords={"maria": demo_password("maria")}, **kwargs)


@pytest.fixture
def busy_desk(desk: Desk) -> Desk:
    """The tiny practice with, today (Wed 2027-03-10): one visit booked for Casey Testcase, one
    for Jordan Sample, a call logged as booked and a call still open."""
    first = desk.book(datetime(2027, 3, 10, 14, 0, tzinfo=CHICAGO))
    desk.book(datetime(2027, 3, 10, 15, 0, tzinfo=CHICAGO),
              patient=desk.practice.other_patient_id)
    engine = make_engine(desk.db)
    try:
        ctx = Context(engine=engine, clock=desk.clock)
        call = calls.start_call(ctx, staff="desk")
        call = calls.save_draft(ctx, staff="desk", call_id=call.id,
                                expected_version=call.version,
                                patient_id=desk.practice.patient_id)  # the caller, identified
        calls.finish_call(ctx, staff="desk", call_id=call.id, expected_version=call.version,
                          outcome=CallOutcome.BOOKED, appointment_id=first.id)
        calls.start_call(ctx, staff="desk")
    finally:
        engine.dispose()
    return desk


def test_text_is_the_default(busy_desk: Desk) -> None:
    result = daily(busy_desk)
    assert_clean(result)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "DAILY REPORT  Wed Mar 10 2027  All locations"
    assert lines[1] == "As of 9:00 AM CST (America/Chicago)"
    assert "Appointments on the day: 2" in lines
    assert "Bookings made: 2" in lines
    assert "Calls logged: 1 (practice-wide)" in lines
    assert max(len(line) for line in lines) <= 80
    assert result.stderr == ""


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_succeeds(busy_desk: Desk, fmt: str) -> None:
    result = daily(busy_desk, "--format", fmt)
    assert_clean(result)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    if fmt == "json":
        assert json.loads(out)["appointment_totals"]["total"] == 2
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        assert {r["section"] for r in rows} == {"appointments", "bookings", "calls", "funnel",
                                                "worklists", "utilisation", "trend"}
    elif fmt == "html":
        assert out.startswith("<!DOCTYPE html>")
        assert out.rstrip().endswith("</html>")
    else:
        assert out.startswith("DAILY REPORT")


def test_json_counts_what_happened(busy_desk: Desk) -> None:
    result = daily(busy_desk, "--format", "json", "--date", "2027-03-10",
                           "--location", "test")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert (doc["date"], doc["location"], doc["timezone"], doc["as_of"]) == (
        "2027-03-10", "Test Clinic", "America/Chicago", "2027-03-10T15:00:00Z")
    assert [(a["visit_type"], a["booked"], a["total"]) for a in doc["appointments"]] == [
        ("facet-diagnostic", 2, 2)]
    assert doc["bookings"] == [{
        "staff": "desk", "staff_name": "Dana Desk", "location": "Test Clinic",
        "visit_type": "facet-diagnostic",
        "visit_name": "Diagnostic facet joint injection (medial branch block)", "count": 2}]
    assert doc["calls"]["logged"] == 1
    assert doc["calls"]["booked_share"] == 1.0
    assert doc["calls"]["still_open"] == 1
    assert doc["calls"]["scope"] == "practice"
    assert doc["utilisation"][0] == {"location": "Test Clinic", "provider": None,
                                     "booked_minutes": 60, "template_minutes": 960,
                                     "utilisation": 0.062}
    assert doc["trend"][-1] == {"date": "2027-03-10", "bookings": 2, "cancellations": 0,
                                "no_shows": 0}


def test_yesterday_is_the_day_before(busy_desk: Desk) -> None:
    doc = json.loads(daily(busy_desk, "--date", "yesterday",
                                   "--format", "json").stdout)
    assert doc["date"] == "2027-03-09"
    assert doc["appointment_totals"]["total"] == 0
    assert doc["as_of"] == "2027-03-10T06:00:00Z"  # the end of that day


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_output_writes_an_owner_only_file(busy_desk: Desk, tmp_path: Path) -> None:
    target = tmp_path / "daily.csv"
    result = daily(busy_desk, "--format", "csv", "--output", str(target))
    assert_clean(result)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == f"wrote the daily report for 2027-03-10 to {target}\n"
    assert mode(target) == 0o600
    assert target.read_text(encoding="utf-8").startswith("date,section,location,")


def test_output_replaces_a_readable_file_with_an_owner_only_one(busy_desk: Desk,
                                                                tmp_path: Path) -> None:
    target = tmp_path / "daily.html"
    target.write_text("old")
    os.chmod(target, 0o644)
    result = daily(busy_desk, "--format", "html", "--output", str(target))
    assert result.exit_code == 0, result.stderr
    assert mode(target) == 0o600
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]  # no temp left


@pytest.mark.parametrize(("where", "message"), [
    ("missing/daily.txt", "does not exist"),
    (".", "is a folder"),
])
def test_output_to_a_bad_place_exits_2(desk: Desk, tmp_path: Path, where: str,
                                       message: str) -> None:
    result = daily(desk, "--output", str(tmp_path / where))
    assert_clean(result)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("error: output: ")
    assert message in result.stderr
    assert not (tmp_path / "missing").exists()


@pytest.mark.parametrize("day", ["2027-13-01", "tomorrow", "9999-12-31", "0001-01-01"])
def test_a_bad_date_exits_2_and_writes_nothing(desk: Desk, tmp_path: Path, day: str) -> None:
    target = tmp_path / "r.txt"
    result = daily(desk, "--date", day, "--output", str(target))
    assert_clean(result)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("error: date: ")
    assert not target.exists()


def test_a_bad_date_message_says_what_to_write(desk: Desk) -> None:
    result = daily(desk, "--date", "10/3")
    assert result.stderr == ("error: date: '10/3' is not a date; write it like 2027-03-10, "
                             "'today' or 'yesterday'\n")


def test_an_unknown_location_exits_2_with_the_choices(desk: Desk) -> None:
    result = daily(desk, "--location", "Nowhere")
    assert_clean(result)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "error: location: no location 'Nowhere'; choose one of Test Clinic\n"


def test_a_bad_format_is_a_usage_error(desk: Desk) -> None:
    result = daily(desk, "--format", "pdf")
    assert result.exit_code == 2
    assert "--format" in result.stderr


# --------------------------------------------------------------------------- the demo practice


@pytest.fixture
def demo_db(sqlite_url: str, clock: FrozenClock) -> str:
    engine = make_engine(sqlite_url)
    try:
        demo.seed_demo(Context(engine=engine, clock=clock))
    finally:
        engine.dispose()
    return sqlite_url


def _patient_names(db: str) -> list[str]:
    engine = make_engine(db)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT first_name, last_name FROM patient")).all()
    finally:
        engine.dispose()
    return [n for first, last in rows for n in (f"{first} {last}", f"{last}, {first[0]}.")]


def _override_days(db: str) -> list[str]:
    engine = make_engine(db)
    try:
        with engine.connect() as conn:
            moments = conn.execute(text(
                "SELECT at FROM audit_event WHERE action = 'payer.override'")).scalars().all()
    finally:
        engine.dispose()
    days = set()
    for at in moments:
        moment = at if isinstance(at, datetime) else datetime.fromisoformat(str(at))
        days.add(moment.replace(tzinfo=moment.tzinfo or UTC).astimezone(CHICAGO).date())
    return [d.isoformat() for d in sorted(days)[:2]]


def test_no_patient_name_in_any_format(demo_db: str, clock: FrozenClock) -> None:
    names = _patient_names(demo_db)
    assert len(names) == 2 * (200 + RETURNING)  # "First Last" and "Last, F." of each
    days = ["today", "yesterday", *_override_days(demo_db)]
    for day in days:
        for fmt in FORMATS:
            result = demo_daily(demo_db, "--date", day, "--format", fmt,
                            clock=clock)
            assert result.exit_code == 0, result.stderr
            out = result.stdout
            leaked = [n for n in names if n in out]
            assert leaked == [], (day, fmt, leaked[:3])
            if fmt == "text":
                assert max(len(line) for line in out.splitlines()) <= 80


def test_demo_location_by_part_and_ambiguity(demo_db: str, clock: FrozenClock) -> None:
    result = demo_daily(demo_db, "--location", "midtown",
                    "--format", "json", clock=clock)
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["location"] == "Tulsa Midtown"
    assert {a["location"] for a in doc["appointments"]} <= {"Tulsa Midtown"}
    everywhere = json.loads(demo_daily(demo_db, "--format", "json",
                                   clock=clock).stdout)
    assert doc["calls"] == everywhere["calls"]  # calls stay practice-wide
    result = demo_daily(demo_db, "--location", "tulsa", clock=clock)
    assert result.exit_code == 2
    assert result.stderr == ("error: location: 'tulsa' could be Tulsa Midtown or Tulsa South; "
                             "give the full name\n")
