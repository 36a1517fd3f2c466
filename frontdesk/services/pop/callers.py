"""Who may be calling from a number: the live patient records whose phone or mobile is that
number, compared as E.164 (the form every record stores). A record merged away is never offered,
but its number still finds the record it was merged into (as the manual search does): a caller on
their old number is the kept patient, not a new one."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import col, or_, select

from frontdesk.db.engine import read_session
from frontdesk.db.models import Patient
from frontdesk.services.access import acting
from frontdesk.services.context import Context
from frontdesk.services.mapping import patient_view
from frontdesk.services.phones import e164
from frontdesk.services.views import PatientView

MAX_CALLERS = 12  # as many as the call screen's search lists


def callers_by_phone(ctx: Context, number: str, *, staff: str,
                     limit: int = MAX_CALLERS) -> tuple[PatientView, ...]:
    """The patients on file with ``number`` as their phone or mobile (or as a record merged
    into theirs had it), by name, at most ``limit``; () for none. ``staff``: who is asking (an
    active account). InvalidInput("phone") for a number that is not one."""
    wanted = e164(number)
    with read_session(ctx.engine) as session:
        acting(session, staff)
        kept = (select(func.coalesce(Patient.merged_into_id, Patient.id))
                .where(or_(col(Patient.phone) == wanted, col(Patient.mobile) == wanted)))
        rows = session.exec(
            select(Patient)
            .where(col(Patient.merged_into_id).is_(None), col(Patient.id).in_(kept))
            .order_by(col(Patient.last_name), col(Patient.first_name), col(Patient.id))
            .limit(limit))
        return tuple(patient_view(p) for p in rows)
