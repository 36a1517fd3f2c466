"""``frontdesk audit``: the trail newest first, as a table or JSON, filtered; bad input exits 2."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from frontdesk.services.origin import real_os_user
from tests.cli.conftest import Desk, assert_clean

THU_TEN = datetime(2027, 3, 11, 16, 0, tzinfo=UTC)  # the clock: Wed 2027-03-10 09:00 Chicago
KEYS = {"id", "at", "staff", "staff_name", "action", "entity", "entity_id", "summary",
        "channel", "os_user"}
CLI = f"cli:{real_os_user()}"  # the channel and OS user of the cancel below


@pytest.fixture
def booked(desk: Desk) -> tuple[int, int]:
    first = desk.book(THU_TEN)
    desk.clock.advance(minutes=5)
    second = desk.book(THU_TEN + timedelta(hours=3), patient=desk.practice.other_patient_id)
    desk.clock.advance(minutes=5)
    result = desk.run("cancel", str(second.id), "--reason", "Jordan is away", "--as", "desk")
    assert result.exit_code == 0, result.output
    desk.clock.advance(minutes=5)
    return first.id, second.id


def test_table_newest_first_without_patient_names(desk: Desk, booked: tuple[int, int]) -> None:
    first, second = booked
    result = desk.run("audit", "--as", "mgr")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "6 audit event(s) from 2027-03-03 09:15 (America/Chicago), newest first"
    assert lines[1].split() == ["WHEN", "WHO", "VIA", "ACTION", "WHAT"]
    assert lines[2].split()[:5] == ["2027-03-10", "09:10:00", "system", CLI, "callback.cancel"]
    assert lines[3].split()[:5] == ["2027-03-10", "09:10:00", "desk", CLI, "appointment.cancel"]
    assert lines[4].split()[:5] == ["2027-03-10", "09:05:00", "system", "app", "callback.create"]
    assert lines[3].endswith(f"cancelled appointment {second}")  # 28 h ahead: not late
    assert f"booked facet-diagnostic at Test Clinic for Thu 11 Mar 10:00 with Dr. Avery Able " \
           f"(appointment {first})" in result.stdout
    assert "system" in result.stdout  # the callbacks the bookings created
    for name in ("Casey", "Testcase", "Jordan", "Sample", "away"):
        assert name not in result.stdout


def test_json_shape(desk: Desk, booked: tuple[int, int]) -> None:
    result = desk.run("audit", "--as", "mgr", "--json", "--action", "appointment.")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert isinstance(doc, list)
    assert len(doc) == 3
    assert all(set(item) == KEYS for item in doc)
    assert [item["action"] for item in doc] == ["appointment.cancel", "appointment.book",
                                                 "appointment.book"]
    top = doc[0]
    assert top["at"] == "2027-03-10T15:10:00+00:00"
    assert (top["staff"], top["staff_name"], top["entity"], top["entity_id"]) == (
        "desk", "Dana Desk", "appointment", booked[1])
    assert (top["channel"], top["os_user"]) == ("cli", real_os_user())


def test_filters(desk: Desk, booked: tuple[int, int]) -> None:
    first, second = booked

    def ids(*args: str) -> list[tuple[str, int]]:
        result = desk.run("audit", "--as", "mgr", "--json", *args)
        assert result.exit_code == 0, result.output
        return [(e["action"], e["entity_id"]) for e in json.loads(result.stdout)]

    mine = ids("--patient", str(desk.practice.other_patient_id))
    assert [a for a, _ in mine] == ["callback.cancel", "appointment.cancel", "callback.create",
                                    "appointment.book"]
    assert ids("--action", "appointment.book", "--limit", "1") == [("appointment.book", second)]
    assert ids("--staff", "desk", "--action", "callback.") == []  # the system made those
    assert len(ids("--staff", "DESK")) == 3
    assert ids("--since", "2027-03-10T09:05", "--until", "2027-03-10T09:06") == [
        ("callback.create", ids("--action", "callback.create")[0][1]),
        ("appointment.book", second)]
    assert ids("--since", "2027-03-10T15:10:00+00:00", "--action", "appointment.") == [
        ("appointment.cancel", second)]
    assert ids("--until", "2027-03-10") == []  # the day's start in Chicago: before it all
    assert len(ids("--since", "2027-03-10")) == 6  # whole day: everything (incl. cancels)
    assert ids("--since", "2027-03-11") == []


def test_default_is_the_last_seven_days(desk: Desk, booked: tuple[int, int]) -> None:
    desk.clock.advance(days=8)
    result = desk.run("audit", "--as", "mgr")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("No audit events from 2027-03-11 09:15")
    since = desk.run("audit", "--as", "mgr", "--json", "--since", "2027-03-01")
    assert len(json.loads(since.stdout)) == 6


def test_limit_says_there_may_be_more(desk: Desk, booked: tuple[int, int]) -> None:
    result = desk.run("audit", "--as", "mgr", "--limit", "2")
    assert result.exit_code == 0, result.output
    assert "Showing the newest 2; narrow the filters or raise --limit for more." in result.stdout


@pytest.mark.parametrize(("args", "message"), [
    (("--since", "last week"), "since: 'last week' is not an ISO date or time"),
    (("--until", "2027-13-01"), "until: '2027-13-01' is not an ISO date or time"),
    (("--since", "2027-03-10", "--until", "2027-03-09"), "until: must be after --since"),
    (("--staff", "nobody"), "staff: no staff member with username 'nobody'"),
    (("--patient", "999"), "patient: no patient with id 999"),
    (("--action", "appointment.*"), "action: an action such as appointment.cancel"),
])
def test_bad_input_exits_2_with_a_plain_message(desk: Desk, args: tuple[str, ...],
                                                message: str) -> None:
    before = desk.state()
    result = desk.run("audit", "--as", "mgr", *args)
    assert result.exit_code == 2, result.output
    assert_clean(result)
    assert result.stderr.strip() == f"error: {message}" or message in result.stderr
    assert result.stdout == ""
    assert desk.state() == before


@pytest.mark.parametrize("args", [("--limit", "0"), ("--patient", "0"), ("--limit", "x")])
def test_bad_numbers_are_usage_errors(desk: Desk, args: tuple[str, ...]) -> None:
    result = desk.run("audit", "--as", "mgr", *args)
    assert result.exit_code == 2
    assert_clean(result)


@pytest.mark.postgres
def test_on_postgresql(pg_desk: Desk) -> None:
    appt = pg_desk.book(THU_TEN)
    result = pg_desk.run("audit", "--as", "mgr", "--json", "--patient",
                         str(pg_desk.practice.patient_id))
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert [(e["action"], e["entity"]) for e in doc] == [
        ("callback.create", "callback_task"), ("appointment.book", "appointment")]
    assert doc[1]["entity_id"] == appt.id
    assert "Testcase" not in result.stdout
