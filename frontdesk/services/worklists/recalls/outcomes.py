"""What came of a call on a recall: one outreach row and its audit event, checked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from frontdesk.db import queries as q
from frontdesk.db.models import (
    CallbackTask,
    Outreach,
)
from frontdesk.domain.permissions import Permission
from frontdesk.domain.recalls import (
    RecallKind,
    RecallOutcome,
    RecallRules,
    check_outcome,
    standing,
)
from frontdesk.services.access import acting
from frontdesk.services.context import Context, write
from frontdesk.services.errors import InvalidInput
from frontdesk.services.patients.lookup import live_patient
from frontdesk.services.worklists.recalls.gather import (
    PRACTICE_ZONE,
    WORKLIST,
    one,
    parse_key,
)
from frontdesk.services.worklists.recalls.listing import try_of


@dataclass(frozen=True, slots=True)
class Recorded:
    """One outcome written: the outreach row, and the visit it names (a booked one)."""

    outreach_id: int
    key: str
    outcome: RecallOutcome
    tries: int
    appointment_id: int | None
    until: date | None



def record_outcome(ctx: Context, *, staff: str, key: str, outcome: str,
                   until: date | None = None, note: str = "",
                   rules: RecallRules | None = None) -> Recorded:
    """Write what came of one try on the recall ``key``, with its audit event, in one
    transaction. "booked" only when a visit of the next step's kind really is booked after
    the procedure; "not now" with the day to call again; "declined" with a note (a relief
    callback declined is cancelled with it). For receptionists and above."""
    rules = rules or RecallRules()
    kind, _ = parse_key(key)
    key = key.strip()
    now = ctx.now()
    today = now.astimezone(PRACTICE_ZONE).date()
    found, problem = check_outcome(outcome, until=until, note=note, today=today)
    if problem:
        raise InvalidInput("outcome", problem)

    def work(session: Session) -> Recorded:
        person = acting(session, staff, Permission.CALLS)
        item = one(session, ctx, now, rules, key)
        if item is None:
            raise InvalidInput("key", f"no recall {key}: the list names each by its key")
        if found is RecallOutcome.BOOKED and item.closed_by is None:
            raise InvalidInput("outcome", "no visit of the next step's kind is booked for "
                                          "this patient after it: book it on a call first")
        if found is not RecallOutcome.BOOKED and item.closed_by is not None:
            raise InvalidInput("outcome", "its next step is already booked: record booked")
        if not item.due and item.closed_by is None:
            raise InvalidInput("key", f"{key} is not due yet (from {item.since:%a %d %b %Y})")
        live_patient(session, item.patient_id, lock=True)
        before = [t for r in session.exec(
            select(Outreach).where(Outreach.worklist == WORKLIST)
            .where(Outreach.subject == key)).all() if (t := try_of(r)) is not None]
        stand = standing(before, now=now, today=today, rules=rules)
        if stand.closed and stand.last is not None:
            raise InvalidInput("key", f"{key} is closed already "
                                      f"({stand.last.outcome.label.lower()})")
        text = note.strip()
        if until is not None:
            text = f"until {until.isoformat()}" + (f"; {text}" if text else "")
        row = Outreach(worklist=WORKLIST, patient_id=item.patient_id,
                       appointment_id=item.closed_by if found is RecallOutcome.BOOKED
                       else item.appointment_id,
                       subject=key, outcome=found.value, note=text[:500], at=now,
                       staff_id=person.id or 0)
        session.add(row)
        session.flush()
        q.add_audit(session, origin=ctx.origin.stamp, at=now, staff_id=person.id,
                    action="recall.outcome", entity="outreach", entity_id=row.id,
                    after={"subject": key, "outcome": found.value,
                           **({"until": until.isoformat()} if until else {})})
        if kind is RecallKind.RELIEF and found is RecallOutcome.DECLINED:
            task = session.get(CallbackTask, item.anchor_id)
            if task is not None and task.status == "open":
                task.status, task.done_at, task.done_by_id = "cancelled", now, person.id
                task.note = f"declined: {note.strip()}"[:500]
                q.add_audit(session, origin=ctx.origin.stamp, at=now, staff_id=person.id,
                            action="callback.cancelled", entity="callback_task",
                            entity_id=task.id)
        return Recorded(outreach_id=row.id or 0, key=key, outcome=found,
                        tries=stand.tries + 1, appointment_id=row.appointment_id, until=until)

    return write(ctx, work)
