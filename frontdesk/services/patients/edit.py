"""Editing a patient's details: every detail checked at once, written in one transaction
against the version the person saw, audited by the names of the details changed (never their
values). A new payer re-checks the patient's upcoming procedures against its rules."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session

from frontdesk.db import queries as q
from frontdesk.domain.permissions import Permission
from frontdesk.services.access import acting
from frontdesk.services.context import Context, write
from frontdesk.services.errors import InvalidDetails, InvalidInput, StalePatient
from frontdesk.services.mapping import patient_view
from frontdesk.services.patients.checks import (
    COLUMNS,
    PatientChanges,
    check_changes,
    consent_problem,
    email_consent_problem,
)
from frontdesk.services.patients.lookup import live_patient
from frontdesk.services.payers import (
    BrokenVisit,
    refuse_broken_plan,
    saved,
    signed_by,
    signer,
)
from frontdesk.services.views import PatientSaved


def edit_patient(ctx: Context, *, staff: str, patient_id: int, version: int | None,
                 changes: PatientChanges | None = None, override_reason: str | None = None,
                 override_by: str | None = None, override_password: str | None = None,
                 **details: Any) -> PatientSaved:
    """Change the details ``changes`` (or the keyword ``details``: name, dob, phone, mobile,
    sms_consent, email, email_consent, address, city, state, zip, location, payer, member_id,
    alerts, alert_note) of the patient, as seen at ``version`` (None: as it is now). A new
    mobile or email address clears its consent unless the same edit gives it again.

    InvalidDetails lists every bad detail; StalePatient when the record changed since
    ``version``; BrokenPlan (a NotAllowed naming the visits and rules) when the new payer's
    rules break an upcoming procedure and the person may not override them or gave no
    ``override_reason`` (the person acting, or ``override_by`` proven by their own
    ``override_password``, as booking does). Nothing is written then. The edit bumps the
    version and is audited as ``patient.edit`` with the names of the details changed (and the
    visits signed for, each with its ``payer.override`` event); the result lists them."""
    if changes is None:
        if "dob" in details and not isinstance(details["dob"], date | None):
            raise InvalidInput("dob", "a date")
        changes = PatientChanges(**details)
    elif details:
        raise TypeError("give changes or keyword details, not both")
    if not changes.given():
        raise InvalidInput("changes", "nothing to change: give at least one detail")
    values, problems = check_changes(ctx, changes, payer_required=True)
    authoriser = signer(ctx, staff=staff, override_by=override_by,
                        override_password=override_password, override_reason=override_reason)

    def work(session: Session) -> PatientSaved:
        person = acting(session, staff, Permission.PATIENTS)
        patient = live_patient(session, patient_id, lock=True)
        if version is not None and patient.version != version:
            raise StalePatient(patient_view(patient))
        # a consent is to the number or address it was given for: a new one needs it again,
        # given in the same edit
        mobile = values.get("mobile", patient.mobile)
        consent = values.get("sms_consent", patient.sms_consent and bool(mobile)
                             and mobile == patient.mobile)
        wrong = list(problems)
        problem = consent_problem(mobile, consent)
        if problem and changes.sms_consent is not None and not any(
                f == "mobile" for f, _ in wrong):
            wrong.append(problem)
        if wrong:
            raise InvalidDetails(wrong)
        values["sms_consent"] = consent  # a mobile taken away takes the consent with it
        email = values.get("email", patient.email)
        by_email = values.get("email_consent", patient.email_consent and bool(email)
                              and email == patient.email)
        problem = email_consent_problem(email, by_email)
        if problem and changes.email_consent is not None and not any(
                f == "email" for f, _ in wrong):
            raise InvalidDetails([problem])
        values["email_consent"] = by_email  # so does an address taken away
        changed = [field for field, columns in COLUMNS.items()
                   if any(c in values and values[c] != getattr(patient, c) for c in columns)]
        if not changed:
            return saved(patient_view(patient))
        before = patient.version
        for column, value in values.items():
            setattr(patient, column, value)
        patient.version = before + 1
        patient.updated_at = ctx.now()
        session.add(patient)
        session.flush()
        after: dict[str, object] = {"fields": changed, "version": patient.version}
        broken: list[BrokenVisit] = []
        if "payer" in changed:
            broken = refuse_broken_plan(session, ctx, signed_by(session, person, authoriser),
                                        patient_id, override_reason=override_reason)
            if broken:  # signed for by who changed it, with their reason
                after["broken_visits"] = [b.appointment_id for b in broken]
        q.add_audit(session, origin=ctx.origin.stamp, at=ctx.now(), staff_id=person.id,
                    action="patient.edit", entity="patient", entity_id=patient_id,
                    before={"version": before}, after=after)
        return saved(patient_view(patient), broken)

    return write(ctx, work)
