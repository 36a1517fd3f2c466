"""Who may be calling from a number: the live patient records whose phone or mobile is that
number, compared as E.164 (the form every record stores); merged-away records never."""

from __future__ import annotations

from sqlmodel import col, or_, select

from frontdesk.db.engine import read_session
from frontdesk.db.models import Patient
from frontdesk.services.access import acting
from frontdesk.services.context import Context
from frontdesk.services.mapping import patient_view
from frontdesk.services.phones import e164
from frontdesk.services.views import PatientView

MAX_CALLERS = 12  # as many as the call screen's search lists


def callers_by_phone(ctx: Context, number: str, *, staff: str) -> tuple[PatientView, ...]:
    """The patients on file with ``number`` as their phone or mobile, by name; () for none.
    ``staff``: who is asking (an active account). InvalidInput("phone") for a number that is
    not one."""
    wanted = e164(number)
    with read_session(ctx.engine) as session:
        acting(session, staff)
        rows = session.exec(
            select(Patient)
            .where(col(Patient.merged_into_id).is_(None),
                   or_(col(Patient.phone) == wanted, col(Patient.mobile) == wanted))
            .order_by(col(Patient.last_name), col(Patient.first_name), col(Patient.id))
            .limit(MAX_CALLERS))
        return tuple(patient_view(p) for p in rows)
