"""Gathering a day for the daily report: one read, every number a Figure with its rows.

:func:`daily_report` reads the day (and the thirteen before it, for the trend) in one session
and builds the :class:`~frontdesk.services.report.values.DailyReport`; the package docstring
defines each figure. :func:`check_day` and :func:`today_in_practice` pick the day.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select as sa_select
from sqlalchemy import union_all
from sqlmodel import Session, col, select

from frontdesk.db.engine import read_session
from frontdesk.db.models import Appointment, AuditEvent, Call, CallbackTask, ReliefReport
from frontdesk.domain.calls import CallbackKind, CallOutcome, callback_label
from frontdesk.domain.model import Status
from frontdesk.domain.pathway import Procedure
from frontdesk.domain.permissions import Permission
from frontdesk.services import directory
from frontdesk.services.access import require
from frontdesk.services.context import Context
from frontdesk.services.errors import InvalidInput
from frontdesk.services.holidays import local_day_bounds
from frontdesk.services.report.reads import _booking, _fetch, _Names, _names, _utc, _zone
from frontdesk.services.report.trend import TREND_DAYS, _trend
from frontdesk.services.report.utilisation import _utilisation
from frontdesk.services.report.values import (
    STATUS_COLUMNS,
    BookingLine,
    CallLine,
    Calls,
    DailyReport,
    DrillKind,
    Figure,
    Funnel,
    OverrideLine,
    VisitLine,
)
from frontdesk.services.report.worklists import WorklistDay, worklist_lines

MAX_YEARS_AWAY = 100  # further off is a typing slip (and would overflow the date range)
RFA_CONSULT = "rfa-consult"


def daily_report(ctx: Context, *, by: str, day: date, location: str | None = None
                 ) -> DailyReport:
    """The summary of ``day`` (practice-local) at ``location`` (a name; None: all), for ``by``
    (a manager or admin)."""
    require(ctx, by, Permission.REPORTS)
    now = ctx.now()
    if abs((day - now.date()).days) > MAX_YEARS_AWAY * 366:
        raise InvalidInput("date", f"{day} is too far from today")
    location_id = None if location is None else directory.find_location(ctx, location).id
    with read_session(ctx.engine) as session:
        names = _names(session)
        zone = ZoneInfo(_zone(session))
        start, end = local_day_bounds(day, zone)
        as_of = min(end, max(now, start))
        first = day - timedelta(days=TREND_DAYS - 1)
        today_visits = _visits(session, start, end, location_id)
        made = _made(session, start, end, location_id)
        report = DailyReport(
            day=day,
            location=None if location_id is None else names.locations[location_id],
            timezone=zone.key,
            as_of=as_of,
            visits=_visit_lines(today_visits, names),
            bookings=_booking_lines(made, names),
            calls=_calls(session, start, end),
            funnel=_funnel(session, today_visits, made, names, start, end, as_of,
                           location_id),
            utilisation=_utilisation(session, today_visits, names, day, zone, location_id),
            overrides=_overrides(session, start, end, location_id, names),
            trend=_trend(session, first, zone, location_id),
            worklists=worklist_lines(session, WorklistDay(ctx, by, day, start, end, as_of,
                                                          location_id, zone)),
        )
    return report


# Row shapes (plain tuples: the trend reads a fortnight of rows).
# visit: (id, location_id, provider_id, visit_type_id, status, late_cancel, starts_at, ends_at)
# made:  (id, location_id, visit_type_id, booked_by_id)
_VISIT_COLUMNS = (Appointment.id, Appointment.location_id, Appointment.provider_id,
                  Appointment.visit_type_id, Appointment.status, Appointment.late_cancel,
                  Appointment.starts_at, Appointment.ends_at)


def _visits(session: Session, start: datetime, end: datetime,
            location_id: int | None) -> list[tuple[Any, ...]]:
    query = (sa_select(*(col(c) for c in _VISIT_COLUMNS))
             .where(col(Appointment.starts_at) >= start, col(Appointment.starts_at) < end)
             .where(_booking()))
    if location_id is not None:
        query = query.where(col(Appointment.location_id) == location_id)
    rows = _fetch(session, query.order_by(col(Appointment.starts_at), col(Appointment.id)))
    return [(*r[:6], _utc(r[6]), _utc(r[7])) for r in rows]


def _made(session: Session, start: datetime, end: datetime,
          location_id: int | None) -> list[tuple[Any, ...]]:
    query = (sa_select(col(Appointment.id), col(Appointment.location_id),
                       col(Appointment.visit_type_id), col(Appointment.booked_by_id))
             .where(col(Appointment.booked_at) >= start, col(Appointment.booked_at) < end)
             .where(_booking()))
    if location_id is not None:
        query = query.where(col(Appointment.location_id) == location_id)
    return [tuple(r) for r in _fetch(session, query.order_by(col(Appointment.booked_at),
                                                            col(Appointment.id)))]


def _column(status: str, late: bool) -> str:
    if status == Status.CANCELLED.value:
        return "late_cancel" if late else "cancelled"
    return status


def _visit_lines(rows: Sequence[tuple[Any, ...]], names: _Names) -> tuple[VisitLine, ...]:
    groups: dict[tuple[str, str], dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for aid, lid, _pid, vid, status, late, _s, _e in rows:
        key = (names.locations[lid], names.visits[vid][0])
        groups[key][_column(status, late)].append(aid)
    names_by_code = dict(names.visits.values())
    lines = []
    for (place, code), by_status in sorted(groups.items()):
        visit = names_by_code[code]
        cells = tuple(Figure(DrillKind.APPOINTMENTS, tuple(by_status.get(key, ())),
                             f"{label}: {visit} at {place}") for key, label in STATUS_COLUMNS)
        total = tuple(sorted(i for ids in by_status.values() for i in ids))
        lines.append(VisitLine(place, code, visit, cells,
                               Figure(DrillKind.APPOINTMENTS, total, f"{visit} at {place}")))
    return tuple(lines)


def _booking_lines(rows: Sequence[tuple[Any, ...]], names: _Names) -> tuple[BookingLine, ...]:
    groups: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for aid, lid, vid, staff_id in rows:
        groups[names.staff[staff_id][0], names.locations[lid], names.visits[vid][0]].append(aid)
    by_username = dict(names.staff.values())
    names_by_code = dict(names.visits.values())
    return tuple(
        BookingLine(user, by_username[user], place, code, names_by_code[code],
                    Figure(DrillKind.APPOINTMENTS, tuple(ids),
                           f"Booked by {by_username[user]}: {names_by_code[code]} at {place}"))
        for (user, place, code), ids in sorted(groups.items())
    )


def _calls(session: Session, start: datetime, end: datetime) -> Calls:
    logged = _fetch(
        session, sa_select(col(Call.id), col(Call.outcome))
        .where(col(Call.status) == "closed")
        .where(col(Call.ended_at) >= start, col(Call.ended_at) < end)
        .order_by(col(Call.ended_at), col(Call.id)))
    still_open = [r[0] for r in _fetch(
        session, sa_select(col(Call.id))
        .where(col(Call.status) == "open")
        .where(col(Call.started_at) >= start, col(Call.started_at) < end)
        .order_by(col(Call.started_at), col(Call.id)))]
    by_outcome: dict[str, list[int]] = defaultdict(list)
    for call_id, outcome in logged:  # one pass: a busy desk logs a couple of thousand a day
        by_outcome[outcome].append(call_id)
    lines = tuple(
        CallLine(o.value, o.label, Figure(DrillKind.CALLS, tuple(by_outcome.get(o.value, ())),
                                          f"Calls logged: {o.label.lower()}"))
        for o in CallOutcome)
    return Calls(lines, Figure(DrillKind.CALLS, tuple(r[0] for r in logged), "Calls logged"),
                 Figure(DrillKind.CALLS, tuple(still_open), "Calls still open"))


def _funnel(session: Session, visits: Sequence[tuple[Any, ...]],
            made: Sequence[tuple[Any, ...]], names: _Names, start: datetime, end: datetime,
            as_of: datetime, location_id: int | None) -> Funnel:
    codes = {vid: code for vid, (code, _) in names.visits.items()}
    diagnostic = Procedure.FACET_DIAGNOSTIC.value
    done = tuple(v[0] for v in visits
                 if codes[v[3]] == diagnostic and v[4] == Status.COMPLETED.value)
    consults = tuple(m[0] for m in made if codes[m[2]] == RFA_CONSULT)
    reports = sa_select(col(ReliefReport.id)).where(
        col(ReliefReport.reported_at) >= start, col(ReliefReport.reported_at) < end,
        col(ReliefReport.procedure) == diagnostic)
    # A callback is outstanding at ``as_of`` when it was due by then and not yet closed: still
    # open, or closed after ``as_of``. Two reads, each on its own index (status and due; when
    # closed): one OR walked every callback ever due and closed.
    due = sa_select(col(CallbackTask.id), col(CallbackTask.due_at),
                    col(CallbackTask.kind)).where(
        col(CallbackTask.due_at) <= as_of, col(CallbackTask.created_at) <= as_of)
    still_open = due.where(col(CallbackTask.status) == "open")
    closed_later = due.where(col(CallbackTask.status) != "open",
                             col(CallbackTask.done_at) > as_of)
    if location_id is not None:
        # the day's few rows look up their visit's location (``IN (visits at the location)``
        # walked ten years of that location's appointments)
        reports = reports.where(_location_of(col(ReliefReport.appointment_id)) == location_id)
        here = _location_of(col(CallbackTask.appointment_id)) == location_id
        still_open, closed_later = still_open.where(here), closed_later.where(here)
    report_ids = tuple(r[0] for r in _fetch(
        session, reports.order_by(col(ReliefReport.reported_at), col(ReliefReport.id))))
    outstanding = union_all(still_open, closed_later)
    open_rows = _fetch(session, outstanding.order_by(outstanding.selected_columns.due_at,
                                                     outstanding.selected_columns.id))
    overdue = tuple(r[0] for r in open_rows if _utc(r[1]) < start)
    kinds = [k.value for k in CallbackKind]
    kinds += sorted({r[2] for r in open_rows} - set(kinds))  # a kind from elsewhere, kept
    by_kind = tuple((kind, Figure(DrillKind.CALLBACKS,
                                  tuple(r[0] for r in open_rows if r[2] == kind),
                                  f"Callbacks outstanding: {callback_label(kind).lower()}"))
                    for kind in kinds)
    return Funnel(
        Figure(DrillKind.APPOINTMENTS, done, "Diagnostic injections done"),
        Figure(DrillKind.RELIEF_REPORTS, report_ids, "Relief reports collected"),
        Figure(DrillKind.APPOINTMENTS, consults, "RFA consults booked"),
        Figure(DrillKind.CALLBACKS, tuple(r[0] for r in open_rows), "Callbacks outstanding"),
        Figure(DrillKind.CALLBACKS, overdue, "Callbacks overdue from earlier days"),
        by_kind,
    )


def _location_of(appointment_id: Any) -> Any:
    """The location of the appointment ``appointment_id`` points at (NULL for none)."""
    return (sa_select(col(Appointment.location_id))
            .where(col(Appointment.id) == appointment_id).scalar_subquery())


def _overrides(session: Session, start: datetime, end: datetime, location_id: int | None,
               names: _Names) -> tuple[OverrideLine, ...]:
    rows = session.exec(
        select(AuditEvent, Appointment)
        .join(Appointment, col(Appointment.id) == AuditEvent.entity_id)
        .where(AuditEvent.action == "payer.override", AuditEvent.entity == "appointment")
        .where(col(AuditEvent.at) >= start, col(AuditEvent.at) < end)
        .order_by(col(AuditEvent.at), col(AuditEvent.id))
    ).all()
    lines = []
    for event, appt in rows:
        if location_id is not None and appt.location_id != location_id:
            continue
        after = event.after or {}
        who = names.staff.get(event.staff_id or 0, ("?", "unknown"))
        code, visit = names.visits[appt.visit_type_id]
        lines.append(OverrideLine(
            at=_utc(event.at), authorised_by=who[1], authorised_username=who[0],
            booked_by=names.staff.get(appt.booked_by_id, ("?", "unknown"))[1],
            location=names.locations[appt.location_id], visit_code=code, visit_name=visit,
            rules=tuple(str(r) for r in after.get("rules", ())),
            payers=tuple(str(p) for p in after.get("payers", ())),
            reason=str(after.get("reason", "")),
            appointment=Figure(DrillKind.APPOINTMENTS, (appt.id or 0,),
                               f"Override by {who[1]}: {visit}"),
        ))
    return tuple(lines)


def check_day(text: str, *, today: date) -> date:
    """A report date: ISO, or today/yesterday. InvalidInput otherwise."""
    word = text.strip().casefold()
    if word in ("", "today"):
        return today
    if word == "yesterday":
        return today - timedelta(days=1)
    try:
        return date.fromisoformat(word)
    except ValueError:
        raise InvalidInput("date", f"{text!r} is not a date; write it like 2027-03-10, "
                                   "'today' or 'yesterday'") from None


def today_in_practice(ctx: Context) -> date:
    with read_session(ctx.engine) as session:
        zone = ZoneInfo(_zone(session))
    return ctx.now().astimezone(zone).date()
