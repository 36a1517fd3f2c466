"""The caller's record at a glance: what the practice already knows about a patient the moment
a call identifies them — upcoming visits, the last procedure in each region with the relief
reported after it, sessions per region against the payer's caps, open callbacks — read in one
transaction that also audits the reading (``patient.open``, as opening a visit's details does).

The record also answers questions the pathway would otherwise ask the caller
(:meth:`CallerRecord.on_file`): which region the last injection of a kind was in, and how many
of them the patient has had there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from frontdesk.db import queries as q
from frontdesk.db.engine import DatabaseBusyError, run_write
from frontdesk.db.models import Patient, ReliefReport
from frontdesk.domain.model import Region, Status
from frontdesk.domain.pathway import Procedure, session_counts
from frontdesk.services.access import acting
from frontdesk.services.callbacks import CallbackView, open_callbacks
from frontdesk.services.context import Context
from frontdesk.services.errors import Busy
from frontdesk.services.mapping import appointment_view
from frontdesk.services.pathway import COUNTED, load_history, payer_of
from frontdesk.services.patients.lookup import live_patient
from frontdesk.services.views import AppointmentView

PRACTICE_ZONE = "America/Chicago"  # "today" for the payers' windows, as services/pathway.py
#: Visits still ahead that the caller may be asked about (held, booked or confirmed).
UPCOMING = (Status.HELD, Status.BOOKED, Status.CONFIRMED)
_PROCEDURES = {p.value: p for p in Procedure}
_REGIONS = {r.value: r for r in Region}


@dataclass(frozen=True, slots=True)
class ReliefOnFile:
    """The relief report taken after a procedure."""

    percent: int
    hours: float
    reported_at: datetime


@dataclass(frozen=True, slots=True)
class ProcedureOnFile:
    """A facet injection or RFA the patient has had: started, and booked, confirmed, checked
    in or completed (a hold, a cancelled visit or a no-show is not one)."""

    appointment_id: int
    procedure: Procedure
    region: Region | None
    start: datetime  # aware UTC
    timezone: str  # the location's
    levels: str | None
    side: str | None
    relief: ReliefOnFile | None  # None: no report yet

    @property
    def day(self) -> date:
        return self.start.astimezone(ZoneInfo(self.timezone)).date()


@dataclass(frozen=True, slots=True)
class PayerCaps:
    """One payer's sessions per kind in a region in its rolling window (past and booked),
    against its caps."""

    payer: str  # the rule set's label, "Medicare (Novitas)"
    window_months: int
    counts: dict[Procedure, int]
    limits: dict[Procedure, int]


@dataclass(frozen=True, slots=True)
class RegionSessions:
    """The sessions on record in one region: every counted one, past and booked (``counts``),
    and against each applicable payer's caps in its window (``caps``: empty when no payer rules
    apply to the patient — nothing payer-specific is shown then)."""

    region: Region | None
    counts: dict[Procedure, int]
    caps: tuple[PayerCaps, ...]


@dataclass(frozen=True, slots=True)
class OnFile:
    """An answer the record already holds: ``value`` as the question takes it, ``words`` to
    show the receptionist ("2 lumbar diagnostic": two lumbar diagnostic blocks on record)."""

    value: str
    words: str


@dataclass(frozen=True, slots=True)
class CallerRecord:
    patient_id: int
    upcoming: tuple[AppointmentView, ...]  # soonest first
    done: tuple[ProcedureOnFile, ...]  # oldest first
    sessions: tuple[RegionSessions, ...]  # in Region order; regions with no session left out
    callbacks: tuple[CallbackView, ...]  # open ones, soonest due first

    @property
    def empty(self) -> bool:
        return not (self.upcoming or self.done or self.sessions or self.callbacks)

    @property
    def last_procedures(self) -> tuple[ProcedureOnFile, ...]:
        """The latest procedure in each region, the most recent first."""
        latest: dict[Region | None, ProcedureOnFile] = {}
        for p in self.done:
            latest[p.region] = p
        return tuple(sorted(latest.values(), key=lambda p: p.start, reverse=True))

    def so_far(self, procedure: Procedure, region: Region | None) -> int:
        """How many ``procedure`` sessions in ``region`` the patient has had."""
        return sum(1 for p in self.done if p.procedure == procedure and p.region == region)

    def last_region(self, procedure: Procedure) -> Region | None:
        """The region of the patient's latest ``procedure`` (None: none, or no region)."""
        of_kind = [p for p in self.done if p.procedure == procedure]
        return of_kind[-1].region if of_kind else None

    def on_file(self, key: str, answers: Mapping[str, Any]) -> OnFile | None:
        """The answer to the pathway question ``key`` the record holds, given the call's
        ``answers`` so far (as the draft stores them), or None when it does not know."""
        procedure = _PROCEDURES.get(str(answers.get("procedure")))
        if procedure is None:
            return None
        if key == "region":
            region = self.last_region(procedure)
            if region is None:
                return None
            last = [p for p in self.done if p.procedure == procedure][-1]
            return OnFile(region.value, f"{region.value}, last {procedure.noun} "
                                        f"{last.day.day} {last.day:%b %Y}")
        if key == "injections_so_far":
            region = _REGIONS.get(str(answers.get("region")))
            count = self.so_far(procedure, region) if region is not None else 0
            if region is None or not 1 <= count <= 50:  # 1-50: what the question takes
                return None
            return OnFile(str(count), f"{count} {region.value} {procedure.noun}")
        return None


def caller_record(ctx: Context, *, by: str, patient_id: int,
                  call_id: int | None = None) -> CallerRecord:
    """Everything the desk should see about the patient, read in one transaction with its
    audit event: ``patient.open`` by ``by`` (any active staff member may open a record; the
    opening is recorded, never what was shown), naming the ``call`` it was opened in."""

    def work(session: Session) -> CallerRecord:
        person = acting(session, by)
        patient = live_patient(session, patient_id)
        record = read_record(session, ctx, patient)
        q.add_audit(session, origin=ctx.origin.stamp, at=ctx.now(), staff_id=person.id,
                    action="patient.open", entity="patient", entity_id=patient_id,
                    after={"view": "caller record", "call_id": call_id})
        return record

    try:
        return run_write(ctx.engine, work)
    except DatabaseBusyError as exc:
        raise Busy(str(exc)) from exc


def read_record(session: Session, ctx: Context, patient: Patient) -> CallerRecord:
    """The record of ``patient`` as it is in ``session`` (nothing audited: the caller of this
    does that)."""
    now = ctx.now()
    assert patient.id is not None
    views = [appointment_view(r) for r in q.appointment_rows(session, patient_id=patient.id)]
    upcoming = tuple(v for v in views if v.start >= now and v.status in UPCOMING
                     and not (v.status is Status.HELD and v.hold_expires_at is not None
                              and v.hold_expires_at <= now))
    reports = session.exec(
        select(ReliefReport).where(ReliefReport.patient_id == patient.id)).all()
    done = _done(views, list(reports), now)
    return CallerRecord(patient_id=patient.id, upcoming=upcoming, done=done,
                        sessions=_sessions(session, ctx, patient, now),
                        callbacks=tuple(open_callbacks(session, patient, now)))


def _done(views: list[AppointmentView], reports: list[ReliefReport],
          now: datetime) -> tuple[ProcedureOnFile, ...]:
    """The procedures that have started, oldest first, each with the report taken after it:
    the one linked to it, else the latest unlinked report of the same kind and region taken
    after it and before the next such procedure."""
    past = [v for v in views if v.visit_type_code in _PROCEDURES and v.start <= now
            and v.status.value in COUNTED]
    done: list[ProcedureOnFile] = []
    for i, v in enumerate(past):
        procedure, region = _PROCEDURES[v.visit_type_code], _REGIONS.get(v.region or "")
        after = next((w.start for w in past[i + 1:] if w.visit_type_code == v.visit_type_code
                      and w.region == v.region), None)
        linked = [r for r in reports if r.appointment_id == v.id]
        loose = [r for r in reports if r.appointment_id is None
                 and r.procedure == procedure.value and r.region == v.region
                 and r.reported_at >= v.start and (after is None or r.reported_at < after)]
        found = max(linked or loose, key=lambda r: r.reported_at, default=None)
        relief = (ReliefOnFile(found.percent_relief, found.hours_lasted, found.reported_at)
                  if found is not None else None)
        done.append(ProcedureOnFile(
            appointment_id=v.id, procedure=procedure, region=region, start=v.start,
            timezone=v.timezone, levels=v.levels, side=v.side, relief=relief))
    return tuple(done)


def _sessions(session: Session, ctx: Context, patient: Patient,
              now: datetime) -> tuple[RegionSessions, ...]:
    """Per region with a counted session, past or booked: the counts, and against each payer
    whose rules apply to the patient (as ``pathway.region_counts`` reads them), its caps."""
    assert patient.id is not None
    history = load_history(session, patient.id, now=now)
    today = now.astimezone(ZoneInfo(PRACTICE_ZONE)).date()
    rules = payer_of(ctx, patient).rules
    payers = [rules] if rules is not None else []
    regions = {s.region for s in history.sessions}
    ordered = [r for r in Region if r in regions] + ([None] if None in regions else [])
    return tuple(
        RegionSessions(
            region=region,
            counts={proc: len(history.in_region(proc, region)) for proc in Procedure},
            caps=tuple(
                PayerCaps(p.label, p.window_months,
                          session_counts(history, region, today, p, booked_after=True),
                          {proc: p.max_sessions(proc) for proc in Procedure})
                for p in payers))
        for region in ordered)
