"""A patient record by id, as every write that names a patient needs it: one that exists and
was not merged into another (then the error names the record to use)."""

from __future__ import annotations

from sqlmodel import Session, select

from frontdesk.db import queries as q
from frontdesk.db.models import Patient
from frontdesk.services.access import acting
from frontdesk.services.context import Context, write
from frontdesk.services.errors import InvalidInput, MergedAway
from frontdesk.services.mapping import patient_view
from frontdesk.services.views import PatientView


def live_patient(session: Session, patient_id: int, *, lock: bool = False) -> Patient:
    """The patient row; InvalidInput when there is none, MergedAway when it was merged.

    ``lock`` (every write naming the patient): first the patient's lock booking takes
    (``q.lock_patient``), then the row read afresh and locked, both until the transaction ends
    (PostgreSQL; SQLite's writer holds the whole database already). So a version checked stays
    the version written against, and a write racing a merge either goes first (and its rows
    are moved) or waits and finds the record merged away. The one lock order: a booking's
    location and provider locks, then patient locks (lowest id first), then patient rows."""
    if lock:
        q.lock_patient(session, patient_id)
    row = locked(session, patient_id) if lock else session.get(Patient, patient_id)
    if row is None:
        raise InvalidInput("patient", f"no patient with id {patient_id}")
    if row.merged_into_id is not None:
        raise MergedAway(patient_id, row.merged_into_id)
    return row


def locked(session: Session, patient_id: int) -> Patient | None:
    """The patient row read afresh and locked for this transaction (SELECT … FOR NO KEY
    UPDATE: it does not wait for, nor block, a visit or call being inserted for the patient,
    whose foreign key takes a key-share lock). Take ``q.lock_patient`` first."""
    return session.exec(select(Patient).where(Patient.id == patient_id)
                        .with_for_update(key_share=True)
                        .execution_options(populate_existing=True)).first()


def open_patient(ctx: Context, *, by: str, patient_id: int, view: str) -> PatientView:
    """The patient's details for ``by`` to see, read in one transaction with its audit event
    (``patient.open`` naming the ``view``; never what was shown)."""

    def work(session: Session) -> PatientView:
        person = acting(session, by)
        patient = live_patient(session, patient_id)
        q.add_audit(session, origin=ctx.origin.stamp, at=ctx.now(), staff_id=person.id,
                    action="patient.open", entity="patient", entity_id=patient_id,
                    after={"view": view[:60]})
        return patient_view(patient)

    return write(ctx, work)
