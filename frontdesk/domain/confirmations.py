"""The confirmation list's rules (issue 21): what a call's outcome was, where each visit stands,
the order the desk calls in, what to remind the patient of, and the next working day.

Pure: the service reads the visits, their calls and the working hours, and asks these.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from enum import StrEnum

#: The ``Outreach.worklist`` of a confirmation call.
WORKLIST = "confirm"


class Outcome(StrEnum):
    """What a confirmation call came to (stored in ``Outreach.outcome``)."""

    CONFIRMED = "confirmed"
    LEFT_MESSAGE = "left-message"
    NO_ANSWER = "no-answer"
    CANCELLED = "cancelled"
    WANTS_MOVE = "wants-move"  # the visit was picked up to move when the call said so

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self]


OUTCOME_LABELS = {
    Outcome.CONFIRMED: "confirmed",
    Outcome.LEFT_MESSAGE: "left a message",
    Outcome.NO_ANSWER: "no answer",
    Outcome.CANCELLED: "cancelled",
    Outcome.WANTS_MOVE: "wants to move",
}


class Standing(StrEnum):
    """Where a visit on the list stands."""

    TO_CALL = "to-call"
    CONFIRMED = "confirmed"
    LEFT_MESSAGE = "left-message"
    NO_ANSWER = "no-answer"
    WANTS_MOVE = "wants-move"
    CANCELLED = "cancelled"
    # A visit of the day under way or over that no call was made about: its status.
    CHECKED_IN = "checked_in"
    COMPLETED = "completed"
    NO_SHOW = "no_show"

    @property
    def label(self) -> str:
        if self is Standing.TO_CALL:
            return "to call"
        return STATUS_WORDS.get(self.value) or Outcome(self.value).label

    @property
    def reached(self) -> bool:
        """The patient answered (or confirmed some other way): no need to call again."""
        return self in (Standing.CONFIRMED, Standing.WANTS_MOVE, Standing.CANCELLED)


#: The statuses of a visit under way or over, as its row on the list says them.
STATUS_WORDS = {"checked_in": "checked in", "completed": "completed", "no_show": "no-show"}
#: Visits still to happen, and those of the day under way or over: both are on a day's list
#: (so its counts and the report's survive the day's check-ins and no-shows).
TO_HAPPEN = ("booked", "confirmed")
OVER = tuple(STATUS_WORDS)


def standing(status: str, newest: str | None) -> Standing:
    """Where a visit stands from its status and the newest confirmation call's outcome (None:
    not called). A visit confirmed some other way (the patient rang, the day view's ``c``)
    stands confirmed whatever message was left before; a patient who asked to move stands so
    until another call says otherwise. A visit under way or over that nobody called stands as
    its status (checked in, completed, no-show), never "to call"."""
    if status == "cancelled":
        return Standing.CANCELLED
    if newest == Outcome.WANTS_MOVE.value:
        return Standing.WANTS_MOVE
    if status == "confirmed" or newest == Outcome.CONFIRMED.value:
        return Standing.CONFIRMED
    if newest in (Outcome.LEFT_MESSAGE.value, Outcome.NO_ANSWER.value):
        return Standing(newest)
    if status in OVER:
        return Standing(status)
    return Standing.TO_CALL


def order_key(*, is_procedure: bool, first_visit: bool, start: datetime, appointment_id: int
              ) -> tuple[bool, datetime, int]:
    """Procedures and first visits first (the costliest to lose), then by start time."""
    return (not (is_procedure or first_visit), start, appointment_id)


_DRIVER = re.compile(r"[^.]*\bdriver\b[^.]*", re.IGNORECASE)
_NO_DRIVER = re.compile(r"\bno driver\b|\bnot need", re.IGNORECASE)


def reminders(prep: str, *, early_min: int | None, start_local: datetime, is_procedure: bool,
              first_visit: bool) -> str:
    """What to remind the patient of, in a few words, from the visit type's prep and the
    booking: when to arrive, a driver for a procedure whose prep asks for one, what to bring.
    Nothing clinical: the prep's other sentences (and any medical question) are the clinical
    team's. E.g. "arrive by 7:15 AM (45 min early) · driver required"."""
    said: list[str] = []
    if early_min:
        arrive = start_local - timedelta(minutes=early_min)
        said.append(f"arrive by {_clock(arrive)} ({early_min} min early)")
    if is_procedure:
        for sentence in _DRIVER.findall(prep):
            if _NO_DRIVER.search(sentence):
                continue
            lowered = sentence.lower()
            said.append("driver if sedated" if "sedation" in lowered else
                        "driver required" if "required" in lowered or "must" in lowered
                        else "bring a driver")
            break
    lowered = prep.lower()
    if first_visit:
        said.append("bring insurance card, medication list")
    elif "medication bottles" in lowered:
        said.append("bring medication bottles")
    elif "medication" in lowered:
        said.append("bring medication list")
    return " · ".join(said)


def _clock(moment: datetime) -> str:
    """``7:15 AM``."""
    return f"{moment.hour % 12 or 12}:{moment:%M %p}"


def next_working_day(working_days: Iterable[date], visit_days: Iterable[date], *,
                     after: date) -> date:
    """The day to confirm by default: the first day after ``after`` with working hours (a
    weekend, a holiday and a closed day have none); with no hours ahead at all, the first day
    with visits; failing both, the next day."""
    later = sorted(d for d in working_days if d > after)
    if later:
        return later[0]
    visits = sorted(d for d in visit_days if d > after)
    return visits[0] if visits else after + timedelta(days=1)
