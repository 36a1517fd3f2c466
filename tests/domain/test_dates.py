"""Everyday date words, relative to an explicit today (Tue 2026-11-24); a moment in words
("tomorrow 9:00"), relative to an explicit now."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from frontdesk.domain.calls import callback_default
from frontdesk.domain.dates import DateWordsError, parse_date_words, parse_when_words

TODAY = date(2026, 11, 24)  # a Tuesday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today", TODAY),
        ("Tomorrow", date(2026, 11, 25)),
        ("yesterday", date(2026, 11, 23)),
        ("2027-03-15", date(2027, 3, 15)),
        ("12/3", date(2026, 12, 3)),
        ("3/15/2027", date(2027, 3, 15)),
        ("next tue", date(2026, 12, 1)),
        ("tue", TODAY),
        ("thursday", date(2026, 11, 26)),
        ("next friday", date(2026, 11, 27)),
        ("last mon", date(2026, 11, 23)),
        ("in 2 weeks", date(2026, 12, 8)),
        ("in 3 days", date(2026, 11, 27)),
        ("1 month", date(2026, 12, 24)),
        ("2 days ago", date(2026, 11, 22)),
        ("March 15 2027", date(2027, 3, 15)),
    ],
)
def test_understood(text: str, expected: date) -> None:
    assert parse_date_words(text, today=TODAY) == expected


@pytest.mark.parametrize(
    "text", ["", "   ", "someday", "13/45", "next blursday", "'; DROP TABLE x;--", "x" * 500]
)
def test_not_understood_says_what_would_be(text: str) -> None:
    with pytest.raises(DateWordsError, match="date|understand"):
        parse_date_words(text, today=TODAY)


@pytest.mark.parametrize("text", ["in 9999 years", "in 99999999999999999999 days"])
def test_absurd_distances_are_refused_plainly(text: str) -> None:
    with pytest.raises(DateWordsError, match="too far"):
        parse_date_words(text, today=TODAY)


# --------------------------------------------------------------------------- a moment


TULSA = ZoneInfo("America/Chicago")
WED_1405 = datetime(2027, 3, 10, 14, 5, tzinfo=TULSA)


@pytest.mark.parametrize(("text", "expected"), [
    ("in 2 hours", datetime(2027, 3, 10, 16, 5, tzinfo=TULSA)),
    ("in 30 min", datetime(2027, 3, 10, 14, 35, tzinfo=TULSA)),
    ("4pm", datetime(2027, 3, 10, 16, 0, tzinfo=TULSA)),
    ("16:30", datetime(2027, 3, 10, 16, 30, tzinfo=TULSA)),
    ("tomorrow 9:00", datetime(2027, 3, 11, 9, 0, tzinfo=TULSA)),
    ("Tomorrow  9", datetime(2027, 3, 11, 9, 0, tzinfo=TULSA)),
    ("next tue at 10", datetime(2027, 3, 16, 10, 0, tzinfo=TULSA)),
    ("3/15 2:30 pm", datetime(2027, 3, 15, 14, 30, tzinfo=TULSA)),
    ("2027-03-15 10:00", datetime(2027, 3, 15, 10, 0, tzinfo=TULSA)),
    ("fri", datetime(2027, 3, 12, 9, 0, tzinfo=TULSA)),  # a day alone: the morning
    ("3/15", datetime(2027, 3, 15, 9, 0, tzinfo=TULSA)),
])
def test_a_moment_in_words(text: str, expected: datetime) -> None:
    assert parse_when_words(text, now=WED_1405) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("at 9", datetime(2027, 3, 10, 9, 0, tzinfo=TULSA)),  # a time today, not the 9th
    ("at 9:30", datetime(2027, 3, 10, 9, 30, tzinfo=TULSA)),
    ("at 4pm", datetime(2027, 3, 10, 16, 0, tzinfo=TULSA)),
])
def test_at_a_time_is_today(text: str, expected: datetime) -> None:
    assert parse_when_words(text, now=WED_1405) == expected


NEW_YEARS_EVE = datetime(2026, 12, 31, 15, 0, tzinfo=TULSA)


@pytest.mark.parametrize(("text", "expected"), [
    ("1/2 9:00", datetime(2027, 1, 2, 9, 0, tzinfo=TULSA)),
    ("1/2", datetime(2027, 1, 2, 9, 0, tzinfo=TULSA)),
    ("jan 2 10:00", datetime(2027, 1, 2, 10, 0, tzinfo=TULSA)),
    ("12/31 16:00", datetime(2026, 12, 31, 16, 0, tzinfo=TULSA)),  # today: this year
    ("1/2/2026 9:00", datetime(2026, 1, 2, 9, 0, tzinfo=TULSA)),  # its year, as written
])
def test_a_date_without_its_year_that_has_passed_is_next_years(
    text: str, expected: datetime
) -> None:
    assert parse_when_words(text, now=NEW_YEARS_EVE) == expected


@pytest.mark.parametrize("text", ["sun 2:30am", "3/14 2:00", "sun at 2:59 am"])
def test_a_time_the_clocks_skip_is_refused_with_the_real_one(text: str) -> None:
    with pytest.raises(DateWordsError, match="clocks go forward that night; try 0?3:"):
        parse_when_words(text, now=WED_1405)  # Sun 14 Mar 2027: 02:00 is 03:00
    assert parse_when_words("sun 3:30am", now=WED_1405).astimezone(ZoneInfo("UTC")) == (
        datetime(2027, 3, 14, 8, 30, tzinfo=ZoneInfo("UTC")))


def test_in_hours_counts_real_hours_across_the_dst_change() -> None:
    saturday_night = datetime(2027, 3, 13, 23, 0, tzinfo=TULSA)  # clocks go forward at 02:00
    assert parse_when_words("in 4 hours", now=saturday_night) == datetime(
        2027, 3, 14, 4, 0, tzinfo=TULSA)


@pytest.mark.parametrize(("text", "said"), [
    ("", "say when"),
    ("someday", "did not understand 'someday'"),
    ("25:00", "not a time"),
    ("13pm", "from 1 to 12"),
    ("tomorrow 25:00", "'25:00' is not a time"),
])
def test_a_moment_not_understood_says_what_would_be(text: str, said: str) -> None:
    with pytest.raises(DateWordsError, match=said):
        parse_when_words(text, now=WED_1405)


@pytest.mark.parametrize(("now", "offered"), [
    (datetime(2027, 3, 10, 9, 0, tzinfo=TULSA), "in 2 hours"),
    (datetime(2027, 3, 10, 15, 0, tzinfo=TULSA), "in 2 hours"),  # 17:00, as the desk closes
    (datetime(2027, 3, 10, 15, 1, tzinfo=TULSA), "tomorrow 9:00"),
    (datetime(2027, 3, 12, 16, 0, tzinfo=TULSA), "mon 9:00"),  # a Friday afternoon
    (datetime(2027, 3, 13, 10, 0, tzinfo=TULSA), "mon 9:00"),  # a Saturday
])
def test_a_callback_is_offered_for_two_hours_on_or_the_next_weekday_morning(
    now: datetime, offered: str
) -> None:
    assert callback_default(now) == offered
    assert parse_when_words(offered, now=now) > now
