"""The booking pathway against the database: a patient's procedure and relief history, the
recommendation for a call, and the payer rules a booking must pass (or override).

The rules themselves are in ``domain/pathway/``; this module gathers their inputs and, for a
booking, writes the override and its audit event inside the booking's own transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from frontdesk.db import queries as q
from frontdesk.db.engine import read_session
from frontdesk.db.models import (
    Appointment,
    AuditEvent,
    Location,
    Patient,
    ReliefReport,
    Staff,
    VisitType,
)
from frontdesk.domain.calls import CallReason
from frontdesk.domain.model import Region, Side, Status
from frontdesk.domain.pathway import (
    AnswerError,
    Answers,
    History,
    PastRelief,
    PastSession,
    PayerCheck,
    Procedure,
    Recommendation,
    count_levels,
    level_set,
    payer_check,
    recommend,
    script,
    session_counts,
)
from frontdesk.domain.pathway.payers import Problem
from frontdesk.domain.pathway.recommendation import Verdict
from frontdesk.domain.payers import PayerOf
from frontdesk.domain.permissions import Permission, refusal
from frontdesk.services.context import Context
from frontdesk.services.errors import FrontDeskError, InvalidInput, NotAllowed

#: Statuses of a procedure that counts towards payer limits (a hold is not a session yet).
COUNTED = (Status.BOOKED.value, Status.CONFIRMED.value, Status.CHECKED_IN.value,
           Status.COMPLETED.value)
_PROCEDURES = {p.value for p in Procedure}
#: The "payer" of the check a procedure gets when the patient's payer is not recognised.
UNRECOGNISED = "Payer not recognised"


class PayerRulesBroken(FrontDeskError):
    """Booking would break a payer rule; ``checks`` say which and when it would be allowed."""

    def __init__(self, checks: Iterable[PayerCheck]) -> None:
        self.checks = tuple(checks)
        texts = [f"{c.payer}: {p.text}" for c in self.checks for p in c.problems]
        super().__init__("; ".join(texts) + " — booking anyway needs an override with a reason")


@dataclass(frozen=True, slots=True)
class RegionCounts:
    """Sessions per kind in one region in the payer's window, for the intake screen."""

    payer: str
    region: Region
    counts: dict[Procedure, int]
    limits: dict[Procedure, int]
    #: the regions counted (``region`` and those the payer's region_groups count with it)
    counted: tuple[Region, ...] = ()


# --------------------------------------------------------------------------- reading


def patient_history(ctx: Context, patient_id: int) -> History:
    with read_session(ctx.engine) as session:
        return load_history(session, patient_id, now=ctx.now())


def load_history(session: Session, patient_id: int, *, now: datetime,
                 exclude_id: int | None = None, exclude_call: int | None = None) -> History:
    """The patient's counted procedures and relief reports, dated in each location's zone,
    with the levels and side each treated (a report without its own takes its procedure's).

    ``exclude_call``: leave out the report that call has stored — the call's own answers stand
    for it (they may have changed since), so it is counted once, whatever order the screen
    saves and advises in."""
    rows = session.exec(
        select(Appointment, VisitType.code, Location.timezone)
        .join(VisitType, col(VisitType.id) == Appointment.visit_type_id)
        .join(Location, col(Location.id) == Appointment.location_id)
        .where(Appointment.patient_id == patient_id)
        .where(col(Appointment.status).in_(COUNTED))
    ).all()
    reports = [r for r in session.exec(
        select(ReliefReport).where(ReliefReport.patient_id == patient_id)
        .order_by(col(ReliefReport.id))
    ).all() if exclude_call is None or r.call_id != exclude_call]
    return _history(rows, reports, now=now, exclude_id=exclude_id)


#: Patients read per query by :func:`load_histories` (well within any database's parameters).
_CHUNK = 500


def load_histories(session: Session, patient_ids: Iterable[int], *, now: datetime
                   ) -> dict[int, History]:
    """:func:`load_history` of many patients at once, in two queries per ``_CHUNK`` of
    them (a list of many patients, e.g. the recalls). Every patient asked has a History, an
    empty one when nothing is on record."""
    wanted = sorted(set(patient_ids))
    rows: dict[int, list[tuple[Appointment, str, str]]] = defaultdict(list)
    reports: dict[int, list[ReliefReport]] = defaultdict(list)
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start:start + _CHUNK]
        for appt, code, zone in session.exec(
                select(Appointment, VisitType.code, Location.timezone)
                .join(VisitType, col(VisitType.id) == Appointment.visit_type_id)
                .join(Location, col(Location.id) == Appointment.location_id)
                .where(col(Appointment.patient_id).in_(chunk))
                .where(col(Appointment.status).in_(COUNTED))).all():
            rows[appt.patient_id].append((appt, code, zone))
        for report in session.exec(
                select(ReliefReport).where(col(ReliefReport.patient_id).in_(chunk))
                .order_by(col(ReliefReport.id))).all():
            reports[report.patient_id].append(report)
    return {i: _history(rows.get(i, []), reports.get(i, []), now=now) for i in wanted}


def _history(rows: Sequence[tuple[Appointment, str, str]], reports: Sequence[ReliefReport], *,
             now: datetime, exclude_id: int | None = None) -> History:
    """One patient's History from their counted visits (with code and zone) and reports."""
    seen = False
    sessions: list[PastSession] = []
    days: dict[int, date] = {}
    treated: dict[int, tuple[frozenset[str], Side | None]] = {}
    for appt, code, zone in rows:
        day = appt.starts_at.astimezone(ZoneInfo(zone)).date()
        days[appt.id or 0] = day
        treated[appt.id or 0] = (_level_set(appt.levels, appt.region), _side(appt.side))
        if appt.starts_at < now or appt.status in (Status.CHECKED_IN.value,
                                                    Status.COMPLETED.value):
            seen = True
        if code in _PROCEDURES and appt.id != exclude_id:
            sessions.append(PastSession(
                procedure=Procedure(code), region=_region(appt.region), day=day,
                levels=_levels(appt.levels), provider_id=appt.provider_id,
                level_set=treated[appt.id or 0][0], side=treated[appt.id or 0][1]))
    reliefs: list[PastRelief] = []
    for r in reports:
        if r.procedure not in _PROCEDURES:
            continue
        levels, side = _report_treated(r, treated.get(r.appointment_id or -1))
        reliefs.append(PastRelief(
            procedure=Procedure(r.procedure), region=_region(r.region),
            day=days.get(r.appointment_id or -1, r.reported_at.date()),
            percent=r.percent_relief, hours=r.hours_lasted, same_scale=r.same_scale,
            wearing_off=r.wearing_off, level_set=levels, side=side))
    return History(seen_before=seen, sessions=tuple(sessions), reliefs=tuple(reliefs))


def _region(value: str | None) -> Region | None:
    try:
        return Region(value) if value else None
    except ValueError:
        return None


def _side(value: str | None) -> Side | None:
    try:
        return Side(value) if value else None
    except ValueError:
        return None


def _level_set(text: str | None, region: str | None) -> frozenset[str]:
    """The levels on record, or none when there are none or they do not read as levels of
    the region (then nothing is assumed about them)."""
    if not text:
        return frozenset()
    try:
        return level_set(text, _region(region))
    except AnswerError:
        return frozenset()


def _report_treated(report: ReliefReport, appointment: tuple[frozenset[str], Side | None] | None
                    ) -> tuple[frozenset[str], Side | None]:
    """A report's own levels and side; where it has no levels, those of the procedure it is
    about; where it has no side, that procedure's side when the levels agree."""
    levels, side = _level_set(report.levels, report.region), _side(report.side)
    if appointment is not None:
        if not levels:
            levels = appointment[0]
        if side is None and levels == appointment[0]:
            side = appointment[1]
    return levels, side


def _levels(text: str | None) -> int:
    if not text:
        return 1
    try:
        return count_levels(text)
    except AnswerError:
        return 1


def recommend_for(ctx: Context, *, patient_id: int, reason: CallReason | None,
                  answers: Answers, call_id: int | None = None) -> Recommendation:
    """The pathway's recommendation for this caller, today in the practice's zone.
    ``call_id``: the call the answers come from (its stored report is the answers)."""
    payer, history, today = _caller(ctx, patient_id, call_id)
    rec = recommend(replace(answers, reason=reason), history, ctx.settings.rules,
                    payer=payer.rules_key, today=today)
    first = rec.visit_types[0] if rec.visit_types else None
    if payer.recognised or first not in _PROCEDURES:
        return rec
    check = unrecognised(payer, Procedure(first), rec.region, today)
    say = rec.say if script.CHECK_FIRST in rec.say else (*rec.say, script.CHECK_FIRST)
    return replace(rec, checks=(*rec.checks, check), say=say, payers=(
        *rec.payers, Verdict(UNRECOGNISED, False, check.problems[0].text)))


def payer_of(ctx: Context, patient: Patient) -> PayerOf:
    """The patient's plan in the practice's payer catalogue (or that it is not recognised)."""
    return ctx.settings.catalogue.resolve(patient.payer_key, patient.payer)


def unrecognised(payer: PayerOf, procedure: Procedure, region: Region | None,
                 day: date) -> PayerCheck:
    """The check a procedure gets when the patient's payer is not recognised: nothing can say
    it is allowed, so booking it is a choice somebody signs for (an override with a reason)."""
    what = (f"{payer.text[:40]!r} is not in the practice's payer list" if payer.text
            else "no payer on file")
    return PayerCheck(payer=UNRECOGNISED, procedure=procedure, region=region, day=day,
                      count=0, limit=0, problems=(Problem(
                          "payer", f"{what} — payer rules not checked; set the patient's "
                                   "payer from the list"),))


def _caller(ctx: Context, patient_id: int,
            call_id: int | None = None) -> tuple[PayerOf, History, date]:
    """The patient's payer and history, and today in the practice's zone."""
    with read_session(ctx.engine) as session:
        patient = session.get(Patient, patient_id)
        if patient is None:
            raise InvalidInput("patient", f"no patient with id {patient_id}")
        history = load_history(session, patient_id, now=ctx.now(), exclude_call=call_id)
    return (payer_of(ctx, patient), history,
            ctx.now().astimezone(ZoneInfo("America/Chicago")).date())


def region_counts(ctx: Context, *, patient_id: int, region: Region,
                  call_id: int | None = None) -> list[RegionCounts]:
    """Sessions in ``region`` in each applicable payer's rolling window up to today, plus the
    ones already booked, with the limits."""
    payer, history, today = _caller(ctx, patient_id, call_id)
    return [
        RegionCounts(p.label, region, session_counts(history, region, today, p,
                                                     booked_after=True),
                     {proc: p.max_sessions(proc) for proc in Procedure},
                     tuple(sorted((r for r in p.counted_with(region) if r is not None),
                                  key=list(Region).index)))
        for p in ctx.settings.payers if p.applies_to(payer.rules_key)
    ]


def payer_checks(ctx: Context, *, patient_id: int, visit_type: str, region: str | None,
                 levels: str | None, start: datetime,
                 side: str | None = None, exclude_id: int | None = None) -> list[PayerCheck]:
    """What each applicable payer says about booking this visit at ``start`` (at ``levels``
    on ``side``: the blocks it needs are counted there); ``exclude_id``: the visit being
    moved there, which does not count against itself."""
    with read_session(ctx.engine) as session:
        return _checks(session, ctx, patient_id=patient_id, visit_type=visit_type,
                       region=region, levels=levels, start=start, exclude_id=exclude_id,
                       side=side)


def _checks(session: Session, ctx: Context, *, patient_id: int, visit_type: str,
            region: str | None, levels: str | None, start: datetime,
            exclude_id: int | None, side: str | None = None) -> list[PayerCheck]:
    if visit_type not in _PROCEDURES:
        return []
    patient = session.get(Patient, patient_id)
    if patient is None:
        return []
    payer = payer_of(ctx, patient)
    day = start.astimezone(ZoneInfo("America/Chicago")).date()
    if not payer.recognised:
        return [unrecognised(payer, Procedure(visit_type), _region(region), day)]
    if payer.rules is None:
        return []  # a plan with no payer rules (self-pay)
    history = load_history(session, patient_id, now=ctx.now(), exclude_id=exclude_id)
    return [payer_check(Procedure(visit_type), _region(region), _levels(levels), day, history,
                        payer.rules, level_set=_level_set(levels, region), side=_side(side))]


# --------------------------------------------------------------------------- writing


def override_authoriser(ctx: Context, *, staff: str, override_by: str | None,
                        password: str | None, reason: str | None) -> str:
    """Who authorises booking against a payer rule, proven before anything is written: the
    person booking (their own session or command proved them), or ``override_by`` once their
    own ``password`` checks out — a typed name alone never is. A wrong password counts toward
    that person's lockout (SignInRefused, AccountLocked); no password: NotAllowed. Without a
    ``reason`` there is no override, and nobody to prove."""
    from frontdesk.services.accounts import prove

    wanted = q.username_key(override_by or "")
    if not (reason or "").strip() or not wanted or wanted == q.username_key(staff):
        return staff
    if not password:
        raise NotAllowed(f"an override by {wanted[:40]} needs {wanted[:40]}'s own password")
    return prove(ctx, username=wanted, password=password).username


def enforce_payer_rules(
    session: Session, ctx: Context, *, staff: Staff, appointment: Appointment, visit_type: str,
    override_reason: str | None,
) -> None:
    """Inside a booking's transaction: refuse a booking that breaks a payer rule unless an
    allowed role overrides it with a reason; the override is audited with the booking."""
    checks = _checks(session, ctx, patient_id=appointment.patient_id, visit_type=visit_type,
                     region=appointment.region, levels=appointment.levels,
                     start=appointment.starts_at, exclude_id=appointment.id,
                     side=appointment.side)
    broken = [c for c in checks if not c.allowed]
    if not broken:
        return
    reason = (override_reason or "").strip()
    if not reason:
        raise PayerRulesBroken(broken)
    allowed = ctx.settings.callbacks.override_roles
    if staff.role not in allowed:
        raise NotAllowed(refusal(Permission.OVERRIDE, allowed) + "; ask one to book it")
    if len(reason) > 500:
        raise InvalidInput("reason", "keep the override reason under 500 characters")
    after: dict[str, Any] = {
        "visit_type": visit_type,
        "rules": sorted({p.rule for c in broken for p in c.problems}),
        "payers": [c.payer for c in broken],
        "reason": reason,
    }
    q.add_audit(session, origin=ctx.origin.stamp,
                at=ctx.now(), staff_id=staff.id, action="payer.override",
                entity="appointment", entity_id=appointment.id, after=after)


def standing_overrides(session: Session, appointment_id: int | None) -> set[str]:
    """The payer rules somebody signed an override for on this visit (when it was held or
    booked): they still stand while the visit keeps its day."""
    if appointment_id is None:
        return set()
    events = session.exec(select(AuditEvent.after).where(
        AuditEvent.action == "payer.override", AuditEvent.entity == "appointment",
        AuditEvent.entity_id == appointment_id)).all()
    return {str(rule) for after in events if isinstance(after, dict)
            for rule in after.get("rules", [])}


def recheck_payer_rules(session: Session, ctx: Context, *, appointment: Appointment,
                        visit_type: str) -> None:
    """Inside the transaction that turns a hold (or a no-show) back into a booking: the payer
    rules again, as they stand now — the patient's plan or other bookings may have changed
    since. A rule already overridden on this visit stands; any other broken rule refuses
    (PayerRulesBroken), and the visit is booked again with an override instead."""
    broken = _unsigned(session, ctx, appointment, visit_type)
    if broken:
        raise PayerRulesBroken(broken)


def recheck_later_visits(session: Session, ctx: Context, appointment: Appointment) -> None:
    """Once ``appointment`` counts again (flushed as booked): the patient's visits after it
    must still pass the payer rules — counting an earlier block can make a later one a second
    block. Refuses (PayerRulesBroken) with what they break; nothing is written."""
    later = session.exec(select(Appointment).where(
        Appointment.patient_id == appointment.patient_id,
        Appointment.id != appointment.id,
        col(Appointment.starts_at) > appointment.starts_at,
        col(Appointment.status).in_(COUNTED))).all()  # a later hold is checked when confirmed
    broken = [check for appt in later
              if (vt := session.get(VisitType, appt.visit_type_id)) is not None
              for check in _unsigned(session, ctx, appt, vt.code)]
    if broken:
        raise PayerRulesBroken(broken)


def unsigned_checks(session: Session, ctx: Context,
                    appointment: Appointment) -> list[PayerCheck]:
    """The payer checks the visit fails beyond a rule already overridden on it, as things
    stand in this transaction (empty: it passes)."""
    vt = session.get(VisitType, appointment.visit_type_id)
    return [] if vt is None else _unsigned(session, ctx, appointment, vt.code)


def breaks_payer_rules(session: Session, ctx: Context, appointment: Appointment) -> bool:
    """True when the visit breaks a payer rule nobody signed an override for, as things
    stand in this transaction."""
    vt = session.get(VisitType, appointment.visit_type_id)
    return vt is not None and bool(_unsigned(session, ctx, appointment, vt.code))


def _unsigned(session: Session, ctx: Context, appointment: Appointment,
              visit_type: str) -> list[PayerCheck]:
    checks = _checks(session, ctx, patient_id=appointment.patient_id, visit_type=visit_type,
                     region=appointment.region, levels=appointment.levels,
                     start=appointment.starts_at, exclude_id=appointment.id,
                     side=appointment.side)
    standing = standing_overrides(session, appointment.id)
    return [c for c in checks if any(p.rule not in standing for p in c.problems)]
