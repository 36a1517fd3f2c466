"""Two records of one person made one, by a manager or admin: the other record's visits,
calls, relief reports and callbacks move to the record kept, which takes the other's details
where its own are empty; the other record stays (nothing is lost), marked merged into the kept
one, and is found no more. One transaction, audited with the ids and the counts moved."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from frontdesk.db import queries as q
from frontdesk.db.models import Appointment, Call, CallbackTask, Patient, ReliefReport
from frontdesk.domain.permissions import Permission
from frontdesk.services.access import acting
from frontdesk.services.context import Context, write
from frontdesk.services.errors import InvalidInput
from frontdesk.services.mapping import patient_view
from frontdesk.services.patients.lookup import live_patient, locked
from frontdesk.services.views import MergeView

#: What moves, by the name the result and the audit event give it.
MOVED: dict[str, Any] = {"appointments": Appointment, "calls": Call,
                         "relief_reports": ReliefReport, "callbacks": CallbackTask}

#: Details the kept record takes from the other when its own are empty, as groups that go
#: together (an address is taken whole, a mobile with its text consent, a payer with its id).
FILLED: dict[str, tuple[str, ...]] = {
    "mobile": ("mobile", "sms_consent"),
    "email": ("email",),
    "address": ("address", "city", "state", "zip"),
    "location": ("preferred_location_id",),
    "payer": ("payer_key", "payer", "member_id"),
    "alert_note": ("alert_note",),
    "external_id": ("external_id",),
}


def counts(session: Session, patient_id: int) -> dict[str, int]:
    """How many rows of each kind belong to the patient."""
    return {name: session.exec(select(func.count()).select_from(table)
                               .where(table.patient_id == patient_id)).one()
            for name, table in MOVED.items()}


def merge_patients(ctx: Context, *, staff: str, keep_id: int, other_id: int,
                   force: bool = False) -> MergeView:
    """Merge the record ``other_id`` into ``keep_id``. Refused (nothing written): the same
    record twice, a record already merged, or two different birth dates unless ``force``
    (audited as forced)."""
    if keep_id == other_id:
        raise InvalidInput("other", "a record cannot be merged into itself")

    def work(session: Session) -> MergeView:
        person = acting(session, staff, Permission.PATIENT_MERGE)
        first, second = sorted((keep_id, other_id))  # locked in one order: no deadlock
        rows = {pid: locked(session, pid) for pid in (first, second)}
        keep = live_patient(session, keep_id)  # as locked
        other = rows[other_id]
        if other is None:
            raise InvalidInput("other", f"no patient with id {other_id}")
        if other.merged_into_id is not None:
            raise InvalidInput("other", f"patient {other_id} was already merged into patient "
                                        f"{other.merged_into_id}")
        if keep.dob != other.dob and not force:
            raise InvalidInput("dob", f"patients {keep_id} and {other_id} have different "
                                      "birth dates: check they are one person, then merge "
                                      "with force")
        now = ctx.now()
        moved: dict[str, int] = {}
        for name, table in MOVED.items():
            changes: dict[str, Any] = {"patient_id": keep_id}
            if table is Appointment:
                changes["version"] = Appointment.version + 1  # a screen showing it looks again
            result = session.exec(update(table).where(
                table.patient_id == other_id).values(**changes))
            moved[name] = int(result.rowcount or 0)
        earlier = session.exec(update(Patient).where(
            col(Patient.merged_into_id) == other_id).values(merged_into_id=keep_id))
        moved["merged_records"] = int(earlier.rowcount or 0)
        filled = _fill(session, keep, other)
        if set(other.alerts or ()) - set(keep.alerts or ()):
            wanted = set(keep.alerts or ()) | set(other.alerts or ())
            keep.alerts = [code for code in _alert_order(wanted)]
            filled.append("alerts")
        other.merged_into_id = keep_id
        other.version += 1
        other.updated_at = now
        keep.version += 1
        keep.updated_at = now
        session.add(other)
        session.add(keep)
        session.flush()
        q.add_audit(session, origin=ctx.origin.stamp, at=now, staff_id=person.id,
                    action="patient.merge", entity="patient", entity_id=keep_id,
                    before={"kept_version": keep.version - 1},
                    after={"keep_id": keep_id, "other_id": other_id, "moved": moved,
                           "filled": filled, "forced": bool(force and keep.dob != other.dob)})
        return MergeView(patient_view(keep), other_id, moved, tuple(filled),
                         forced=bool(force and keep.dob != other.dob))

    return write(ctx, work)


def _fill(session: Session, keep: Patient, other: Patient) -> list[str]:
    """Give ``keep`` the other's details where its own are empty; the names of those taken."""
    filled = []
    for name, columns in FILLED.items():
        lead = columns[0]
        mine, theirs = getattr(keep, lead), getattr(other, lead)
        if name == "payer":
            mine = keep.payer_key or keep.payer
            theirs = other.payer_key or other.payer
        if mine or not theirs:
            continue
        if name == "external_id":  # one record per old id: it moves to the kept record
            other.external_id = None
            session.add(other)
            session.flush()
        for column in columns:
            setattr(keep, column, getattr(other, column) if column != "external_id"
                    else theirs)
        filled.append(name)
    if not keep.member_id and other.member_id and keep.payer_key == other.payer_key \
            and "payer" not in filled:
        keep.member_id = other.member_id
        filled.append("member_id")
    return filled


def _alert_order(codes: set[str]) -> list[str]:
    from frontdesk.domain.patients import ALERTS

    return [c for c in ALERTS if c in codes] + sorted(codes - set(ALERTS))
