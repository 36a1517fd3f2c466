"""What a phone call is about and how it ended: the values the intake screen and the call log
share. Pure: no I/O."""

from __future__ import annotations

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
    BOOKED = "booked"
    CALLBACK = "callback"
    INFORMATION = "information"
    DECLINED = "declined"
    TRANSFERRED = "transferred"

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self]


OUTCOME_LABELS = {
    CallOutcome.BOOKED: "Booked",
    CallOutcome.CALLBACK: "Callback scheduled",
    CallOutcome.INFORMATION: "Information only",
    CallOutcome.DECLINED: "Declined",
    CallOutcome.TRANSFERRED: "Transferred to the clinical team",
}
