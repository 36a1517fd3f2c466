"""What the pathway hands the screen: the visit to book, why, and each side's verdict."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from frontdesk.domain.model import Region, Side
from frontdesk.domain.pathway.payers import PayerCheck
from frontdesk.domain.pathway.questions import Question


@dataclass(frozen=True, slots=True)
class Verdict:
    """One side's reading of the report or request: the practice's, or one payer's."""

    who: str  # "Practice" or the payer's label
    qualifies: bool | None  # None when there is nothing to judge (no report, no procedure)
    summary: str


@dataclass(frozen=True, slots=True)
class Recommendation:
    visit_types: tuple[str, ...] = ()  # the first is the one to book; others are alternatives
    reasons: tuple[str, ...] = ()  # for staff: why, in the protocol's and payers' terms
    say: tuple[str, ...] = ()  # what staff may read aloud to the caller (``script``)
    practice: Verdict | None = None
    payers: tuple[Verdict, ...] = ()
    disagree: bool = False
    physician_review: bool = False
    checks: tuple[PayerCheck, ...] = ()  # payer rules on the visit to book, today
    questions: tuple[Question, ...] = ()  # still to ask, in order
    region: Region | None = None
    levels: str | None = None
    side: Side | None = None

    @property
    def complete(self) -> bool:
        return not self.questions

    @property
    def override(self) -> str | None:
        """What booking the recommended visit needs beyond a receptionist, in words."""
        broken = [p for c in self.checks for p in c.problems]
        if not broken:
            return None
        return ("Booking this anyway needs an override by someone allowed to override payer "
                "rules, with a reason: " + "; ".join(p.text for p in broken))


def _replace(base: Recommendation, **changes: Any) -> Recommendation:
    return replace(base, **changes)
