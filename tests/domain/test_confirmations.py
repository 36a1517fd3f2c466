"""The confirmation list's rules, without a database: where a visit stands, what to remind a
patient of (nothing clinical), the calling order and the next working day."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from frontdesk.domain.confirmations import (
    Standing,
    next_working_day,
    order_key,
    reminders,
    standing,
)

NINE = datetime(2027, 3, 11, 9, 0, tzinfo=ZoneInfo("America/Chicago"))


@pytest.mark.parametrize(("status", "newest", "expected"), [
    ("booked", None, Standing.TO_CALL),
    ("booked", "no-answer", Standing.NO_ANSWER),
    ("booked", "left-message", Standing.LEFT_MESSAGE),
    ("confirmed", None, Standing.CONFIRMED),  # confirmed some other way
    ("confirmed", "left-message", Standing.CONFIRMED),  # the patient rang back
    ("booked", "confirmed", Standing.CONFIRMED),
    ("confirmed", "wants-move", Standing.WANTS_MOVE),  # until another call says otherwise
    ("cancelled", "cancelled", Standing.CANCELLED),
])
def test_where_a_visit_stands(status: str, newest: str | None, expected: Standing) -> None:
    assert standing(status, newest) is expected


def test_only_an_answer_counts_as_reached() -> None:
    assert {s for s in Standing if s.reached} == {
        Standing.CONFIRMED, Standing.WANTS_MOVE, Standing.CANCELLED}
    assert Standing.TO_CALL.label == "to call"
    assert Standing.LEFT_MESSAGE.label == "left a message"


def test_a_driver_only_for_procedures_and_never_when_the_prep_says_none() -> None:
    assert reminders("A driver is required that day.", early_min=None, start_local=NINE,
                     is_procedure=False, first_visit=False) == ""
    assert reminders("No driver is needed.", early_min=None, start_local=NINE,
                     is_procedure=True, first_visit=False) == ""
    assert reminders("Bring a driver.", early_min=None, start_local=NINE, is_procedure=True,
                     first_visit=False) == "bring a driver"


def test_procedures_and_first_visits_are_called_first_then_by_time() -> None:
    at = datetime(2027, 3, 11, 15, tzinfo=UTC)
    later = datetime(2027, 3, 11, 19, tzinfo=UTC)
    keys = {
        "follow-up at 9": order_key(is_procedure=False, first_visit=False, start=at,
                                    appointment_id=1),
        "block at 1": order_key(is_procedure=True, first_visit=False, start=later,
                                appointment_id=2),
        "first visit at 9": order_key(is_procedure=False, first_visit=True, start=at,
                                      appointment_id=3),
    }
    assert sorted(keys, key=keys.__getitem__) == ["first visit at 9", "block at 1",
                                                  "follow-up at 9"]


def test_the_next_working_day_then_the_next_with_visits() -> None:
    fri, mon, tue = date(2027, 3, 12), date(2027, 3, 15), date(2027, 3, 16)
    assert next_working_day([fri, mon, tue], [], after=fri) == mon
    assert next_working_day([], [tue], after=fri) == tue  # no hours ahead: visits say
    assert next_working_day([], [], after=fri) == date(2027, 3, 13)
