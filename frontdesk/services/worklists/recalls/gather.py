"""Gathering the recalls: every candidate of the three kinds, due or not yet, with the
visit that closes it when one is booked."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from sqlmodel import Session, col, select

from frontdesk.db.engine import read_session
from frontdesk.db.models import (
    Appointment,
    CallbackTask,
    Location,
    Outreach,
    Patient,
    ReliefReport,
    VisitType,
)
from frontdesk.domain.model import Region, Status
from frontdesk.domain.pathway import Procedure
from frontdesk.domain.pathway.repeat import REPEATED, first_eligible
from frontdesk.domain.recalls import (
    EXPECT_NEXT,
    RecallKind,
    RecallOutcome,
    RecallRules,
    closes,
)
from frontdesk.services.callbacks import RELIEF_REPORT, callbacks_due
from frontdesk.services.context import Context
from frontdesk.services.errors import InvalidInput
from frontdesk.services.pathway import COUNTED, load_histories, payer_of

PRACTICE_ZONE = ZoneInfo("America/Chicago")
#: The ``Outreach.worklist`` of a recall's try.
WORKLIST = "recall"
#: Overdue relief callbacks read at most (the most overdue first).
CALLBACKS_AT_MOST = 500


@dataclass(frozen=True, slots=True)
class Candidate:
    """A recall before its tries are read: due or not yet, closed by a visit or not."""

    key: str
    kind: RecallKind
    patient_id: int
    what: str
    since: date
    rule: str
    anchor_id: int
    appointment_id: int | None
    location_id: int | None
    due: bool
    closed_by: int | None  # the visit of the next step's kind booked after it



def candidates(ctx: Context, now: datetime, rules: RecallRules,
                location_id: int | None) -> list[Candidate]:
    """Every recall of the three kinds, due or not yet."""
    with read_session(ctx.engine) as session:
        found = (_repeats(session, ctx, now, rules, location_id, None)
                 + _follow_ups(session, ctx, now, rules, location_id, None))
    return found + _reliefs(ctx, location_id)


def one(session: Session, ctx: Context, now: datetime, rules: RecallRules,
         key: str) -> Candidate | None:
    """The recall ``key`` names, due or not yet, or None when there is no such recall."""
    kind, ref = parse_key(key)
    if kind is RecallKind.REPEAT:
        found = _repeats(session, ctx, now, rules, None, ref)
    elif kind is RecallKind.FOLLOW_UP:
        found = _follow_ups(session, ctx, now, rules, None, ref)
    else:
        found = _reliefone(session, now, ref)
    return found[0] if found else None


def _done(session: Session, codes: Iterable[str], since: datetime, location_id: int | None,
          ref: int | None) -> list[tuple[Appointment, str, str]]:
    """Completed procedures of ``codes`` from ``since`` (or the one ``ref``), with their code
    and their location's zone."""
    query = (select(Appointment, VisitType.code, Location.timezone)
             .join(VisitType, col(VisitType.id) == Appointment.visit_type_id)
             .join(Location, col(Location.id) == Appointment.location_id)
             .where(col(VisitType.code).in_(list(codes)))
             .where(Appointment.status == Status.COMPLETED.value))
    if ref is not None:
        query = query.where(Appointment.id == ref)
    else:
        query = query.where(Appointment.starts_at >= since)
    if location_id is not None:
        query = query.where(Appointment.location_id == location_id)
    return [(a, code, zone) for a, code, zone in session.exec(query).all()]


def _later_visits(session: Session, patient_ids: set[int], since: datetime
                  ) -> dict[int, list[tuple[Appointment, str]]]:
    """Each patient's visits still on (booked, confirmed, checked in, completed) from
    ``since``, soonest first, with their code."""
    if not patient_ids:
        return {}
    rows = session.exec(
        select(Appointment, VisitType.code)
        .join(VisitType, col(VisitType.id) == Appointment.visit_type_id)
        .where(col(Appointment.patient_id).in_(sorted(patient_ids)))
        .where(col(Appointment.status).in_(COUNTED))
        .where(Appointment.starts_at >= since)
        .order_by(col(Appointment.starts_at))).all()
    out: dict[int, list[tuple[Appointment, str]]] = defaultdict(list)
    for appt, code in rows:
        out[appt.patient_id].append((appt, code))
    return out


def _closing(anchor: Appointment, code: str,
             later: Sequence[tuple[Appointment, str]],
             not_before: datetime | None = None) -> int | None:
    """The first visit after ``anchor`` (and from ``not_before``) that is its next step (a
    repeat of the same kind in the same region; any other next step anywhere)."""
    for appt, other in later:
        if appt.id == anchor.id or appt.starts_at <= anchor.starts_at:
            continue
        if not_before is not None and appt.starts_at < not_before:
            continue  # e.g. the routine follow-up weeks after an RFA: not its repeat
        if not closes(code, other):
            continue
        if other == code and anchor.region and appt.region not in (None, anchor.region):
            continue
        return appt.id
    return None


def _repeats(session: Session, ctx: Context, now: datetime, rules: RecallRules,
             location_id: int | None, ref: int | None) -> list[Candidate]:
    """The last RFA or therapeutic injection done in each region, with its first eligible
    date under the patient's payer's rules (none: no recall)."""
    since = now - relativedelta(years=rules.repeat_years)
    done = _done(session, [p.value for p in REPEATED], since, location_id, None)
    last: dict[tuple[int, str, str | None], tuple[Appointment, str, str]] = {}
    for appt, code, zone in done:
        group = (appt.patient_id, code, appt.region)
        if group not in last or last[group][0].starts_at < appt.starts_at:
            last[group] = (appt, code, zone)
    if ref is not None:
        last = {g: v for g, v in last.items() if v[0].id == ref}
    # a repeat needs the relief on record: only the patients with a report of the kind are
    # read further (their histories all at once)
    reported = _reported(session, {g[0] for g in last})
    last = {g: v for g, v in last.items() if (g[0], g[1]) in reported}
    people = patients_by_id(session, {g[0] for g in last})
    later = _later_visits(session, {g[0] for g in last}, since)
    histories = load_histories(session, {
        g[0] for g in last if (p := people.get(g[0])) is not None and p.merged_into_id is None
        and payer_of(ctx, p).rules is not None}, now=now)
    today = now.astimezone(PRACTICE_ZONE).date()
    horizon = today + timedelta(days=rules.look_ahead_days)
    out: list[Candidate] = []
    for (patient_id, code, region), (appt, _, zone) in last.items():
        patient = people.get(patient_id)
        if patient is None or patient.merged_into_id is not None:
            continue
        payer = payer_of(ctx, patient)
        if payer.rules is None:
            continue  # not recognised, or a plan with no payer rules: no date to wait for
        day = appt.starts_at.astimezone(ZoneInfo(zone)).date()
        history = histories[patient_id]
        procedure = Procedure(code)
        session_of = [s for s in history.in_region(procedure, _region_of(appt))
                      if s.day == day]
        if not session_of:
            continue
        eligible = first_eligible(session_of[-1], history, payer.rules, today=today)
        if eligible is None:
            continue
        out.append(Candidate(
            key=f"{RecallKind.REPEAT.value}:{appt.id}", kind=RecallKind.REPEAT,
            patient_id=patient_id, what=f"Repeat {procedure.noun}{_where(region, appt)}",
            since=eligible.day, rule=eligible.rule, anchor_id=appt.id or 0,
            appointment_id=appt.id, location_id=appt.location_id,
            due=eligible.day <= horizon,
            closed_by=_closing(appt, code, later.get(patient_id, ()),
                               _window_opens(eligible.day, rules, zone))))
    return out


def _window_opens(day: date, rules: RecallRules, zone: str) -> datetime:
    """When a repeat's recall window opens (the look-ahead before its first eligible day):
    a visit of the right kind from then on is its next step; one before it is not."""
    opens = day - timedelta(days=rules.look_ahead_days)
    return datetime.combine(opens, time(), ZoneInfo(zone)).astimezone(UTC)


def _reported(session: Session, patient_ids: set[int]) -> set[tuple[int, str]]:
    """(patient, procedure) of the relief reports on record about repeatable procedures."""
    if not patient_ids:
        return set()
    return set(session.exec(
        select(ReliefReport.patient_id, ReliefReport.procedure)
        .where(col(ReliefReport.patient_id).in_(sorted(patient_ids)))
        .where(col(ReliefReport.procedure).in_([p.value for p in REPEATED]))).all())


def _region_of(appt: Appointment) -> Region | None:
    try:
        return Region(appt.region) if appt.region else None
    except ValueError:
        return None


def _where(region: str | None, appt: Appointment) -> str:
    return _place_words(region, appt.levels)


def _follow_ups(session: Session, ctx: Context, now: datetime, rules: RecallRules,
                location_id: int | None, ref: int | None) -> list[Candidate]:
    """Diagnostic blocks done in the last ``follow_up_days`` whose relief report is in (or
    whose callback is closed) with no next step booked after them."""
    since = now - timedelta(days=rules.follow_up_days)
    done = _done(session, EXPECT_NEXT, since, location_id, ref)
    if not done:
        return []
    ids = [a.id for a, _, _ in done]
    tasks: dict[int | None, list[CallbackTask]] = defaultdict(list)
    for task in session.exec(select(CallbackTask)
                             .where(col(CallbackTask.appointment_id).in_(ids))
                             .where(CallbackTask.kind == RELIEF_REPORT)).all():
        tasks[task.appointment_id].append(task)
    later = _later_visits(session, {a.patient_id for a, _, _ in done},
                          min(a.starts_at for a, _, _ in done))
    declined = _declined(session, [t for own in tasks.values() for t in own
                                   if t.status == "cancelled"])
    wait = timedelta(hours=ctx.settings.callbacks.relief_report_hours)
    out: list[Candidate] = []
    for appt, code, zone in done:
        own = tasks.get(appt.id, [])
        if any(t.status == "open" for t in own):
            continue  # its relief callback is still to do: the relief recall covers it
        if any(t.id in declined for t in own):
            continue  # the patient declined its relief recall: no second recall about it
        reported = [t.done_at for t in own if t.status == "done" and t.done_at is not None]
        due_at = min([appt.starts_at + wait, *reported])
        block_day = appt.starts_at.astimezone(ZoneInfo(zone))
        out.append(Candidate(
            key=f"{RecallKind.FOLLOW_UP.value}:{appt.id}", kind=RecallKind.FOLLOW_UP,
            patient_id=appt.patient_id,
            what=f"Next step{_where(appt.region, appt)}",
            since=due_at.astimezone(ZoneInfo(zone)).date(),
            rule=(f"Diagnostic block on {block_day:%a %d %b %Y}"
                  + (", relief report in" if reported else "")
                  + ": no next step booked (a second block, a therapeutic injection, an RFA "
                    "consult or a physician follow-up)"),
            anchor_id=appt.id or 0, appointment_id=appt.id, location_id=appt.location_id,
            due=due_at <= now, closed_by=_closing(appt, code, later.get(appt.patient_id, ()))))
    return out


def _declined(session: Session, cancelled: Sequence[CallbackTask]) -> set[int | None]:
    """The ids of ``cancelled`` relief callbacks whose recall the patient declined."""
    if not cancelled:
        return set()
    subjects = {f"{RecallKind.RELIEF.value}:{t.id}": t.id for t in cancelled}
    rows = session.exec(select(Outreach.subject)
                        .where(Outreach.worklist == WORKLIST)
                        .where(Outreach.outcome == RecallOutcome.DECLINED.value)
                        .where(col(Outreach.subject).in_(sorted(subjects)))).all()
    return {subjects[s] for s in rows}


def _reliefs(ctx: Context, location_id: int | None) -> list[Candidate]:
    """Relief-report callbacks overdue, as the callbacks service lists them."""
    due = callbacks_due(ctx, within_hours=0, limit=CALLBACKS_AT_MOST, location_id=location_id)
    with read_session(ctx.engine) as session:
        places = appointment_places(session, [c.appointment_id for c in due
                                                if c.appointment_id is not None])
    return [Candidate(
        key=f"{RecallKind.RELIEF.value}:{c.id}", kind=RecallKind.RELIEF, patient_id=c.patient_id,
        what=f"Relief report{_place_words(c.region, c.levels)}",
        since=c.due_at.astimezone(ZoneInfo(c.timezone)).date(),
        rule=(f"Relief-report callback after {_procedure_words(c.procedure, c.procedure_name)}"
              f", due {_local(c.due_at, c.timezone):%a %d %b %H:%M}"),
        anchor_id=c.id, appointment_id=c.appointment_id,
        location_id=places.get(c.appointment_id or 0), due=c.overdue, closed_by=None)
        for c in due if c.kind == RELIEF_REPORT and c.overdue]


def _reliefone(session: Session, now: datetime, callback_id: int) -> list[Candidate]:
    """The relief recall of one callback, when it is an open relief-report callback."""
    task = session.get(CallbackTask, callback_id)
    if task is None or task.kind != RELIEF_REPORT or task.status != "open":
        return []
    appt = session.get(Appointment, task.appointment_id) if task.appointment_id else None
    closed_by = None
    if appt is not None:
        later = _later_visits(session, {appt.patient_id}, appt.starts_at)
        closed_by = _closing(appt, Procedure.FACET_DIAGNOSTIC.value,
                             later.get(appt.patient_id, ()))
    return [Candidate(
        key=f"{RecallKind.RELIEF.value}:{task.id}", kind=RecallKind.RELIEF,
        patient_id=task.patient_id, what="Relief report",
        since=task.due_at.astimezone(PRACTICE_ZONE).date(), rule="Relief-report callback",
        anchor_id=task.id or 0, appointment_id=task.appointment_id,
        location_id=appt.location_id if appt else None, due=task.due_at < now,
        closed_by=closed_by)]


def _procedure_words(code: str | None, name: str | None) -> str:
    """'a diagnostic block', else the visit's name as the catalogue has it."""
    if code == Procedure.FACET_DIAGNOSTIC.value:
        return "a diagnostic block"
    return (name or "a procedure").split(" (")[0]


def _local(moment: datetime, zone: str) -> datetime:
    return moment.astimezone(ZoneInfo(zone))


def _place_words(region: str | None, levels: str | None) -> str:
    """' L4-L5' (the levels name the region), ' lumbar', or nothing on record."""
    place = levels or region
    return f" {place}" if place else ""


def appointment_places(session: Session, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = session.exec(select(Appointment.id, Appointment.location_id)
                        .where(col(Appointment.id).in_(ids))).all()
    return {i or 0: loc for i, loc in rows}



def parse_key(key: str) -> tuple[RecallKind, int]:
    kind, _, ref = key.strip().partition(":")
    try:
        found = RecallKind(kind)
        number = int(ref)
    except ValueError:
        raise InvalidInput("key", f"{key[:40]!r} is not a recall key (repeat:N, relief:N or "
                                  "follow-up:N, as the list shows)") from None
    if number < 1:
        raise InvalidInput("key", f"{key[:40]!r} is not a recall key")
    return found, number


def patients_by_id(session: Session, ids: set[int]) -> dict[int, Patient]:
    if not ids:
        return {}
    return {p.id or 0: p for p in session.exec(
        select(Patient).where(col(Patient.id).in_(sorted(ids)))).all()}
