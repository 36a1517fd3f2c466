"""The waitlist's words: days as people list them, and the sentence read to a waiting caller
(which, like every read-aloud sentence, interprets, promises and decides nothing)."""

from __future__ import annotations

import pytest

from frontdesk.domain.dates import DateWordsError, parse_weekday_words
from frontdesk.domain.pathway.script import waitlist_opening
from tests.domain.test_pathway_words import DECIDING, INTERPRETING, STAFF_ONLY, offending


@pytest.mark.parametrize(("typed", "days"), [
    ("", ()), ("any", ()), ("mon wed fri", (0, 2, 4)), ("Tue, Thursday", (1, 3)),
    ("mon-thu", (0, 1, 2, 3)), ("weekdays", (0, 1, 2, 3, 4)), ("sat/sun", (5, 6)),
])
def test_days_are_read_as_people_list_them(typed: str, days: tuple[int, ...]) -> None:
    assert parse_weekday_words(typed) == days


@pytest.mark.parametrize(("typed", "says"), [
    ("someday", "'someday' is not a day"), ("fri-mon", "write a range like mon-thu"),
])
def test_days_not_understood_say_how_to_write_them(typed: str, says: str) -> None:
    with pytest.raises(DateWordsError, match=says):
        parse_weekday_words(typed)


@pytest.mark.parametrize("moved", [False, True])
def test_the_offer_names_the_time_and_asks_nothing_more(moved: bool) -> None:
    said = waitlist_opening("Follow-up", "Thursday, March 11 at 10:00", "Dr. Avery Able",
                            "Test Clinic", moved=moved)
    assert said.startswith("A time has opened for your follow-up: Thursday, March 11 at "
                           "10:00, with Dr. Avery Able at Test Clinic.")
    assert ("instead of the time you have now" in said) is moved
    assert offending(said, INTERPRETING + DECIDING + STAFF_ONLY) == []
