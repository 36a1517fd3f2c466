"""A patient record by id, as every write that names a patient needs it: one that exists and
was not merged into another (then the error names the record to use)."""

from __future__ import annotations

from sqlmodel import Session

from frontdesk.db.models import Patient
from frontdesk.services.errors import InvalidInput, MergedAway


def live_patient(session: Session, patient_id: int) -> Patient:
    """The patient row; InvalidInput when there is none, MergedAway when it was merged."""
    row = session.get(Patient, patient_id)
    if row is None:
        raise InvalidInput("patient", f"no patient with id {patient_id}")
    if row.merged_into_id is not None:
        raise MergedAway(patient_id, row.merged_into_id)
    return row
