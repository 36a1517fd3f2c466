"""What a phone call is about and how it ended: the values the intake screen and the call log
share. Pure: no I/O."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from enum import StrEnum


class CallReason(StrEnum):
    NEW_PROBLEM = "new-problem"
    INJECTION_REPORT = "injection-report"
    ORDERED_VISIT = "ordered-visit"
    CHANGE_VISIT = "change-visit"
    TREATMENT_QUESTION = "treatment-question"
    OTHER = "other"

    @property
    def label(self) -> str:
        return REASON_LABELS[self]


REASON_LABELS = {
    CallReason.NEW_PROBLEM: "New pain problem",
    CallReason.INJECTION_REPORT: "Report after an injection",
    CallReason.ORDERED_VISIT: "Book a visit the physician ordered",
    CallReason.CHANGE_VISIT: "Reschedule or cancel a visit",
    CallReason.TREATMENT_QUESTION: "Question about a treatment",
    CallReason.OTHER: "Something else",
}


class CallOutcome(StrEnum):
    """How a call ended. Booked, moved and cancelled each name the visit the call changed, so
    a move is not counted as a booking."""

    BOOKED = "booked"
    MOVED = "moved"
    CANCELLED = "cancelled"
    CALLBACK = "callback"
    INFORMATION = "information"
    DECLINED = "declined"
    TRANSFERRED = "transferred"

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self]


OUTCOME_LABELS = {
    CallOutcome.BOOKED: "Booked",
    CallOutcome.MOVED: "Moved a visit",
    CallOutcome.CANCELLED: "Cancelled a visit",
    CallOutcome.CALLBACK: "Callback scheduled",
    CallOutcome.INFORMATION: "Information only",
    CallOutcome.DECLINED: "Declined",
    CallOutcome.TRANSFERRED: "Transferred to the clinical team",
}

#: The outcomes that name the visit the call booked, moved or cancelled.
VISIT_OUTCOMES = frozenset({CallOutcome.BOOKED, CallOutcome.MOVED, CallOutcome.CANCELLED})


class CallbackKind(StrEnum):
    """Why somebody at the desk has to call a patient back."""

    RELIEF_REPORT = "relief-report"  # after a diagnostic block: how much relief, how long
    CALL_BACK = "call-back"  # a call ended with "Callback scheduled": the note says why

    @property
    def label(self) -> str:
        return CALLBACK_LABELS[self]


CALLBACK_LABELS = {
    CallbackKind.RELIEF_REPORT: "Relief report",
    CallbackKind.CALL_BACK: "Call back",
}


def callback_label(kind: str) -> str:
    """'Relief report', 'Call back', or the kind as stored when it is none of ours."""
    try:
        return CallbackKind(kind).label
    except ValueError:
        return kind


MAX_CALLBACK_DAYS = 366  # how far ahead a callback may be due


def callback_due_problem(due: datetime, now: datetime) -> str:
    """What is wrong with calling back at ``due`` (both aware), in plain words; "" when
    nothing is. The call service and the callback dialog apply the same limits."""
    if due < now:
        return "that time has passed; give a later one"
    if due > now + timedelta(days=MAX_CALLBACK_DAYS):
        return f"that is too far off: at most {MAX_CALLBACK_DAYS} days ahead"
    return ""


SOON = timedelta(hours=2)
DESK_CLOSES = time(17)
MORNING = "9:00"


def callback_default(now: datetime) -> str:
    """What a callback's time field offers (``now`` local): "in 2 hours" on a weekday while
    that is before the desk closes, else the next weekday's morning ("tomorrow 9:00", "mon
    9:00")."""
    soon = now + SOON
    if now.weekday() < 5 and soon.date() == now.date() and soon.time() <= DESK_CLOSES:
        return "in 2 hours"
    day = now.date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    word = "tomorrow" if day == now.date() + timedelta(days=1) else f"{day:%a}".lower()
    return f"{word} {MORNING}"
