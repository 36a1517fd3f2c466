"""The recalls list: the candidates due, their tries read, untried and most overdue first."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from frontdesk.db.engine import read_session
from frontdesk.db.models import (
    Location,
    Outreach,
    Patient,
)
from frontdesk.domain.permissions import Permission
from frontdesk.domain.recalls import (
    RecallKind,
    RecallOutcome,
    RecallRules,
    Standing,
    Try,
    sort_key,
    standing,
)
from frontdesk.services.access import require
from frontdesk.services.context import Context
from frontdesk.services.directory import display_phone
from frontdesk.services.worklists.recalls.gather import (
    PRACTICE_ZONE,
    WORKLIST,
    Candidate,
    candidates,
    patients_by_id,
)


@dataclass(frozen=True, slots=True)
class Recall:
    """One patient due for a next step. ``since`` is the first eligible date (a repeat) or
    the day it fell due; ``anchor_id`` the visit (repeat, follow-up) or callback (relief) it
    is about. No clinical words beyond the visit's kind and where it was done."""

    key: str
    kind: RecallKind
    patient_id: int
    patient_short: str  # "Last, F."
    phone: str  # E.164
    what: str  # "Repeat RFA · lumbar L4-L5"
    since: date
    rule: str  # why it is due: the payer's rule, the callback, the missing next step
    anchor_id: int
    appointment_id: int | None  # the procedure it follows
    location_id: int | None
    location_name: str
    tries: int
    last_outcome: RecallOutcome | None
    last_at: datetime | None
    last_note: str
    tried_recently: bool

    @property
    def phone_display(self) -> str:
        return display_phone(self.phone)

    @property
    def last_words(self) -> str:
        """'No answer (2 tries)', or 'Not tried'."""
        if self.last_outcome is None:
            return "Not tried"
        tries = f" ({self.tries} tries)" if self.tries > 1 else ""
        return f"{self.last_outcome.label}{tries}"



# --------------------------------------------------------------------------- reading


def recalls(ctx: Context, *, by: str, location_id: int | None = None,
            kind: RecallKind | None = None, rules: RecallRules | None = None) -> list[Recall]:
    """The recalls due at ``location_id`` (None: everywhere), untried first, most overdue
    first; those snoozed, booked or declined left out. For receptionists and above."""
    require(ctx, by, Permission.CALLS)
    rules = rules or RecallRules()
    now = ctx.now()
    today = now.astimezone(PRACTICE_ZONE).date()
    found = [c for c in candidates(ctx, now, rules, location_id)
             if c.due and c.closed_by is None and (kind is None or c.kind is kind)]
    with read_session(ctx.engine) as session:
        tried = tries(session, [c.key for c in found])
        people = patients_by_id(session, {c.patient_id for c in found})
        places = {loc.id: loc.name for loc in session.exec(select(Location)).all()}
    out: list[tuple[tuple[object, ...], Recall]] = []
    for c in found:
        stand = standing(tried.get(c.key, ()), now=now, today=today, rules=rules)
        if not stand.shows(today):
            continue
        patient = people[c.patient_id]
        out.append((sort_key(c.since, stand, c.kind, c.anchor_id), _recall(c, stand, patient,
                                                                         places)))
    return [r for _, r in sorted(out, key=lambda pair: pair[0])]


def _recall(c: Candidate, stand: Standing, patient: Patient,
            places: dict[int | None, str]) -> Recall:
    last = stand.last
    return Recall(
        key=c.key, kind=c.kind, patient_id=c.patient_id,
        patient_short=f"{patient.last_name}, {patient.first_name[:1]}.",
        phone=patient.mobile or patient.phone,
        what=c.what, since=c.since, rule=c.rule, anchor_id=c.anchor_id,
        appointment_id=c.appointment_id, location_id=c.location_id,
        location_name=places.get(c.location_id, ""), tries=stand.tries,
        last_outcome=last.outcome if last else None, last_at=last.at if last else None,
        last_note=last.note if last else "", tried_recently=stand.tried_recently)



def tries(session: Session, keys: Sequence[str]) -> dict[str, list[Try]]:
    if not keys:
        return {}
    out: dict[str, list[Try]] = defaultdict(list)
    for row in session.exec(select(Outreach).where(Outreach.worklist == WORKLIST)
                            .where(col(Outreach.subject).in_(list(keys)))).all():
        found = try_of(row)
        if found is not None:
            out[row.subject].append(found)
    return out


def try_of(row: Outreach) -> Try | None:
    """One try as stored; a not-now keeps its day at the head of its note ("until
    2027-04-01; what was said"). A row this code did not write is left out (None)."""
    try:
        outcome = RecallOutcome(row.outcome)
    except ValueError:
        return None
    until, note = None, row.note
    if outcome is RecallOutcome.NOT_NOW and note.startswith("until "):
        head, _, rest = note.partition(";")
        try:
            until = date.fromisoformat(head.removeprefix("until ").strip())
        except ValueError:
            until = None  # unreadable: the recall shows again rather than hiding for good
        note = rest.strip()
    return Try(outcome, row.at, until, note)
