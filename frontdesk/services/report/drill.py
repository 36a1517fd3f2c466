"""The drill-down: the rows behind a report figure, with patient names, for who asked.

The report itself names no patient; :func:`drill` is the one place names appear, for the list a
manager or admin asked to see. :func:`ids_of` looks up the ids of a figure the database only
counted (the trend's).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import and_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from frontdesk.db import queries as q
from frontdesk.db.engine import read_session
from frontdesk.db.models import (
    Appointment,
    Call,
    CallbackTask,
    Outreach,
    Patient,
    ReliefReport,
    WaitlistEntry,
)
from frontdesk.domain.calls import CallbackKind, CallOutcome, CallReason, callback_label
from frontdesk.domain.model import Status
from frontdesk.domain.permissions import Permission
from frontdesk.services.access import acting, require
from frontdesk.services.context import Context, write
from frontdesk.services.report.reads import _booking, _fetch, _Names, _names, _utc, _zone
from frontdesk.services.report.values import DrillKind, DrillTable, Figure

M = TypeVar("M", Call, CallbackTask, ReliefReport, WaitlistEntry, Outreach)


def ids_of(ctx: Context, figure: Figure, *, by: str) -> tuple[int, ...]:
    """The ids behind ``figure``, looked up when the database only counted them."""
    require(ctx, by, Permission.REPORTS)
    with read_session(ctx.engine) as session:
        return _ids(session, figure)


def _ids(session: Session, figure: Figure) -> tuple[int, ...]:
    found = figure.lookup
    if found is None:
        return figure.ids
    column = col(Appointment.booked_at) if found.what == "made" else col(Appointment.starts_at)
    query = (sa_select(col(Appointment.id)).where(column >= found.start, column < found.end)
             .where(_booking() if found.what == "made"
                    else and_(col(Appointment.status) == found.what,
                              col(Appointment.hold_expires_at).is_(None))))
    if found.location_id is not None:
        query = query.where(col(Appointment.location_id) == found.location_id)
    return tuple(r[0] for r in _fetch(session, query.order_by(column, col(Appointment.id))))


def drill(ctx: Context, figure: Figure, *, by: str) -> DrillTable:
    """The list behind ``figure``, with patient names: only for the person who asked (``by``,
    a manager or admin). Read in one transaction with its audit event, as every listing of
    patients is: ``patient.list`` with who, which list and how many rows — never the rows."""

    def work(session: Session) -> DrillTable:
        person = acting(session, by, Permission.REPORTS)
        table = _read(session, figure)
        q.add_audit(session, origin=ctx.origin.stamp, at=ctx.now(), staff_id=person.id,
                    action="patient.list", entity="patient", entity_id=None,
                    after={"command": f"report drill: {figure.title}"[:60],
                           "rows": len(table.rows)})
        return table

    return write(ctx, work)


def _read(session: Session, figure: Figure) -> DrillTable:
    zone = ZoneInfo(_zone(session))
    names = _names(session)
    figure = replace(figure, ids=_ids(session, figure), count=None, lookup=None)
    if figure.kind is DrillKind.APPOINTMENTS:
        return _drill_appointments(session, figure, zone)
    if figure.kind is DrillKind.CALLS:
        return _drill_calls(session, figure, zone, names)
    if figure.kind is DrillKind.CALLBACKS:
        return _drill_callbacks(session, figure, zone, names)
    if figure.kind is DrillKind.WAITLIST:
        return _drill_waitlist(session, figure, zone, names)
    if figure.kind is DrillKind.OUTREACH:
        return _drill_outreach(session, figure, zone, names)
    return _drill_reliefs(session, figure, zone, names)


def _when(moment: datetime | None, zone: ZoneInfo) -> str:
    if moment is None:
        return ""
    return _utc(moment).astimezone(zone).strftime("%a %m/%d %H:%M")


def _chunks(ids: Sequence[int], size: int = 500) -> Iterable[list[int]]:
    for n in range(0, len(ids), size):
        yield list(ids[n:n + size])


def _drill_appointments(session: Session, figure: Figure, zone: ZoneInfo) -> DrillTable:
    rows: list[Any] = [r for part in _chunks(figure.ids)
                       for r in q.appointment_rows(session, ids=part)]
    rows.sort(key=lambda r: (r[0].starts_at, r[0].id))
    lines = []
    for r in rows:
        appt = r[0]
        status = Status(appt.status).label
        if appt.status == Status.CANCELLED.value and appt.late_cancel:
            status = "late cancel"
        lines.append((_when(appt.starts_at, zone), f"{r[1]} {r[2]}", r[4], r[6], r[7], status,
                      r[10], _when(appt.booked_at, zone)))
    return DrillTable(figure.title, ("When", "Patient", "Visit", "Provider", "Location",
                                     "Status", "Booked by", "Booked at"),
                      tuple(lines), tuple(r[0].id for r in rows))


def _patient_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = sorted({i for i in ids if i is not None})
    found: dict[int, str] = {}
    for part in _chunks(wanted):
        for pid, first, last in _fetch(
                session, sa_select(col(Patient.id), col(Patient.first_name),
                                   col(Patient.last_name)).where(col(Patient.id).in_(part))):
            found[pid] = f"{first} {last}"
    return found


def _by_ids(session: Session, model: type[M], ids: Sequence[int], when: str) -> list[M]:
    """The ``model`` rows with these ids (read in chunks), in order of their ``when`` column."""
    rows = [row for part in _chunks(ids)
            for row in session.exec(select(model).where(col(model.id).in_(part)))]
    rows.sort(key=lambda row: (getattr(row, when), row.id or 0))
    return rows


def _drill_calls(session: Session, figure: Figure, zone: ZoneInfo, names: _Names) -> DrillTable:
    calls = _by_ids(session, Call, figure.ids, "started_at")
    people = _patient_names(session, (c.patient_id for c in calls))
    lines = []
    for c in calls:
        reason = CallReason(c.reason).label if c.reason in set(CallReason) else ""
        outcome = (CallOutcome(c.outcome).label if c.outcome in set(CallOutcome)
                   else "still open")
        length = int(((c.ended_at or c.updated_at) - c.started_at).total_seconds() // 60)
        lines.append((_when(c.started_at, zone), people.get(c.patient_id or 0, "(no caller)"),
                      reason, outcome, f"{length} min", names.staff[c.staff_id][1]))
    return DrillTable(figure.title, ("Started", "Caller", "Reason", "Outcome", "Length",
                                     "Taken by"),
                      tuple(lines), tuple(c.appointment_id for c in calls))


def _drill_callbacks(session: Session, figure: Figure, zone: ZoneInfo,
                     names: _Names) -> DrillTable:
    tasks = _by_ids(session, CallbackTask, figure.ids, "due_at")
    people = _patient_names(session, (t.patient_id for t in tasks))
    lines = []
    for t in tasks:
        done = ("" if t.done_by_id is None
                else names.staff.get(t.done_by_id, ("?", "unknown"))[1])
        lines.append((_when(t.due_at, zone), people.get(t.patient_id, ""),
                      _about(t), t.status,
                      _when(t.done_at, zone), done))
    return DrillTable(figure.title, ("Due", "Patient", "For", "Now", "Closed at",
                                     "Closed by"),
                      tuple(lines), tuple(t.appointment_id for t in tasks))


def _about(task: CallbackTask) -> str:
    """'relief report', or 'call back: wants a Friday morning'."""
    what = callback_label(task.kind).lower()
    return f"{what}: {task.note}" if task.note and task.kind == CallbackKind.CALL_BACK else what


def _drill_reliefs(session: Session, figure: Figure, zone: ZoneInfo,
                   names: _Names) -> DrillTable:
    reports = _by_ids(session, ReliefReport, figure.ids, "reported_at")
    people = _patient_names(session, (r.patient_id for r in reports))
    lines = []
    for r in reports:
        where = " ".join(x for x in (r.region or "", r.levels or "", r.side or "") if x)
        lines.append((_when(r.reported_at, zone), people.get(r.patient_id, ""), where,
                      f"{r.percent_relief}%", f"{r.hours_lasted:g} h",
                      names.staff.get(r.taken_by_id, ("?", "unknown"))[1]))
    return DrillTable(figure.title, ("Taken", "Patient", "Where", "Relief", "Lasted",
                                     "Taken by"),
                      tuple(lines), tuple(r.appointment_id for r in reports))


def _drill_waitlist(session: Session, figure: Figure, zone: ZoneInfo,
                    names: _Names) -> DrillTable:
    """Waitlist entries: since when, who, the visit type, the visit they hold, until when."""
    entries = _by_ids(session, WaitlistEntry, figure.ids, "created_at")
    people = _patient_names(session, (e.patient_id for e in entries))
    held = {a.id: a.starts_at for part in _chunks([e.appointment_id for e in entries
                                                   if e.appointment_id is not None])
            for a in session.exec(select(Appointment).where(col(Appointment.id).in_(part)))}
    lines = []
    for e in entries:
        holds = _when(held.get(e.appointment_id), zone) if e.appointment_id else "no visit yet"
        lines.append((_when(e.created_at, zone), people.get(e.patient_id, ""),
                      names.visits.get(e.visit_type_id, ("?", "unknown"))[1].split(" (")[0],
                      holds, e.until.strftime("%a %m/%d") if e.until else "", e.status,
                      names.staff.get(e.created_by_id, ("?", "unknown"))[1]))
    return DrillTable(figure.title, ("Since", "Patient", "Wants", "Holds", "Until", "Now",
                                     "Added by"),
                      tuple(lines), tuple(e.appointment_id for e in entries))


#: An outreach row's outcome in words (the worklists' codes; anything else as stored).
_OUTCOMES = {"offered-declined": "declined", "no-answer": "no answer",
             "left-message": "left a message"}


def _offered(subject: str, zone: ZoneInfo, names: _Names) -> str:
    """A waitlist offer's time ('2027-03-11T15:00Z/p1/l1') as 'Thu 03/11 09:00 · Dr. Able ·
    Clinic'; another list's subject as it is kept."""
    try:
        at, provider, place, *_ = subject.split("/")
        start = datetime.strptime(at, "%Y-%m-%dT%H:%MZ").replace(tzinfo=UTC)
        who = names.providers.get(int(provider.removeprefix("p")), "?")
        where = names.locations.get(int(place.removeprefix("l")), "?")
    except ValueError:
        return subject
    return f"{_when(start, zone)} · {who} · {where}"


def _drill_outreach(session: Session, figure: Figure, zone: ZoneInfo,
                    names: _Names) -> DrillTable:
    """Worklist tries (a waitlist offer): when, who, the time offered, what came of it, by."""
    rows = _by_ids(session, Outreach, figure.ids, "at")
    people = _patient_names(session, (o.patient_id for o in rows))
    lines = [(_when(o.at, zone), people.get(o.patient_id, ""),
              _offered(o.subject, zone, names), _OUTCOMES.get(o.outcome, o.outcome),
              names.staff.get(o.staff_id, ("?", "unknown"))[1]) for o in rows]
    return DrillTable(figure.title, ("At", "Patient", "Offered", "Outcome", "By"),
                      tuple(lines), tuple(o.appointment_id for o in rows))
