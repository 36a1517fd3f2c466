"""A date of birth is typed as a date with its full year, never in words about today: a bad
one is answered with an example of a birth date, not "tomorrow"."""

from __future__ import annotations

from datetime import date

import pytest

from frontdesk.domain.dates import BIRTH_EXAMPLE, DateWordsError, parse_birth_date


@pytest.mark.parametrize("typed", ["1958-04-23", "4/23/1958", "04/23/1958", "4-23-1958",
                                   "April 23, 1958", "23 Apr 1958", " 4/23/1958 "])
def test_birth_dates_are_read_as_the_desk_says_them(typed: str) -> None:
    assert parse_birth_date(typed) == date(1958, 4, 23)


@pytest.mark.parametrize("typed", ["tomorrow", "today", "next tue", "in 2 weeks", "4/23",
                                   "4/23/58", "May 1958", "13/45/1958", "", "Robert'); DROP"])
def test_anything_else_gets_a_birth_date_example_and_no_date_words(typed: str) -> None:
    with pytest.raises(DateWordsError) as refused:
        parse_birth_date(typed)
    said = str(refused.value)
    assert said.endswith(f"write it like {BIRTH_EXAMPLE}")
    assert BIRTH_EXAMPLE == "1970-05-17 or 5/17/1970"
    for word in ("tomorrow", "next tue"):
        assert word not in said or word == typed.strip()
