"""Recalls: patients due for a next step, and where each stands after the desk's calls.

Pure. A recall has a stable key (``repeat:<appointment id>``, ``relief:<callback id>``,
``follow-up:<appointment id>``); the tries made on it are outreach rows with that key as their
subject. Which visit closes a recall by being booked, how tries and snoozes order and hide the
list, and what each outcome needs, are decided here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from frontdesk.domain.pathway.values import FOLLOW_UP, RFA_CONSULT, Procedure


class RecallKind(StrEnum):
    """What is due, in the order the list groups them."""

    REPEAT = "repeat"  # a repeat RFA or therapeutic injection becomes allowed
    RELIEF = "relief"  # a relief-report callback is overdue
    FOLLOW_UP = "follow-up"  # a procedure's next step is not booked

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS = {
    RecallKind.REPEAT: "Repeat procedure",
    RecallKind.RELIEF: "Relief callback",
    RecallKind.FOLLOW_UP: "No follow-up booked",
}


class RecallOutcome(StrEnum):
    """What came of one try."""

    BOOKED = "booked"  # the next step is booked (checked against the schedule)
    LEFT_MESSAGE = "left-message"
    NO_ANSWER = "no-answer"
    NOT_NOW = "not-now"  # the patient asked to be called again from a date
    DECLINED = "declined"  # the patient does not want it (with a note why)

    @property
    def label(self) -> str:
        return _OUTCOME_LABELS[self]


_OUTCOME_LABELS = {
    RecallOutcome.BOOKED: "Booked",
    RecallOutcome.LEFT_MESSAGE: "Left a message",
    RecallOutcome.NO_ANSWER: "No answer",
    RecallOutcome.NOT_NOW: "Not now",
    RecallOutcome.DECLINED: "Declined",
}
#: Outcomes that end a recall.
CLOSING = frozenset({RecallOutcome.BOOKED, RecallOutcome.DECLINED})
#: Outcomes where the patient was spoken to (the report's "reached").
REACHED = frozenset({RecallOutcome.BOOKED, RecallOutcome.NOT_NOW, RecallOutcome.DECLINED})
#: Outcomes where nobody was reached: the recall stays, after the untried ones for a while.
UNREACHED = frozenset({RecallOutcome.LEFT_MESSAGE, RecallOutcome.NO_ANSWER})


@dataclass(frozen=True, slots=True)
class RecallRules:
    """How far the list looks (defaults a practice manager would expect)."""

    look_ahead_days: int = 30  # a repeat shows this long before its first eligible date
    follow_up_days: int = 180  # a procedure's missing next step is looked for this long
    retry_days: int = 2  # an unanswered try this recent sorts the recall after untried ones
    repeat_years: int = 3  # the last procedure a repeat is looked for goes back this far


#: Visit types whose booking after the procedure closes each recall by itself: the pathway's
#: next steps after it (``domain/pathway/relief.py``): after an RFA that helped, an RFA consult
#: (or the RFA itself); after a therapeutic injection, the repeat (or, when relief wanes, an
#: RFA consult); after a diagnostic block, whatever its report calls for. A physician
#: follow-up closes each (the physician reviews it there).
CLOSED_BY: dict[str, frozenset[str]] = {
    Procedure.RFA.value: frozenset({Procedure.RFA.value, RFA_CONSULT, FOLLOW_UP}),
    Procedure.FACET_THERAPEUTIC.value: frozenset({Procedure.FACET_THERAPEUTIC.value,
                                                   RFA_CONSULT, FOLLOW_UP}),
    Procedure.FACET_DIAGNOSTIC.value: frozenset({*(p.value for p in Procedure), RFA_CONSULT,
                                                  FOLLOW_UP}),
}
#: Completed procedures whose protocol expects a next visit: a diagnostic block's relief
#: report always leads to one (a second block, a therapeutic injection, an RFA consult or a
#: physician follow-up). A therapeutic injection or an RFA is repeated when the pain returns:
#: the repeat recall covers those.
EXPECT_NEXT = frozenset({Procedure.FACET_DIAGNOSTIC.value})


def closes(anchor_code: str, visit_code: str) -> bool:
    """Whether a visit of ``visit_code`` booked after the ``anchor_code`` procedure is its
    next step (and so closes the recall)."""
    return visit_code in CLOSED_BY.get(anchor_code, frozenset())


@dataclass(frozen=True, slots=True)
class Try:
    """One outreach row of a recall."""

    outcome: RecallOutcome
    at: datetime
    until: date | None = None  # a not-now's day to call again
    note: str = ""


@dataclass(frozen=True, slots=True)
class Standing:
    """Where a recall stands after its tries."""

    tries: int
    last: Try | None
    closed: bool  # booked or declined
    snoozed_until: date | None  # hidden until this day (a not-now)
    tried_recently: bool  # the last try reached nobody, not long ago

    def shows(self, today: date) -> bool:
        return not self.closed and (self.snoozed_until is None or self.snoozed_until <= today)


def standing(tries: Sequence[Try], *, now: datetime, today: date,
             rules: RecallRules) -> Standing:
    """The recall's standing from its tries (any order): the newest decides."""
    ordered = sorted(tries, key=lambda t: t.at)
    last = ordered[-1] if ordered else None
    closed = last is not None and last.outcome in CLOSING
    snoozed = (last.until if last is not None and last.outcome is RecallOutcome.NOT_NOW
               and last.until is not None and last.until > today else None)
    recent = (last is not None and last.outcome in UNREACHED
              and now - last.at < timedelta(days=rules.retry_days))
    return Standing(len(ordered), last, closed, snoozed, recent)


def check_outcome(outcome: str, *, until: date | None, note: str,
                  today: date) -> tuple[RecallOutcome, str | None]:
    """The outcome, or (it, the reason it cannot be recorded): a not-now needs a day after
    today, a decline a note; only a not-now takes a day."""
    try:
        found = RecallOutcome(outcome)
    except ValueError:
        words = ", ".join(o.value for o in RecallOutcome)
        return RecallOutcome.NO_ANSWER, f"the outcome is one of {words}"
    if found is RecallOutcome.NOT_NOW:
        if until is None:
            return found, "not now needs the day to call again (--until)"
        if until <= today:
            return found, "not now needs a day after today to call again"
        if until > today + timedelta(days=366 * 2):
            return found, "not now: call again within two years"
    elif until is not None:
        return found, "only not now takes a day to call again"
    if found is RecallOutcome.DECLINED and not note.strip():
        return found, "a decline needs a note saying why"
    if len(note) > 500:
        return found, "keep the note under 500 characters"
    return found, None


def sort_key(since: date, standing: Standing, kind: RecallKind, ref: int) -> tuple[object, ...]:
    """Untried (or not tried lately) first, then the most overdue (the oldest date) first."""
    return (standing.tried_recently, since, list(RecallKind).index(kind), ref)
