"""Patients on file who may be the one being added: the same birth date and a similar name
(swapped, misspelt, a short form of the first name, a new last name), or the same phone
(as anyone's phone or mobile). Merged-away records are never candidates."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from rapidfuzz import fuzz
from sqlmodel import Session, col, or_, select

from frontdesk.db.engine import read_session
from frontdesk.db.models import Patient
from frontdesk.services.context import Context
from frontdesk.services.errors import InvalidInput
from frontdesk.services.mapping import patient_view
from frontdesk.services.patients.checks import normalise_phone
from frontdesk.services.views import DuplicateView

WHOLE_NAME = 85  # rapidfuzz token_sort_ratio of the whole names (order of words ignored)
PART = 80  # rapidfuzz ratio of a first or last name
SHORT_FORM = 3  # a first name this long that begins the other ("Chris", "Christina")
MAX_CANDIDATES = 10
SAME_NAME = "same birth date, similar name"
SAME_PHONE = "same phone"


def similar_names(first: str, last: str, other_first: str, other_last: str) -> bool:
    """Whether two names may be one person's (both born the same day)."""
    a_first, a_last = first.casefold().strip(), last.casefold().strip()
    b_first, b_last = other_first.casefold().strip(), other_last.casefold().strip()
    if fuzz.token_sort_ratio(f"{a_first} {a_last}", f"{b_first} {b_last}") >= WHOLE_NAME:
        return True
    firsts = (fuzz.ratio(a_first, b_first) >= PART
              or (min(len(a_first), len(b_first)) >= SHORT_FORM
                  and (a_first.startswith(b_first) or b_first.startswith(a_first))))
    lasts = fuzz.ratio(a_last, b_last) >= PART
    # the same first name on the same birthday: a new last name (marriage) is common
    return firsts and (lasts or a_first == b_first)


def candidates(session: Session, first: str, last: str, dob: date, phones: Iterable[str],
               *, exclude: int | None = None) -> list[DuplicateView]:
    """The live patients who may be this one, the name matches first (then by id)."""
    numbers = sorted({p for p in phones if p})
    alive = col(Patient.merged_into_id).is_(None)
    reasons: dict[int, list[str]] = {}
    rows: dict[int, Patient] = {}
    for row in session.exec(select(Patient).where(alive, Patient.dob == dob)
                            .order_by(col(Patient.id))):
        if row.id != exclude and similar_names(first, last, row.first_name, row.last_name):
            reasons.setdefault(row.id or 0, []).append(SAME_NAME)
            rows[row.id or 0] = row
    if numbers:
        for row in session.exec(select(Patient).where(alive, or_(
                col(Patient.phone).in_(numbers), col(Patient.mobile).in_(numbers)))
                .order_by(col(Patient.id))):
            if row.id != exclude:
                reasons.setdefault(row.id or 0, []).append(SAME_PHONE)
                rows[row.id or 0] = row
    ordered = sorted(reasons, key=lambda pid: (SAME_NAME not in reasons[pid], pid))
    return [DuplicateView(patient_view(rows[pid]), tuple(reasons[pid]))
            for pid in ordered[:MAX_CANDIDATES]]


def possible_duplicates(ctx: Context, first: str, last: str, dob: date, phone: str,
                        mobile: str | None = None, *,
                        exclude: int | None = None) -> list[DuplicateView]:
    """The patients on file who may be ``first last`` born ``dob`` with these phones (typed in
    any form; one that is not a phone number is ignored here: adding reports it)."""
    numbers = []
    for typed in (phone, mobile or ""):
        try:
            numbers.append(normalise_phone(typed) if typed.strip() else "")
        except InvalidInput:
            continue
    with read_session(ctx.engine) as session:
        return candidates(session, first, last, dob, numbers, exclude=exclude)
