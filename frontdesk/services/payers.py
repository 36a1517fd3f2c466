"""Patients' payers against the practice's payer catalogue: choosing a plan, setting it on a
patient, and finding (and fixing) the patients whose payer on file is not recognised.

The catalogue itself (plans, aliases, rule sets) is the practice's setting:
``domain/payers.py`` and ``[plans.KEY]`` / ``[payers.KEY]`` in settings.toml.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, fields
from typing import TypeVar

from sqlmodel import Session, col, select

from frontdesk.db import queries as q
from frontdesk.db.engine import read_session
from frontdesk.db.models import Appointment, Patient, Staff, VisitType
from frontdesk.domain.model import Status
from frontdesk.domain.payers import PayerPlan
from frontdesk.domain.permissions import Permission, refusal
from frontdesk.services.access import acting
from frontdesk.services.context import Context, write
from frontdesk.services.errors import InvalidInput, NotAllowed, StalePatient
from frontdesk.services.mapping import patient_view
from frontdesk.services.patients.lookup import live_patient
from frontdesk.services.views import PatientSaved, PatientView

MAX_PAYER = 60  # the text on file
MAX_MEMBER_ID = 40
T = TypeVar("T")


def choose_payer(ctx: Context, text: str | None) -> PayerPlan | None:
    """The catalogue plan ``text`` names (None for empty text); InvalidInput("payer") with the
    nearest plans otherwise."""
    if not (text or "").strip():
        return None
    if len(text or "") > MAX_PAYER:
        raise InvalidInput("payer", f"at most {MAX_PAYER} characters")
    try:
        return ctx.settings.catalogue.choose(text or "")
    except ValueError as exc:
        raise InvalidInput("payer", str(exc)) from None


def check_member_id(text: str | None) -> str:
    from frontdesk.domain.patients import DetailError, check_plain

    try:
        check_plain("member_id", text or "")
    except DetailError as exc:
        raise InvalidInput(exc.field, exc.reason) from None
    member = " ".join((text or "").split())
    if len(member) > MAX_MEMBER_ID or not all(ch.isalnum() or ch in " -" for ch in member):
        raise InvalidInput("member_id", f"letters, digits, spaces and hyphens, at most "
                                        f"{MAX_MEMBER_ID}")
    return member


def payer_label(ctx: Context, patient: PatientView) -> str:
    """The patient's payer as a screen shows it: the plan's name, or the text marked as not
    recognised."""
    return ctx.settings.catalogue.resolve(patient.payer_key, patient.payer).label


def search(ctx: Context, text: str, *, limit: int = 8) -> list[PayerPlan]:
    """Plans for a search box (exact, then starts with, then holds, then near spellings)."""
    return ctx.settings.catalogue.search(text, limit=limit)


def set_payer(ctx: Context, *, staff: str, patient_id: int, payer: str,
              member_id: str | None = None, version: int | None = None,
              seen_member_id: str | None = None,
              override_reason: str | None = None, override_by: str | None = None,
              override_password: str | None = None) -> PatientSaved:
    """Give the patient a plan from the catalogue (and, when given, a member id), against the
    record as seen at ``version`` (None: as it is now; StalePatient when it changed since):
    one transaction with its ``patient.payer`` audit event (plan keys only; no member ids).

    The member id is written only when it differs from ``seen_member_id`` (what the form
    showed; None: from the record's), so a form's pre-filled value never overwrites a newer
    one. A new plan re-checks the patient's upcoming procedures: those it breaks need an
    overrider's ``override_reason`` (BrokenPlan otherwise; see :func:`refuse_broken_plan`):
    the person acting, or ``override_by`` standing next to them, proven by their own
    ``override_password`` as booking does (see :func:`signer`)."""
    plan = choose_payer(ctx, payer)
    if plan is None:
        raise InvalidInput("payer", "name a plan from the practice's payer list "
                                    "(frontdesk payers lists them)")
    member = check_member_id(member_id) if member_id is not None else None
    seen = check_member_id(seen_member_id) if seen_member_id is not None else None
    authoriser = signer(ctx, staff=staff, override_by=override_by,
                        override_password=override_password, override_reason=override_reason)

    def work(session: Session) -> PatientSaved:
        person = acting(session, staff, Permission.PATIENTS)
        patient = live_patient(session, patient_id, lock=True)
        if version is not None and patient.version != version:
            raise StalePatient(patient_view(patient))
        before = {"payer": patient.payer_key, "member_id_changed": False}
        new_member = member if member is not None and member != (
            seen if seen is not None else patient.member_id) else None
        changed = new_member is not None and new_member != patient.member_id
        plan_changed = plan.key != patient.payer_key
        if not plan_changed and not changed:
            return saved(patient_view(patient))
        patient.payer_key, patient.payer = plan.key, plan.name[:MAX_PAYER]
        if new_member is not None:
            patient.member_id = new_member
        patient.version += 1  # an edit made against the version before this is stale
        patient.updated_at = ctx.now()
        session.add(patient)
        session.flush()
        after: dict[str, object] = {"payer": plan.key, "member_id_changed": changed}
        broken: list[BrokenVisit] = []
        if plan_changed:
            broken = refuse_broken_plan(session, ctx, signed_by(session, person, authoriser),
                                        patient_id, override_reason=override_reason)
        if broken:
            after["broken_visits"] = [b.appointment_id for b in broken]  # signed for
        q.add_audit(session, origin=ctx.origin.stamp, at=ctx.now(), staff_id=person.id,
                    action="patient.payer", entity="patient", entity_id=patient_id,
                    before=before, after=after)
        return saved(patient_view(patient), broken)

    return write(ctx, work)


def signer(ctx: Context, *, staff: str, override_by: str | None,
           override_password: str | None, override_reason: str | None) -> str:
    """Who signs for broken payer rules, proven before anything is written: ``staff``, or
    ``override_by`` once their own password checks out (the rule booking follows:
    :func:`~frontdesk.services.pathway.override_authoriser`)."""
    from frontdesk.services.pathway import override_authoriser

    return override_authoriser(ctx, staff=staff, override_by=override_by,
                               password=override_password, reason=override_reason)


def signed_by(session: Session, person: Staff, authoriser: str) -> Staff:
    """The staff row that signs: the person acting, or the proven authoriser."""
    if q.username_key(authoriser) == q.username_key(person.username):
        return person
    return acting(session, authoriser)


def saved(view: PatientView, broken: list[BrokenVisit] | None = None) -> PatientSaved:
    """The record as written, with the visits whose payer rules were signed for."""
    return PatientSaved(**{f.name: getattr(view, f.name) for f in fields(PatientView)},
                        overridden_visits=tuple(b.appointment_id for b in broken or ()))


@dataclass(frozen=True, slots=True)
class BrokenVisit:
    """An upcoming procedure of the patient that breaks their plan's payer rules."""

    appointment_id: int
    visit_type: str
    rules: tuple[str, ...]  # the rules' codes
    texts: tuple[str, ...]  # what each says, as booking says it

    def describe(self) -> str:
        return f"visit {self.appointment_id}: {'; '.join(self.texts)}"


class BrokenPlan(NotAllowed):
    """The change leaves upcoming procedures breaking the patient's plan's payer rules:
    ``visits`` say which and why. ``may_override``: the person may sign for them by giving an
    override reason (they did not); otherwise their role may not (``override_roles``)."""

    def __init__(self, visits: list[BrokenVisit], *, may_override: bool, allowed: tuple[str, ...],
                 doing: str) -> None:
        self.visits = tuple(visits)
        self.may_override = may_override
        ids = ", ".join(str(v.appointment_id) for v in self.visits)
        why = "; ".join(v.describe() for v in self.visits)
        head = f"the patient's booked procedure(s) {ids} break this plan's payer rules — {why}"
        if may_override:
            super().__init__(f"{head} — {doing} anyway needs an override reason")
        else:
            super().__init__(f"{head}; " + refusal(Permission.OVERRIDE, allowed)
                             + f": ask one to make {doing}")


def broken_visits(session: Session, ctx: Context, patient_id: int) -> list[BrokenVisit]:
    """The patient's upcoming procedures (held or booked) that break their plan's payer
    rules as it stands in this transaction — beyond a rule already overridden on the visit —
    with the rules each breaks."""
    from frontdesk.services.pathway import unsigned_checks

    found = []
    for appt in _upcoming(session, ctx, patient_id):
        checks = unsigned_checks(session, ctx, appt)
        if appt.id is not None and checks:
            vt = session.get(VisitType, appt.visit_type_id)
            found.append(BrokenVisit(
                appt.id, vt.code if vt else "",
                tuple(sorted({p.rule for c in checks for p in c.problems})),
                tuple(f"{c.payer}: {p.text}" for c in checks for p in c.problems)))
    return found


def refuse_broken_plan(session: Session, ctx: Context, person: Staff, patient_id: int, *,
                       override_reason: str | None = None,
                       doing: str = "this payer change") -> list[BrokenVisit]:
    """After the patient's plan (or visits) changed in this transaction: the upcoming
    procedures its rules break, signed for by ``person`` with ``override_reason`` — one
    ``payer.override`` audit event per visit, as booking writes it, so the override stands
    for the visit. BrokenPlan when there are some and ``person`` may not override payer rules
    (``[callbacks] override_roles``, the rule booking follows) or gave no reason."""
    broken = broken_visits(session, ctx, patient_id)
    if not broken:
        return []
    allowed = ctx.settings.callbacks.override_roles
    reason = (override_reason or "").strip()
    if person.role not in allowed or not reason:
        raise BrokenPlan(broken, may_override=person.role in allowed, allowed=allowed,
                         doing=doing)
    if len(reason) > 500:
        raise InvalidInput("reason", "keep the override reason under 500 characters")
    for visit in broken:
        q.add_audit(session, origin=ctx.origin.stamp, at=ctx.now(), staff_id=person.id,
                    action="payer.override", entity="appointment",
                    entity_id=visit.appointment_id,
                    after={"visit_type": visit.visit_type, "rules": list(visit.rules),
                           "reason": reason, "patient_id": patient_id,
                           "because": doing})
    return broken


def broken_under_new_plan(session: Session, ctx: Context, patient_id: int) -> list[int]:
    """The ids of the patient's upcoming procedures that break their plan's payer rules as
    it stands in this transaction (see :func:`broken_visits`). Changing the payer must not
    book round the rules (self-pay, book, then back)."""
    return [b.appointment_id for b in broken_visits(session, ctx, patient_id)]


def _upcoming(session: Session, ctx: Context, patient_id: int) -> list[Appointment]:
    return list(session.exec(select(Appointment).where(
        Appointment.patient_id == patient_id, col(Appointment.starts_at) >= ctx.now(),
        col(Appointment.status).in_((Status.HELD.value, Status.BOOKED.value,
                                     Status.CONFIRMED.value)))
        .order_by(col(Appointment.starts_at))).all())


@dataclass(frozen=True, slots=True)
class PayerText:
    """One payer text on file (for patients with no plan chosen) and what it resolves to."""

    text: str
    patients: int
    plan: PayerPlan | None  # None: not recognised


@dataclass(frozen=True, slots=True)
class Census:
    """Patients without a chosen plan, by the text on file; the unrecognised ones listed."""

    chosen: int  # patients with a plan from the catalogue
    texts: tuple[PayerText, ...]
    unrecognised: tuple[PatientView, ...]

    @property
    def matched(self) -> int:
        return sum(t.patients for t in self.texts if t.plan is not None)


def census(ctx: Context, *, limit: int = 200) -> Census:
    """Where the patients' payers stand against the catalogue: how many have a plan chosen,
    the texts on file of the rest (recognised or not) and up to ``limit`` unrecognised
    patients (oldest first) for staff to fix."""
    catalogue = ctx.settings.catalogue
    with read_session(ctx.engine) as session:
        keys = session.exec(select(Patient.payer_key).where(
            col(Patient.payer_key).is_not(None))).all()
        chosen = sum(1 for key in keys if catalogue.plan(key) is not None)
        lost = {key for key in keys if catalogue.plan(key) is None}
        rows = session.exec(select(Patient).where(
            col(Patient.payer_key).is_(None) | col(Patient.payer_key).in_(lost or {""})
        ).order_by(col(Patient.id))).all()
    counts = Counter(p.payer.strip() for p in rows if p.payer_key is None)
    texts = tuple(PayerText(text, n, catalogue.match(text)) for text, n in counts.most_common())
    unrecognised = tuple(patient_view(p) for p in rows
                         if p.payer_key is not None or catalogue.match(p.payer) is None)
    return Census(chosen, texts, unrecognised[:limit])


def map_payers(ctx: Context, *, staff: str) -> int:
    """Store the plan of every patient whose payer text names one exactly (and who has no plan
    yet): one transaction, one ``patient.payer_map`` audit event with the count. Manager or
    admin (a change to many records at once)."""

    def work(session: Session) -> int:
        person = acting(session, staff, Permission.PAYER_MAP)
        catalogue = ctx.settings.catalogue
        mapped: Counter[str] = Counter()
        for patient in session.exec(select(Patient).where(col(Patient.payer_key).is_(None))):
            plan = catalogue.match(patient.payer)
            if plan is None:
                continue
            patient.payer_key, patient.payer = plan.key, plan.name[:MAX_PAYER]
            session.add(patient)
            mapped[plan.key] += 1
        q.add_audit(session, origin=ctx.origin.stamp, at=ctx.now(), staff_id=person.id,
                    action="patient.payer_map", entity="patient", entity_id=None,
                    after={"mapped": dict(sorted(mapped.items()))})
        return sum(mapped.values())

    return write(ctx, work)
