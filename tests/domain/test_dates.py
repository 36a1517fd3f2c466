"""Everyday date words, relative to an explicit today (Tue 2026-11-24)."""

from __future__ import annotations

from datetime import date

import pytest

from frontdesk.domain.dates import DateWordsError, parse_date_words

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
