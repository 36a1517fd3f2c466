"""The confirmation list (issue 21): the visits still to happen on a day at a location, the ones
worth losing least first (procedures and first visits), each with what to remind the patient
of and where its confirmation call stands — and each call's outcome recorded, in one
transaction with its audit event and with whatever the call changed.

A call is an ``Outreach`` row (worklist ``confirm``) whose ``subject`` is the visit's local day
(``2027-03-16``): the newest row for a visit and day is where it stands, and a visit the list
moved to another day or cancelled is still found under the day it was called about, for the
list's counts and the daily report's (:func:`report_lines`, counted by the very same read).

Outcomes: *confirmed* goes through :func:`scheduling.set_status`, *cancelled* through
:func:`scheduling.cancel` (the one cancel path), each with the call recorded in its
transaction; *left a message*, *no answer* and *wants to move* change nothing on the visit.
A move is made in the day view, where the visit is picked up once *wants to move* is recorded.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from frontdesk.db import queries as q
from frontdesk.db.engine import DatabaseBusyError, read_session, run_write
from frontdesk.db.models import Location, Outreach, Patient, Staff, Template, VisitType
from frontdesk.domain.availability import working_spans
from frontdesk.domain.confirmations import (
    OVER,
    TO_HAPPEN,
    WORKLIST,
    Outcome,
    Standing,
    next_working_day,
    order_key,
    reminders,
    standing,
)
from frontdesk.domain.model import Interval, Status
from frontdesk.domain.pathway import NEW_PATIENT
from frontdesk.domain.permissions import Permission
from frontdesk.services import scheduling
from frontdesk.services.access import acting, require
from frontdesk.services.context import Context
from frontdesk.services.errors import Busy, InvalidInput, StaleAppointment
from frontdesk.services.holidays import local_day_bounds
from frontdesk.services.mapping import appointment_view
from frontdesk.services.readback import arrive_early
from frontdesk.services.report.values import DrillKind, Figure, WorklistLine
from frontdesk.services.scheduling.outreach import OutreachNote, write_outreach
from frontdesk.services.scheduling.reading import _view
from frontdesk.services.scheduling.transaction import _appointment, _check_version
from frontdesk.services.views import AppointmentView

#: What a day's list holds: the visits still to happen and those under way or over (checked
#: in, completed, no-show: each was to confirm when the list was worked). Holds and cancelled
#: visits are not on it (a visit the list itself cancelled is counted in ``settled``).
LISTED = (*TO_HAPPEN, *OVER)
#: How far ahead the next working day is looked for.
AHEAD_DAYS = 31
#: The outcomes that take a visit off its day's list through the list itself.
LEAVING = (Outcome.CANCELLED.value, Outcome.WANTS_MOVE.value)
REPORT_NAME = "Confirmations"


@dataclass(frozen=True, slots=True)
class ConfirmRow:
    """One visit to confirm, as the desk calls about it. ``phone`` is the mobile when the
    record has one, else the phone on file (E.164); ``called_by`` the username of who made the
    newest call; ``tries`` how many calls were made about it for this day."""

    appointment: AppointmentView
    patient_name: str  # "Testcase, Casey"
    phone: str
    is_procedure: bool
    first_visit: bool
    remind: str
    standing: Standing
    outreach_id: int | None = None
    called_at: datetime | None = None
    called_by: str = ""
    tries: int = 0

    @property
    def id(self) -> int:
        return self.appointment.id

    @property
    def first(self) -> bool:
        """Called first: a procedure or a first visit."""
        return self.is_procedure or self.first_visit


@dataclass(frozen=True, slots=True)
class ConfirmationList:
    """A day's list at a location (None: every location). ``rows`` are the day's visits still
    to happen and those under way or over (checked in, completed, no-show: they keep the day's
    counts once it has begun), in calling order; ``settled`` the ones this day's list
    cancelled or moved to another day (no longer on it, still counted)."""

    day: date
    location_id: int | None
    rows: tuple[ConfirmRow, ...]
    settled: tuple[ConfirmRow, ...] = ()

    def having(self, *standings: Standing) -> tuple[ConfirmRow, ...]:
        return tuple(r for r in self.rows if r.standing in standings)

    @property
    def reached(self) -> int:
        return sum(r.standing.reached for r in self.rows)

    @property
    def confirmed(self) -> int:
        return len(self.having(Standing.CONFIRMED))

    @property
    def to_call(self) -> int:
        return len(self.having(Standing.TO_CALL))

    @property
    def no_shows(self) -> tuple[ConfirmRow, ...]:
        """The visits on the list the patient did not come to (to set against the confirmed)."""
        return tuple(r for r in self.rows if r.appointment.status is Status.NO_SHOW)

    @property
    def cancelled_or_moved(self) -> tuple[ConfirmRow, ...]:
        """Cancelled or moved through the list: gone from it, or still on it to be moved."""
        return (*self.settled, *self.having(Standing.WANTS_MOVE))

    @property
    def progress(self) -> str:
        """'7 of 18 reached · 5 confirmed · 9 to call' (· '2 cancelled or moved' · '1
        no-show'): the same counts as the report's lines."""
        said = (f"{self.reached} of {len(self.rows)} reached · {self.confirmed} confirmed · "
                f"{self.to_call} to call")
        if self.cancelled_or_moved:
            said += f" · {len(self.cancelled_or_moved)} cancelled or moved"
        if self.no_shows:
            said += f" · {len(self.no_shows)} no-show"
        return said


# --------------------------------------------------------------------------- reading


def default_day(ctx: Context, location_id: int | None = None) -> date:
    """The day to confirm: the location's next working day after today (the first with
    working hours, so not a weekend, a holiday or a closed day); with no hours ahead, its next
    day with visits. Every location: the soonest of theirs."""
    now = ctx.now()
    with read_session(ctx.engine) as session:
        places = [loc for loc in session.exec(select(Location)).all()
                  if loc.active and (location_id is None or loc.id == location_id)]
        if not places:
            raise InvalidInput("location", f"no active location with id {location_id}")
        worked = {loc.id or 0: _working_days(session, loc, now) for loc in places}
    days = []
    for loc in places:
        today = now.astimezone(ZoneInfo(loc.timezone)).date()
        visits: list[date] = []
        if not any(d > today for d in worked[loc.id or 0]):
            ahead = scheduling.next_visit_day(ctx, after=today, location_ids=[loc.id or 0])
            visits = [ahead[0]] if ahead else []
        days.append(next_working_day(worked[loc.id or 0], visits, after=today))
    return min(days)


def _working_days(session: Session, loc: Location, now: datetime) -> set[date]:
    """The local days in the next ``AHEAD_DAYS`` with any provider's working time at ``loc``
    (templates minus holidays, closures and time off: the slot search's own rule)."""
    zone = ZoneInfo(loc.timezone)
    window = Interval(now, now + timedelta(days=AHEAD_DAYS + 1))
    providers = sorted(set(session.exec(
        select(Template.provider_id).where(Template.location_id == loc.id)).all()))
    templates = q.templates_for(session, providers)
    closures = q.closures_between(session, window.start, window.end)
    return {piece.start.astimezone(zone).date()
            for pid in providers
            for piece in working_spans(templates, closures, window, provider_id=pid,
                                       location_id=loc.id or 0)}


def confirmation_list(ctx: Context, *, by: str, day: date | None = None,
                      location_id: int | None = None, audit: bool = True) -> ConfirmationList:
    """The list of ``day`` (default: :func:`default_day`) at ``location_id`` (None: every
    location), for ``by`` (a receptionist or above). It shows patients' names and phones, so
    the read is audited (``patient.list``: who, how many) unless ``audit`` is False — a
    screen reading the same list again to keep it fresh."""
    require(ctx, by, Permission.CONFIRMATIONS)
    wanted = day or default_day(ctx, location_id)

    def work(session: Session) -> ConfirmationList:
        person = acting(session, by, Permission.CONFIRMATIONS)
        found = _gather(session, wanted, location_id)
        if audit:
            q.add_audit(session, origin=ctx.origin.stamp, at=ctx.now(), staff_id=person.id,
                        action="patient.list", entity="patient", entity_id=None,
                        after={"command": "confirmations",
                               "rows": len(found.rows) + len(found.settled)})
        return found

    try:
        return run_write(ctx.engine, work)
    except DatabaseBusyError as exc:
        raise Busy(str(exc)) from exc


def _gather(session: Session, day: date, location_id: int | None) -> ConfirmationList:
    """The one read behind the list and its report lines."""
    places = {loc.id or 0: loc for loc in session.exec(select(Location)).all()}
    if location_id is not None and location_id not in places:
        raise InvalidInput("location", f"no location with id {location_id}")
    wanted = [i for i in places if location_id is None or i == location_id]
    by_zone: dict[str, list[int]] = defaultdict(list)
    for i in wanted:
        by_zone[places[i].timezone].append(i)
    views: list[AppointmentView] = []
    for tz, ids in by_zone.items():
        start, end = local_day_bounds(day, ZoneInfo(tz))
        views += [v for v in map(appointment_view, q.appointment_rows(
            session, start=start, end=end, location_ids=ids)) if v.status.value in LISTED]
    subject = day.isoformat()
    calls = _calls(session, subject, [v.id for v in views])
    listed = {v.id for v in views}
    left = [i for i, made in calls.items() if i not in listed and made[-1][1] in LEAVING]
    gone = [v for v in map(appointment_view, q.appointment_rows(session, ids=left))
            if v.location_id in wanted] if left else []
    patients = _patients(session, {v.patient_id for v in (*views, *gone)})
    kinds = _visit_types(session)
    rows = [_row(v, calls.get(v.id, []), patients, kinds) for v in views]
    rows.sort(key=lambda r: order_key(is_procedure=r.is_procedure, first_visit=r.first_visit,
                                      start=r.appointment.start, appointment_id=r.id))
    settled = sorted((_row(v, calls[v.id], patients, kinds) for v in gone),
                     key=lambda r: (r.appointment.start, r.id))
    return ConfirmationList(day, location_id, tuple(rows), tuple(settled))


_Call = tuple[int, str, datetime, str]  # outreach id, outcome, at, username


def _calls(session: Session, subject: str, ids: Sequence[int]) -> dict[int, list[_Call]]:
    """Appointment id -> the confirmation calls about it for the day, oldest first: those of
    the visits on the day, and any call of the day that took its visit off it."""
    query = (sa_select(col(Outreach.appointment_id), col(Outreach.id), col(Outreach.outcome),
                       col(Outreach.at), col(Staff.username))
             .join(Staff, col(Staff.id) == Outreach.staff_id)
             .where(col(Outreach.worklist) == WORKLIST, col(Outreach.subject) == subject)
             .order_by(col(Outreach.at), col(Outreach.id)))
    found: dict[int, list[_Call]] = defaultdict(list)
    for appointment_id, i, outcome, at, username in session.connection().execute(query):
        if appointment_id is not None:
            found[appointment_id].append((i or 0, outcome, at, username))
    return found


def _patients(session: Session, ids: set[int]) -> dict[int, tuple[str, str]]:
    """Patient id -> ("Last, First", the mobile if any else the phone)."""
    if not ids:
        return {}
    query = sa_select(col(Patient.id), col(Patient.first_name), col(Patient.last_name),
                      col(Patient.phone), col(Patient.mobile)).where(col(Patient.id).in_(ids))
    return {i or 0: (f"{last}, {first}", mobile or phone)
            for i, first, last, phone, mobile in session.connection().execute(query)}


def _visit_types(session: Session) -> dict[str, tuple[bool, str]]:
    """Visit type code -> (is a procedure, its prep)."""
    query = sa_select(col(VisitType.code), col(VisitType.is_procedure), col(VisitType.prep))
    return {code: (procedure, prep or "")
            for code, procedure, prep in session.connection().execute(query)}


def _row(v: AppointmentView, calls: list[_Call], patients: dict[int, tuple[str, str]],
         kinds: dict[str, tuple[bool, str]]) -> ConfirmRow:
    is_procedure, prep = kinds.get(v.visit_type_code, (False, ""))
    first_visit = v.visit_type_code == NEW_PATIENT
    name, phone = patients.get(v.patient_id, (v.patient_short, ""))
    newest = calls[-1] if calls else None
    return ConfirmRow(
        appointment=v, patient_name=name, phone=phone, is_procedure=is_procedure,
        first_visit=first_visit,
        remind=reminders(prep, early_min=arrive_early(prep), start_local=v.local_start,
                         is_procedure=is_procedure, first_visit=first_visit),
        standing=standing(v.status.value, newest[1] if newest else None),
        outreach_id=newest[0] if newest else None, called_at=newest[2] if newest else None,
        called_by=newest[3] if newest else "", tries=len(calls))


# --------------------------------------------------------------------------- recording


def record(ctx: Context, *, staff: str, appointment_id: int, outcome: Outcome | str,
           expected_version: int | None = None, reason: str = "", note: str = ""
           ) -> AppointmentView:
    """Record a confirmation call's ``outcome`` for a visit still to happen, against the
    version the person saw (``expected_version``; None: the version read now). Confirmed sets
    the visit's status, cancelled cancels it with ``reason`` — each through the one path for
    it, the call in the same transaction; the others write the call alone. Returns the visit
    as it now stands."""
    try:
        said = Outcome(outcome)
    except ValueError:
        raise InvalidInput("outcome", f"{str(outcome)[:40]!r} is not one of "
                                      f"{', '.join(o.value for o in Outcome)}") from None
    require(ctx, staff, Permission.CONFIRMATIONS)
    seen = scheduling.get_appointment(ctx, appointment_id)
    version = seen.version if expected_version is None else expected_version
    if expected_version is not None and seen.version != expected_version:
        raise StaleAppointment(seen)
    _still_to_happen(seen.status.value, seen.start, ctx.now())
    call = OutreachNote(WORKLIST, said.value, subject=seen.local_start.date().isoformat(),
                        note=note).checked()
    if said is Outcome.CANCELLED:
        return scheduling.cancel(ctx, staff=staff, appointment_id=appointment_id,
                                 reason=reason, expected_version=version, outreach=call)
    if said is Outcome.CONFIRMED and seen.status is Status.BOOKED:
        return scheduling.set_status(ctx, staff=staff, appointment_id=appointment_id,
                                     status=Status.CONFIRMED, expected_version=version,
                                     outreach=call)

    def work(session: Session) -> AppointmentView:
        now = ctx.now()
        person = acting(session, staff, Permission.CONFIRMATIONS)
        appt = _appointment(session, appointment_id)
        _check_version(session, appt, version)
        _still_to_happen(appt.status, appt.starts_at, now)
        write_outreach(session, ctx, appt=appt, staff=person, note=call, now=now)
        return _view(session, appointment_id)

    try:
        return run_write(ctx.engine, work)
    except DatabaseBusyError as exc:
        raise Busy(str(exc)) from exc


def _still_to_happen(status: str, start: datetime, now: datetime) -> None:
    """Refuse a call's outcome for a visit not to happen any more: one under way or over (its
    start passed, whatever its status says: a no-show is not made a late cancel), a hold, a
    cancelled visit."""
    if status in OVER or (status in TO_HAPPEN and start <= now):
        raise InvalidInput("appointment", "the visit has started; there is nothing left to "
                                          "confirm")
    if status not in TO_HAPPEN:
        raise InvalidInput("appointment", f"a {Status(status).label} visit is not on the "
                                          "confirmation list")


# --------------------------------------------------------------------------- the report


def report_lines(source: Context | Session, day: date, location_id: int | None
                 ) -> list[WorklistLine]:
    """The daily report's confirmation figures for ``day`` at ``location_id`` (None: all),
    each with the visits behind it, counted by the list's own read: to confirm (the day's
    visits still to happen, checked in, completed or no-show), of them no-show, confirmed,
    left a message, no answer, cancelled or moved through the list, not tried yet.
    ``source``: the report's open session, or a context."""
    if isinstance(source, Session):
        found = _gather(source, day, location_id)
    else:
        with read_session(source.engine) as session:
            found = _gather(session, day, location_id)
    when = f"{day:%a} {day.day} {day:%b %Y}"

    def line(label: str, rows: Sequence[ConfirmRow]) -> WorklistLine:
        ids = tuple(r.id for r in rows)
        return WorklistLine(REPORT_NAME, label, Figure(
            DrillKind.APPOINTMENTS, ids, f"Confirmations: {label.lower()}, {when}"))

    return [
        line("To confirm", found.rows),
        line("of them no-show", found.no_shows),
        line("Confirmed", found.having(Standing.CONFIRMED)),
        line("Left a message", found.having(Standing.LEFT_MESSAGE)),
        line("No answer", found.having(Standing.NO_ANSWER)),
        line("Cancelled or moved", found.cancelled_or_moved),
        line("Not tried yet", found.having(Standing.TO_CALL)),
    ]


def outcome_words(outcome: Outcome) -> str:
    """'Confirmed', 'Left a message', … for a notice."""
    label = outcome.label
    return label[:1].upper() + label[1:]


__all__ = [
    "ConfirmRow",
    "ConfirmationList",
    "Outcome",
    "Standing",
    "confirmation_list",
    "default_day",
    "outcome_words",
    "record",
    "report_lines",
]
