"""Recalls: patients due for a next step, as a worklist with call outcomes (issue 21, part 4).

Three kinds, each with a stable key the outreach rows name as their subject:

- ``repeat:<appointment id>``: the last RFA or therapeutic injection in a region was done and
  the patient's payer allows it again — from the first eligible date the booking check itself
  gives (``domain/pathway/repeat.py``), shown ``look_ahead_days`` before it;
- ``relief:<callback id>``: a relief-report callback overdue (``services/callbacks.py``);
- ``follow-up:<appointment id>``: a diagnostic block done whose next step is not booked.

A visit of the next step's kind booked after the procedure closes a recall by itself; so do a
"booked" or "declined" outcome; "not now" hides it until its day; a recent "left a message" or
"no answer" sorts it after the untried ones. The most overdue come first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from sqlmodel import Session, col, select

from frontdesk.db import queries as q
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
from frontdesk.domain.permissions import Permission
from frontdesk.domain.recalls import (
    EXPECT_NEXT,
    REACHED,
    RecallKind,
    RecallOutcome,
    RecallRules,
    Standing,
    Try,
    check_outcome,
    closes,
    sort_key,
    standing,
)
from frontdesk.services.access import acting, require
from frontdesk.services.callbacks import RELIEF_REPORT, callbacks_due
from frontdesk.services.context import Context, write
from frontdesk.services.directory import display_phone
from frontdesk.services.errors import InvalidInput
from frontdesk.services.pathway import COUNTED, load_history, payer_of
from frontdesk.services.patients.lookup import live_patient
from frontdesk.services.report.values import DrillKind, Figure, WorklistLine

WORKLIST = "recall"
PRACTICE_ZONE = ZoneInfo("America/Chicago")
#: Overdue relief callbacks read at most (the most overdue first).
CALLBACKS_AT_MOST = 500


@dataclass(frozen=True, slots=True)
class Recall:
    """One patient due for a next step. ``since`` is the first eligible date (a repeat) or
    the day it fell due; ``anchor_id`` the visit (repeat, follow-up) or callback (relief) it
    is about. No clinical words beyond the visit's kind and where it was done."""

    key: str
    kind: RecallKind
    patient_id: int
    patient_short: str  # "Last, F."
    phone: str  # E.164
    what: str  # "Repeat RFA · lumbar L4-L5"
    since: date
    rule: str  # why it is due: the payer's rule, the callback, the missing next step
    anchor_id: int
    appointment_id: int | None  # the procedure it follows
    location_id: int | None
    location_name: str
    tries: int
    last_outcome: RecallOutcome | None
    last_at: datetime | None
    last_note: str
    tried_recently: bool

    @property
    def phone_display(self) -> str:
        return display_phone(self.phone)

    @property
    def last_words(self) -> str:
        """'No answer (2 tries)', or 'Not tried'."""
        if self.last_outcome is None:
            return "Not tried"
        tries = f" ({self.tries} tries)" if self.tries > 1 else ""
        return f"{self.last_outcome.label}{tries}"


@dataclass(frozen=True, slots=True)
class Recorded:
    """One outcome written: the outreach row, and the visit it names (a booked one)."""

    outreach_id: int
    key: str
    outcome: RecallOutcome
    tries: int
    appointment_id: int | None
    until: date | None


@dataclass(frozen=True, slots=True)
class _Candidate:
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


# --------------------------------------------------------------------------- reading


def recalls(ctx: Context, *, by: str, location_id: int | None = None,
            kind: RecallKind | None = None, rules: RecallRules | None = None) -> list[Recall]:
    """The recalls due at ``location_id`` (None: everywhere), untried first, most overdue
    first; those snoozed, booked or declined left out. For receptionists and above."""
    require(ctx, by, Permission.CALLS)
    rules = rules or RecallRules()
    now = ctx.now()
    today = now.astimezone(PRACTICE_ZONE).date()
    found = [c for c in _candidates(ctx, now, rules, location_id)
             if c.due and c.closed_by is None and (kind is None or c.kind is kind)]
    with read_session(ctx.engine) as session:
        tries = _tries(session, [c.key for c in found])
        people = _patients(session, {c.patient_id for c in found})
        places = {loc.id: loc.name for loc in session.exec(select(Location)).all()}
    out: list[tuple[tuple[object, ...], Recall]] = []
    for c in found:
        stand = standing(tries.get(c.key, ()), now=now, today=today, rules=rules)
        if not stand.shows(today):
            continue
        patient = people[c.patient_id]
        out.append((sort_key(c.since, stand, c.kind, c.anchor_id), _recall(c, stand, patient,
                                                                         places)))
    return [r for _, r in sorted(out, key=lambda pair: pair[0])]


def _recall(c: _Candidate, stand: Standing, patient: Patient,
            places: dict[int | None, str]) -> Recall:
    last = stand.last
    return Recall(
        key=c.key, kind=c.kind, patient_id=c.patient_id,
        patient_short=f"{patient.last_name}, {patient.first_name[:1]}.", phone=patient.phone,
        what=c.what, since=c.since, rule=c.rule, anchor_id=c.anchor_id,
        appointment_id=c.appointment_id, location_id=c.location_id,
        location_name=places.get(c.location_id, ""), tries=stand.tries,
        last_outcome=last.outcome if last else None, last_at=last.at if last else None,
        last_note=last.note if last else "", tried_recently=stand.tried_recently)


def _candidates(ctx: Context, now: datetime, rules: RecallRules,
                location_id: int | None) -> list[_Candidate]:
    """Every recall of the three kinds, due or not yet."""
    with read_session(ctx.engine) as session:
        found = (_repeats(session, ctx, now, rules, location_id, None)
                 + _follow_ups(session, ctx, now, rules, location_id, None))
    return found + _reliefs(ctx, location_id)


def _one(session: Session, ctx: Context, now: datetime, rules: RecallRules,
         key: str) -> _Candidate | None:
    """The recall ``key`` names, due or not yet, or None when there is no such recall."""
    kind, ref = _parse_key(key)
    if kind is RecallKind.REPEAT:
        found = _repeats(session, ctx, now, rules, None, ref)
    elif kind is RecallKind.FOLLOW_UP:
        found = _follow_ups(session, ctx, now, rules, None, ref)
    else:
        found = _relief_one(session, now, ref)
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
             later: Sequence[tuple[Appointment, str]]) -> int | None:
    """The first visit after ``anchor`` that is its next step (a repeat of the same kind in
    the same region; any other next step anywhere)."""
    for appt, other in later:
        if appt.id == anchor.id or appt.starts_at <= anchor.starts_at:
            continue
        if not closes(code, other):
            continue
        if other == code and anchor.region and appt.region not in (None, anchor.region):
            continue
        return appt.id
    return None


def _repeats(session: Session, ctx: Context, now: datetime, rules: RecallRules,
             location_id: int | None, ref: int | None) -> list[_Candidate]:
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
    # read further (their history, one patient at a time)
    reported = _reported(session, {g[0] for g in last})
    last = {g: v for g, v in last.items() if (g[0], g[1]) in reported}
    people = _patients(session, {g[0] for g in last})
    later = _later_visits(session, {g[0] for g in last}, since)
    horizon = now.astimezone(PRACTICE_ZONE).date() + timedelta(days=rules.look_ahead_days)
    out: list[_Candidate] = []
    for (patient_id, code, region), (appt, _, zone) in last.items():
        patient = people.get(patient_id)
        if patient is None or patient.merged_into_id is not None:
            continue
        payer = payer_of(ctx, patient)
        if payer.rules is None:
            continue  # not recognised, or a plan with no payer rules: no date to wait for
        day = appt.starts_at.astimezone(ZoneInfo(zone)).date()
        history = load_history(session, patient_id, now=now)
        procedure = Procedure(code)
        session_of = [s for s in history.in_region(procedure, _region_of(appt))
                      if s.day == day]
        if not session_of:
            continue
        eligible = first_eligible(session_of[-1], history, payer.rules)
        if eligible is None:
            continue
        out.append(_Candidate(
            key=f"{RecallKind.REPEAT.value}:{appt.id}", kind=RecallKind.REPEAT,
            patient_id=patient_id, what=f"Repeat {procedure.noun}{_where(region, appt)}",
            since=eligible.day, rule=eligible.rule, anchor_id=appt.id or 0,
            appointment_id=appt.id, location_id=appt.location_id,
            due=eligible.day <= horizon,
            closed_by=_closing(appt, code, later.get(patient_id, ()))))
    return out


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
                location_id: int | None, ref: int | None) -> list[_Candidate]:
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
    wait = timedelta(hours=ctx.settings.callbacks.relief_report_hours)
    out: list[_Candidate] = []
    for appt, code, zone in done:
        own = tasks.get(appt.id, [])
        if any(t.status == "open" for t in own):
            continue  # its relief callback is still to do: the relief recall covers it
        reported = [t.done_at for t in own if t.status == "done" and t.done_at is not None]
        due_at = min([appt.starts_at + wait, *reported])
        block_day = appt.starts_at.astimezone(ZoneInfo(zone))
        out.append(_Candidate(
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


def _reliefs(ctx: Context, location_id: int | None) -> list[_Candidate]:
    """Relief-report callbacks overdue, as the callbacks service lists them."""
    due = callbacks_due(ctx, within_hours=0, limit=CALLBACKS_AT_MOST, location_id=location_id)
    with read_session(ctx.engine) as session:
        places = _appointment_places(session, [c.appointment_id for c in due
                                                if c.appointment_id is not None])
    return [_Candidate(
        key=f"{RecallKind.RELIEF.value}:{c.id}", kind=RecallKind.RELIEF, patient_id=c.patient_id,
        what=f"Relief report{_place_words(c.region, c.levels)}",
        since=c.due_at.astimezone(ZoneInfo(c.timezone)).date(),
        rule=(f"Relief-report callback after {_procedure_words(c.procedure, c.procedure_name)}"
              f", due {_local(c.due_at, c.timezone):%a %d %b %H:%M}"),
        anchor_id=c.id, appointment_id=c.appointment_id,
        location_id=places.get(c.appointment_id or 0), due=c.overdue, closed_by=None)
        for c in due if c.kind == RELIEF_REPORT and c.overdue]


def _relief_one(session: Session, now: datetime, callback_id: int) -> list[_Candidate]:
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
    return [_Candidate(
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


def _appointment_places(session: Session, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = session.exec(select(Appointment.id, Appointment.location_id)
                        .where(col(Appointment.id).in_(ids))).all()
    return {i or 0: loc for i, loc in rows}


def _tries(session: Session, keys: Sequence[str]) -> dict[str, list[Try]]:
    if not keys:
        return {}
    out: dict[str, list[Try]] = defaultdict(list)
    for row in session.exec(select(Outreach).where(Outreach.worklist == WORKLIST)
                            .where(col(Outreach.subject).in_(list(keys)))).all():
        found = _try(row)
        if found is not None:
            out[row.subject].append(found)
    return out


def _try(row: Outreach) -> Try | None:
    """One try as stored; a not-now keeps its day at the head of its note ("until
    2027-04-01; what was said"). A row this code did not write is left out (None)."""
    try:
        outcome = RecallOutcome(row.outcome)
    except ValueError:
        return None
    until, note = None, row.note
    if outcome is RecallOutcome.NOT_NOW and note.startswith("until "):
        head, _, rest = note.partition(";")
        try:
            until = date.fromisoformat(head.removeprefix("until ").strip())
        except ValueError:
            until = None  # unreadable: the recall shows again rather than hiding for good
        note = rest.strip()
    return Try(outcome, row.at, until, note)


def _patients(session: Session, ids: set[int]) -> dict[int, Patient]:
    if not ids:
        return {}
    return {p.id or 0: p for p in session.exec(
        select(Patient).where(col(Patient.id).in_(sorted(ids)))).all()}


def _parse_key(key: str) -> tuple[RecallKind, int]:
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


# --------------------------------------------------------------------------- writing


def record_outcome(ctx: Context, *, staff: str, key: str, outcome: str,
                   until: date | None = None, note: str = "",
                   rules: RecallRules | None = None) -> Recorded:
    """Write what came of one try on the recall ``key``, with its audit event, in one
    transaction. "booked" only when a visit of the next step's kind really is booked after
    the procedure; "not now" with the day to call again; "declined" with a note (a relief
    callback declined is cancelled with it). For receptionists and above."""
    rules = rules or RecallRules()
    kind, _ = _parse_key(key)
    key = key.strip()
    now = ctx.now()
    today = now.astimezone(PRACTICE_ZONE).date()
    found, problem = check_outcome(outcome, until=until, note=note, today=today)
    if problem:
        raise InvalidInput("outcome", problem)

    def work(session: Session) -> Recorded:
        person = acting(session, staff, Permission.CALLS)
        item = _one(session, ctx, now, rules, key)
        if item is None:
            raise InvalidInput("key", f"no recall {key}: the list names each by its key")
        if found is RecallOutcome.BOOKED and item.closed_by is None:
            raise InvalidInput("outcome", "no visit of the next step's kind is booked for "
                                          "this patient after it: book it on a call first")
        if found is not RecallOutcome.BOOKED and item.closed_by is not None:
            raise InvalidInput("outcome", "its next step is already booked: record booked")
        if not item.due and item.closed_by is None:
            raise InvalidInput("key", f"{key} is not due yet (from {item.since:%a %d %b %Y})")
        live_patient(session, item.patient_id, lock=True)
        before = [t for r in session.exec(
            select(Outreach).where(Outreach.worklist == WORKLIST)
            .where(Outreach.subject == key)).all() if (t := _try(r)) is not None]
        stand = standing(before, now=now, today=today, rules=rules)
        if stand.closed and stand.last is not None:
            raise InvalidInput("key", f"{key} is closed already "
                                      f"({stand.last.outcome.label.lower()})")
        text = note.strip()
        if until is not None:
            text = f"until {until.isoformat()}" + (f"; {text}" if text else "")
        row = Outreach(worklist=WORKLIST, patient_id=item.patient_id,
                       appointment_id=item.closed_by if found is RecallOutcome.BOOKED
                       else item.appointment_id,
                       subject=key, outcome=found.value, note=text[:500], at=now,
                       staff_id=person.id or 0)
        session.add(row)
        session.flush()
        q.add_audit(session, origin=ctx.origin.stamp, at=now, staff_id=person.id,
                    action="recall.outcome", entity="outreach", entity_id=row.id,
                    after={"subject": key, "outcome": found.value,
                           **({"until": until.isoformat()} if until else {})})
        if kind is RecallKind.RELIEF and found is RecallOutcome.DECLINED:
            task = session.get(CallbackTask, item.anchor_id)
            if task is not None and task.status == "open":
                task.status, task.done_at, task.done_by_id = "cancelled", now, person.id
                task.note = f"declined: {note.strip()}"[:500]
                q.add_audit(session, origin=ctx.origin.stamp, at=now, staff_id=person.id,
                            action="callback.cancelled", entity="callback_task",
                            entity_id=task.id)
        return Recorded(outreach_id=row.id or 0, key=key, outcome=found,
                        tries=stand.tries + 1, appointment_id=row.appointment_id, until=until)

    return write(ctx, work)


# --------------------------------------------------------------------------- the report


def report_lines(ctx: Context, *, by: str, day: date, location_id: int | None = None,
                 rules: RecallRules | None = None) -> list[WorklistLine]:
    """The recalls' lines of the daily report: due now (per kind: the visits or callbacks
    the list shows), reached on ``day`` (the visits the recalls reached are about) and booked
    from recalls on ``day`` (the visits booked)."""
    listed = recalls(ctx, by=by, location_id=location_id, rules=rules)
    lines = []
    for kind in RecallKind:
        items = [r for r in listed if r.kind is kind]
        drill = DrillKind.CALLBACKS if kind is RecallKind.RELIEF else DrillKind.APPOINTMENTS
        lines.append(WorklistLine("Recalls", f"Due now: {kind.label.lower()}", Figure(
            drill, tuple(r.anchor_id for r in items), f"Recalls due now: {kind.label.lower()}")))
    done = progress(ctx, by=by, day=day, location_id=location_id)
    lines.append(WorklistLine("Recalls", "Reached today", Figure(
        DrillKind.APPOINTMENTS, done.reached, "Visits whose recall reached the patient")))
    lines.append(WorklistLine("Recalls", "Booked from recalls", Figure(
        DrillKind.APPOINTMENTS, done.booked, "Visits booked from recalls")))
    return lines


@dataclass(frozen=True, slots=True)
class Progress:
    """What the desk did with the recalls on one day: how many it tried, the visits those it
    reached are about (the procedure, the block) and the visits booked from them."""

    tried: int
    reached: tuple[int, ...]
    booked: tuple[int, ...]


def progress(ctx: Context, *, by: str, day: date, location_id: int | None = None) -> Progress:
    """The recalls tried, reached and booked on the practice's ``day`` at ``location_id``
    (where the procedure each is about was done; None: everywhere)."""
    require(ctx, by, Permission.CALLS)
    start = datetime.combine(day, time(), PRACTICE_ZONE).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(), PRACTICE_ZONE).astimezone(UTC)
    with read_session(ctx.engine) as session:
        rows = list(session.exec(
            select(Outreach).where(Outreach.worklist == WORKLIST)
            .where(Outreach.at >= start).where(Outreach.at < end)
            .order_by(col(Outreach.at))).all())
        anchors = _anchors(session, {r.subject for r in rows})
    if location_id is not None:
        rows = [r for r in rows if anchors.get(r.subject, (None, None))[1] == location_id]
    reached = {anchors[r.subject][0] for r in rows
               if RecallOutcome(r.outcome) in REACHED and r.subject in anchors}
    booked = {r.appointment_id for r in rows if r.outcome == RecallOutcome.BOOKED.value}
    return Progress(tried=len({r.subject for r in rows}),
                    reached=tuple(sorted(i for i in reached if i is not None)),
                    booked=tuple(sorted(i for i in booked if i is not None)))


def _anchors(session: Session, subjects: set[str]) -> dict[str, tuple[int | None, int]]:
    """Recall key -> (the visit it is about, that visit's location)."""
    visits: dict[str, int] = {}
    for subject in subjects:
        kind, ref = _parse_key(subject)
        if kind is RecallKind.RELIEF:
            task = session.get(CallbackTask, ref)
            if task is not None and task.appointment_id is not None:
                visits[subject] = task.appointment_id
        else:
            visits[subject] = ref
    places = _appointment_places(session, sorted(set(visits.values())))
    return {subject: (visit, places[visit]) for subject, visit in visits.items()
            if visit in places}
