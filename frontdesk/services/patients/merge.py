"""Two records of one person made one, by a manager or admin: the other record's visits,
calls, relief reports and callbacks move to the record kept, which takes the other's details
where its own are empty; the other record stays (nothing is lost), marked merged into the kept
one, and is found no more (a search by its phone finds the kept one). One transaction, audited
with the ids, the counts moved and the names of the details left on the other record.

Locks (PostgreSQL): both patients' locks (``q.lock_patient``, the one booking takes), lowest
id first, then both rows: a booking, call or edit for either record either commits first (and
is moved or merged) or waits and then finds the record merged away."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from frontdesk.db import queries as q
from frontdesk.db.models import (
    Appointment,
    Call,
    CallbackTask,
    Outreach,
    Patient,
    ReliefReport,
    WaitlistEntry,
)
from frontdesk.domain.patients import ALERTS, MAX_ALERT_NOTE
from frontdesk.domain.permissions import Permission
from frontdesk.services.access import acting
from frontdesk.services.context import Context, write
from frontdesk.services.errors import InvalidInput
from frontdesk.services.mapping import patient_view
from frontdesk.services.patients.lookup import live_patient, locked
from frontdesk.services.payers import refuse_broken_plan
from frontdesk.services.views import MergeView

#: What moves, by the name the result and the audit event give it.
MOVED: dict[str, Any] = {"appointments": Appointment, "calls": Call,
                         "relief_reports": ReliefReport, "callbacks": CallbackTask,
                         "outreach": Outreach, "waitlist_entries": WaitlistEntry}

#: Details the kept record takes from the other when its own are empty, as groups that go
#: together (an address is taken whole, a mobile with its text consent, a payer with its id).
FILLED: dict[str, tuple[str, ...]] = {
    "mobile": ("mobile", "sms_consent"),
    "email": ("email", "email_consent"),
    "address": ("address", "city", "state", "zip"),
    "location": ("preferred_location_id",),
    "payer": ("payer_key", "payer", "member_id"),
    "alert_note": ("alert_note",),  # joined with the kept one's when both have one
    "external_id": ("external_id",),
}


def counts(session: Session, patient_id: int) -> dict[str, int]:
    """How many rows of each kind belong to the patient."""
    return {name: session.exec(select(func.count()).select_from(table)
                               .where(table.patient_id == patient_id)).one()
            for name, table in MOVED.items()}


def merge_patients(ctx: Context, *, staff: str, keep_id: int, other_id: int,
                   force: bool = False, override_reason: str | None = None) -> MergeView:
    """Merge the record ``other_id`` into ``keep_id``. Refused (nothing written): the same
    record twice, a record already merged, two different birth dates unless ``force``
    (audited as forced), visits of the two records at the same time (InvalidInput naming
    them: move or cancel one first), and upcoming procedures the kept record's payer rules
    break once the visits are joined, unless an overrider (``[callbacks] override_roles``)
    gives ``override_reason`` (BrokenPlan otherwise; each visit signed for gets its
    ``payer.override`` event). The details the kept record did not take from the other are
    named in the result's ``left`` (they stay on the merged-away record)."""
    if keep_id == other_id:
        raise InvalidInput("other", "a record cannot be merged into itself")

    def work(session: Session) -> MergeView:
        from frontdesk.services.scheduling.guards import overlapping_visits
        from frontdesk.services.worklists.waitlist.entries import merged as waitlist_merged

        person = acting(session, staff, Permission.PATIENT_MERGE)
        first, second = sorted((keep_id, other_id))  # locked in one order: no deadlock
        for pid in (first, second):  # the lock booking takes, then the rows
            q.lock_patient(session, pid)
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
        # the waitlist wishes follow the person (a wish both records had is kept once)
        waitlisted = waitlist_merged(session, ctx, staff_row=person, keep_id=keep_id,
                                     other_id=other_id, now=now)
        for name, table in MOVED.items():
            if table is WaitlistEntry:
                moved[name] = len(waitlisted)  # moved just above, entry by entry
                continue
            changes: dict[str, Any] = {"patient_id": keep_id}
            if table is Appointment:
                changes["version"] = Appointment.version + 1  # a screen showing it looks again
            result = session.exec(update(table).where(
                table.patient_id == other_id).values(**changes))
            moved[name] = int(result.rowcount or 0)
        earlier = session.exec(update(Patient).where(
            col(Patient.merged_into_id) == other_id).values(merged_into_id=keep_id))
        moved["merged_records"] = int(earlier.rowcount or 0)
        session.flush()
        session.expire_all()  # the visits as moved
        keep, other = _fresh(session, keep_id), _fresh(session, other_id)
        clashes = overlapping_visits(session, patient_id=keep_id, now=now)
        if clashes:
            raise InvalidInput("other", "the two records have visits at the same time: "
                                        + "; ".join(clashes) + " — move or cancel one first, "
                                        "then merge")
        filled = _fill(session, keep, other)
        left = _left(keep, other)
        other.merged_into_id = keep_id
        other.version += 1
        other.updated_at = now
        keep.version += 1
        keep.updated_at = now
        session.add(other)
        session.add(keep)
        session.flush()
        broken = refuse_broken_plan(session, ctx, person, keep_id,
                                    override_reason=override_reason, doing="this merge")
        forced = bool(force and keep.dob != other.dob)
        after: dict[str, Any] = {"keep_id": keep_id, "other_id": other_id, "moved": moved,
                                 "filled": filled, "left": left, "forced": forced}
        if broken:
            after["broken_visits"] = [b.appointment_id for b in broken]
        q.add_audit(session, origin=ctx.origin.stamp, at=now, staff_id=person.id,
                    action="patient.merge", entity="patient", entity_id=keep_id,
                    before={"kept_version": keep.version - 1}, after=after)
        return MergeView(patient_view(keep), other_id, moved, tuple(filled), forced=forced,
                         left=tuple(left),
                         overridden_visits=tuple(b.appointment_id for b in broken))

    return write(ctx, work)


def _fresh(session: Session, patient_id: int) -> Patient:
    row = session.get(Patient, patient_id)
    assert row is not None  # locked above
    return row


def _fill(session: Session, keep: Patient, other: Patient) -> list[str]:
    """Give ``keep`` the other's details where its own are empty (the other's phone becomes
    its mobile when it has none; alerts are united, alert notes joined when they fit); the
    names of those taken."""
    filled = []
    for name, columns in FILLED.items():
        lead = columns[0]
        mine, theirs = getattr(keep, lead), getattr(other, lead)
        if name == "payer":
            mine = keep.payer_key or keep.payer
            theirs = other.payer_key or other.payer
        if name == "alert_note" and mine and theirs and theirs not in mine:
            joined = f"{mine}; {theirs}"
            if len(joined) <= MAX_ALERT_NOTE:
                keep.alert_note = joined
                filled.append(name)
            continue
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
    if not keep.mobile and other.phone and other.phone != keep.phone:
        keep.mobile, keep.sms_consent = other.phone, False  # no consent to text it
        filled.append("mobile")
    if not keep.member_id and other.member_id and keep.payer_key == other.payer_key \
            and "payer" not in filled:
        keep.member_id = other.member_id
        filled.append("member_id")
    if set(other.alerts or ()) - set(keep.alerts or ()):
        wanted = set(keep.alerts or ()) | set(other.alerts or ())
        keep.alerts = [code for code in _alert_order(wanted)]
        filled.append("alerts")
    return filled


def _left(keep: Patient, other: Patient) -> list[str]:
    """The other record's details the kept one does not hold (after filling): they stay on
    the merged-away record only. Names of details, never their values."""
    numbers = {keep.phone, keep.mobile}
    address = (other.address, other.city, other.state, other.zip)
    checks = {
        "name": (other.first_name, other.last_name) != (keep.first_name, keep.last_name),
        "dob": other.dob != keep.dob,
        "phone": bool(other.phone) and other.phone not in numbers,
        "mobile": bool(other.mobile) and other.mobile not in numbers,
        "email": bool(other.email) and other.email.casefold() != keep.email.casefold(),
        "address": any(address) and address != (keep.address, keep.city, keep.state,
                                                keep.zip),
        "location": other.preferred_location_id is not None
        and other.preferred_location_id != keep.preferred_location_id,
        "payer": bool(other.payer_key or other.payer)
        and (other.payer_key, other.payer) != (keep.payer_key, keep.payer),
        "member_id": bool(other.member_id) and other.member_id != keep.member_id,
        "alert_note": bool(other.alert_note) and other.alert_note not in keep.alert_note,
        "external_id": bool(other.external_id),
    }
    return [name for name, differs in checks.items() if differs]


def _alert_order(codes: set[str]) -> list[str]:
    return [c for c in ALERTS if c in codes] + sorted(codes - set(ALERTS))
