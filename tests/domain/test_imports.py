"""Reading another system's cells: dates never guessed, times, lengths, statuses, yes/no and
column names; local times across the March and November 2027 changes in Chicago."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from frontdesk.domain.imports import (
    CellError,
    DateOrder,
    column_key,
    local_to_utc,
    read_date,
    read_duration,
    read_moment,
    read_status,
    read_time,
    read_yes_no,
    slashed_order,
)
from frontdesk.domain.model import Status

CHICAGO = "America/Chicago"


@pytest.mark.parametrize(("text", "order", "expected"), [
    ("1970-05-17", None, date(1970, 5, 17)),
    ("1970-5-7", None, date(1970, 5, 7)),
    ("19700517", None, date(1970, 5, 17)),
    ("1970/05/17", None, date(1970, 5, 17)),
    ("May 17, 1970", None, date(1970, 5, 17)),
    ("17 May 1970", None, date(1970, 5, 17)),
    ("17-may-1970", None, date(1970, 5, 17)),
    ("05/17/1970", None, date(1970, 5, 17)),  # 17 cannot be a month
    ("17/05/1970", None, date(1970, 5, 17)),
    ("05/05/1970", None, date(1970, 5, 5)),  # the same either way
    ("03/04/1980", DateOrder.MDY, date(1980, 3, 4)),
    ("03/04/1980", DateOrder.DMY, date(1980, 4, 3)),
    ("3-4-1980", DateOrder.MDY, date(1980, 3, 4)),
])
def test_dates_that_read_one_way(text: str, order: DateOrder | None, expected: date) -> None:
    assert read_date(text, order) == expected


@pytest.mark.parametrize(("text", "order", "reason"), [
    ("03/04/1980", None, "could be 4 March 1980 or 3 April 1980"),
    ("17/05/1970", DateOrder.MDY, "is not a month/day/year date"),
    ("05/17/70", DateOrder.MDY, "two-digit year"),
    ("1970-02-30", None, "is not a date on the calendar"),
    ("13/13/1970", None, "is not a date on the calendar"),
    ("yesterday", None, "is not a date"),
    ("", None, "is empty"),
])
def test_dates_that_are_refused(text: str, order: DateOrder | None, reason: str) -> None:
    with pytest.raises(CellError, match=reason):
        read_date(text, order)


def test_the_order_a_slashed_date_shows() -> None:
    assert slashed_order("05/17/1970") is DateOrder.MDY
    assert slashed_order("17/05/1970") is DateOrder.DMY
    assert slashed_order("03/04/1980") is None
    assert slashed_order("1970-05-17") is None


@pytest.mark.parametrize(("text", "expected"), [
    ("09:30", time(9, 30)), ("9:30", time(9, 30)), ("9:30 AM", time(9, 30)),
    ("9:30pm", time(21, 30)), ("12:15 a.m.", time(0, 15)), ("12 PM", time(12)),
    ("9am", time(9)), ("0930", time(9, 30)), ("14:00:00", time(14)),
])
def test_times_of_day(text: str, expected: time) -> None:
    assert read_time(text) == expected


@pytest.mark.parametrize("text", ["25:00", "13:00 PM", "nine", "9:61"])
def test_not_times_of_day(text: str) -> None:
    with pytest.raises(CellError):
        read_time(text)


@pytest.mark.parametrize(("text", "minutes"), [
    ("30", 30), ("30 min", 30), ("45 minutes", 45), ("1:15", 75), ("1h 15m", 75), ("2 hours", 120),
])
def test_lengths(text: str, minutes: int) -> None:
    assert read_duration(text) == minutes


@pytest.mark.parametrize("text", ["0", "721", "half an hour"])
def test_not_lengths(text: str) -> None:
    with pytest.raises(CellError):
        read_duration(text)


@pytest.mark.parametrize(("text", "status"), [
    ("", Status.BOOKED), ("Scheduled", Status.BOOKED), ("CONFIRMED", Status.CONFIRMED),
    ("Checked In", Status.CHECKED_IN), ("seen", Status.COMPLETED),
    ("Canceled", Status.CANCELLED), ("No-Show", Status.NO_SHOW), ("no show", Status.NO_SHOW),
    ("DNA", Status.NO_SHOW),
])
def test_statuses_as_old_systems_write_them(text: str, status: Status) -> None:
    assert read_status(text) is status


def test_an_unknown_status_names_the_choices() -> None:
    with pytest.raises(CellError, match="booked, confirmed, checked in, completed, cancelled"):
        read_status("waitlist")


@pytest.mark.parametrize(("text", "answer"), [
    ("yes", True), ("Y", True), ("TRUE", True), ("1", True), ("x", True), ("Opt-in", True),
    ("", False), ("no", False), ("0", False), ("opt out", False),
])
def test_yes_or_no(text: str, answer: bool) -> None:
    assert read_yes_no(text) is answer


def test_column_names_without_case_or_punctuation() -> None:
    assert column_key(" Date of Birth ") == "date_of_birth"
    assert column_key("DATE-OF-BIRTH") == "date_of_birth"
    assert column_key("Chart #") == "chart"


def test_local_times_either_side_of_the_spring_change() -> None:
    assert local_to_utc(read_moment("2027-03-12 09:00", None), CHICAGO) == datetime(
        2027, 3, 12, 15, tzinfo=UTC)
    assert local_to_utc(read_moment("03/15/2027 9:00 AM", DateOrder.MDY), CHICAGO) == datetime(
        2027, 3, 15, 14, tzinfo=UTC)
    assert local_to_utc(read_moment("2027-03-15T09:00-05:00", None), CHICAGO) == datetime(
        2027, 3, 15, 14, tzinfo=UTC)
    assert local_to_utc(read_moment("2027-03-15T14:00Z", None), CHICAGO) == datetime(
        2027, 3, 15, 14, tzinfo=UTC)


def test_a_time_the_clocks_skip_or_pass_twice_is_refused() -> None:
    with pytest.raises(CellError, match="does not exist in America/Chicago"):
        local_to_utc(read_moment("2027-03-14 02:30", None), CHICAGO)
    with pytest.raises(CellError, match="happens twice in America/Chicago"):
        local_to_utc(read_moment("2027-11-07 01:30", None), CHICAGO)


def test_a_moment_needs_its_time_of_day() -> None:
    with pytest.raises(CellError, match="has no time of day"):
        read_moment("2027-03-15", None)
