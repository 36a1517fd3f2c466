"""A worklist's call recorded beside a visit: one ``Outreach`` row and its audit event, written
in the transaction of whatever else the call changed (a status, a cancel), or alone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from frontdesk.db import queries as q
from frontdesk.db.models import Appointment, Outreach, Staff
from frontdesk.services.context import Context
from frontdesk.services.errors import InvalidInput

MAX_NOTE = 500


@dataclass(frozen=True, slots=True)
class OutreachNote:
    """What to record of a call about a visit: the worklist it was made from, its outcome,
    ``subject`` (what the try is about: a confirmation's is the visit's local day) and a note
    the person typed (stored on the row, never in the audit trail)."""

    worklist: str
    outcome: str
    subject: str = ""
    note: str = ""

    def checked(self) -> OutreachNote:
        if len(self.note) > MAX_NOTE:
            raise InvalidInput("note", f"keep it under {MAX_NOTE} characters")
        return self


def write_outreach(session: Session, ctx: Context, *, appt: Appointment, staff: Staff,
                   note: OutreachNote, now: datetime) -> Outreach:
    """Add the row and its audit event (``outreach.record``: the worklist, the outcome, the
    visit; no patient details) to the transaction ``session`` is in."""
    row = Outreach(worklist=note.worklist, patient_id=appt.patient_id, appointment_id=appt.id,
                   subject=note.subject, outcome=note.outcome, note=note.note.strip(), at=now,
                   staff_id=staff.id or 0)
    session.add(row)
    session.flush()
    q.add_audit(session, origin=ctx.origin.stamp, at=now, staff_id=staff.id,
                action="outreach.record", entity="outreach", entity_id=row.id,
                after={"worklist": note.worklist, "outcome": note.outcome,
                       "subject": note.subject, "appointment_id": appt.id,
                       "patient_id": appt.patient_id})
    return row
