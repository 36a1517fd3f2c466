"""The manager's daily booking summary.

One read gathers a day (and the thirteen before it, for the trend). Every number is a
:class:`Figure` that carries the ids of the rows behind it, so the screen drills down to exactly
what was counted and the CLI prints the same figures. Nothing here names a patient: names come
only from :func:`drill`, for the list a manager asked to see.

Definitions (the README repeats them for the CSV and JSON):

- *appointments on the day*: visits starting that local day, by status; a cancellation inside
  the late-cancel window counts as "late cancel", not "cancelled"; holds are left out.
- *bookings made*: appointments whose booking was made that day (held and lapsed holds left
  out), by the staff member who booked them.
- *calls*: calls logged that day, by outcome; the booked share is booked / logged. Calls are not
  tied to a location, so a location filter leaves them practice-wide.
- *funnel*: diagnostic injections completed that day → relief reports on diagnostic injections
  taken that day → RFA consults booked that day; callbacks outstanding (due and not done) at the
  end of the day, or now for today.
- *utilisation*: booked minutes (visits that kept their time: booked, confirmed, checked in,
  completed, no-show) over template minutes (template hours less closures), per provider and
  location.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from frontdesk.db import queries as q
from frontdesk.db.engine import read_session
from frontdesk.db.models import (
    Appointment,
    AuditEvent,
    Call,
    CallbackTask,
    Location,
    Patient,
    Provider,
    ReliefReport,
    Staff,
    VisitType,
)
from frontdesk.domain.availability import expand_template, subtract
from frontdesk.domain.calls import CallOutcome, CallReason
from frontdesk.domain.model import Interval, Status
from frontdesk.domain.pathway import Procedure
from frontdesk.domain.permissions import Permission
from frontdesk.services import directory
from frontdesk.services.access import require
from frontdesk.services.context import Context
from frontdesk.services.errors import InvalidInput
from frontdesk.services.holidays import PRACTICE_ZONE, local_day_bounds

M = TypeVar("M", Call, CallbackTask, ReliefReport)
TREND_DAYS = 14
MAX_YEARS_AWAY = 100  # further off is a typing slip (and would overflow the date range)
RFA_CONSULT = "rfa-consult"

#: The status columns of the appointments table, in the order a day runs.
STATUS_COLUMNS: tuple[tuple[str, str], ...] = (
    ("booked", "Booked"),
    ("confirmed", "Confirmed"),
    ("checked_in", "Checked in"),
    ("completed", "Completed"),
    ("cancelled", "Cancelled"),
    ("late_cancel", "Late cancel"),
    ("no_show", "No-show"),
)
_COLUMN = {key: n for n, (key, _) in enumerate(STATUS_COLUMNS)}
#: Visits whose time stayed taken: they count as booked minutes.
_KEPT_TIME = frozenset({Status.BOOKED, Status.CONFIRMED, Status.CHECKED_IN, Status.COMPLETED,
                        Status.NO_SHOW})
_NOT_BOOKINGS = [Status.HELD.value, Status.EXPIRED.value]
_LOST = (Status.CANCELLED.value, Status.NO_SHOW.value)


def _booking() -> Any:
    """Not a hold: neither held nor lapsed, nor a hold cancelled before it was confirmed (it
    keeps its ``hold_expires_at``; booking and confirming a hold leave it empty)."""
    return and_(col(Appointment.status).not_in(_NOT_BOOKINGS),
                col(Appointment.hold_expires_at).is_(None))

#: Payer rules in a few words (the pathway's names for them are the keys).
RULE_LABELS = {
    "limit": "session limit",
    "levels": "too many levels",
    "blocks": "blocks first",
    "repeat": "repeat rule",
}


class DrillKind(StrEnum):
    APPOINTMENTS = "appointments"
    CALLS = "calls"
    CALLBACKS = "callbacks"
    RELIEF_REPORTS = "relief_reports"


@dataclass(frozen=True, slots=True)
class Lookup:
    """Where to find the rows of a figure the database counted (the trend's fortnight can be
    tens of thousands of rows): appointments ``what`` ("made", "cancelled" or "no_show") in
    [start, end), at one location or all."""

    what: str
    start: datetime
    end: datetime
    location_id: int | None


@dataclass(frozen=True, slots=True)
class Figure:
    """A count and the rows behind it: ``ids`` of ``kind``, or, when the database counted
    them (``count``), the ``lookup`` that finds them on drill-down; ``title`` names the list."""

    kind: DrillKind
    ids: tuple[int, ...]
    title: str
    count: int | None = None
    lookup: Lookup | None = None

    @property
    def n(self) -> int:
        return len(self.ids) if self.count is None else self.count


@dataclass(frozen=True, slots=True)
class VisitLine:
    """Appointments on the day at one location of one visit type, one figure per status."""

    location: str
    visit_code: str
    visit_name: str
    cells: tuple[Figure, ...]  # one per STATUS_COLUMNS
    total: Figure


@dataclass(frozen=True, slots=True)
class BookingLine:
    staff_username: str
    staff_name: str
    location: str
    visit_code: str
    visit_name: str
    made: Figure


@dataclass(frozen=True, slots=True)
class CallLine:
    outcome: str
    label: str
    calls: Figure


@dataclass(frozen=True, slots=True)
class Calls:
    lines: tuple[CallLine, ...]  # every outcome, in CallOutcome's order
    logged: Figure
    still_open: Figure  # drafts started that day and not logged yet

    @property
    def booked(self) -> Figure:
        return self.lines[0].calls

    @property
    def booked_share(self) -> float | None:
        return self.booked.n / self.logged.n if self.logged.n else None


@dataclass(frozen=True, slots=True)
class Funnel:
    diagnostic_done: Figure
    relief_reports: Figure
    rfa_consults_booked: Figure
    callbacks_outstanding: Figure
    callbacks_overdue: Figure  # of the outstanding, due before the day began


@dataclass(frozen=True, slots=True)
class UseLine:
    """Booked against template minutes; ``provider`` None is the location's total."""

    location: str
    provider: str | None
    booked_min: int
    template_min: int
    visits: Figure

    @property
    def ratio(self) -> float | None:
        return self.booked_min / self.template_min if self.template_min else None


@dataclass(frozen=True, slots=True)
class OverrideLine:
    at: datetime  # aware UTC
    authorised_by: str  # name of the scheduler or manager who overrode
    authorised_username: str
    booked_by: str  # name of who made the booking
    location: str
    visit_code: str
    visit_name: str
    rules: tuple[str, ...]
    payers: tuple[str, ...]
    reason: str
    appointment: Figure


@dataclass(frozen=True, slots=True)
class TrendDay:
    day: date
    bookings: Figure  # made that day
    cancellations: Figure  # visits that day, cancelled (late or not)
    no_shows: Figure


@dataclass(frozen=True, slots=True)
class DailyReport:
    day: date
    location: str | None  # None: every location
    timezone: str
    as_of: datetime  # the end of the day, or now for today (aware UTC)
    visits: tuple[VisitLine, ...]
    bookings: tuple[BookingLine, ...]
    calls: Calls
    funnel: Funnel
    utilisation: tuple[UseLine, ...]
    overrides: tuple[OverrideLine, ...]
    trend: tuple[TrendDay, ...]  # oldest first, ending on ``day``

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def status_total(self, key: str) -> Figure:
        """One status column summed over every line."""
        n = _COLUMN[key]
        ids = tuple(i for line in self.visits for i in line.cells[n].ids)
        return Figure(DrillKind.APPOINTMENTS, ids, f"{dict(STATUS_COLUMNS)[key]} on the day")

    @property
    def visits_total(self) -> Figure:
        ids = tuple(i for line in self.visits for i in line.total.ids)
        return Figure(DrillKind.APPOINTMENTS, ids, "Appointments on the day")

    @property
    def bookings_total(self) -> Figure:
        ids = tuple(i for line in self.bookings for i in line.made.ids)
        return Figure(DrillKind.APPOINTMENTS, ids, "Bookings made")


# --------------------------------------------------------------------------- the report


@dataclass(frozen=True, slots=True)
class _Names:
    locations: dict[int, str]
    providers: dict[int, str]
    staff: dict[int, tuple[str, str]]  # id -> (username, name)
    visits: dict[int, tuple[str, str]]  # id -> (code, name)


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
        )
    return report


def _fetch(session: Session, query: Any) -> list[Any]:
    """Plain rows of a column query (the report reads columns, not ORM objects)."""
    return list(session.connection().execute(query))


def _names(session: Session) -> _Names:
    return _Names(
        locations={r[0]: r[1] for r in _fetch(session, sa_select(col(Location.id),
                                                                 col(Location.name)))},
        providers={r[0]: r[1] for r in _fetch(session, sa_select(col(Provider.id),
                                                                 col(Provider.name)))},
        staff={r[0]: (r[1], r[2]) for r in _fetch(
            session, sa_select(col(Staff.id), col(Staff.username), col(Staff.name)))},
        visits={r[0]: (r[1], r[2]) for r in _fetch(
            session, sa_select(col(VisitType.id), col(VisitType.code), col(VisitType.name)))},
    )


def _zone(session: Session) -> str:
    """The practice's zone: the first location's (every location is on Central time)."""
    found = session.exec(select(Location.timezone).order_by(col(Location.id)).limit(1)).first()
    return found or PRACTICE_ZONE


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


def _utc(moment: datetime) -> datetime:
    """SQLite hands back naive UTC; PostgreSQL aware."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


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
    lines = tuple(
        CallLine(o.value, o.label, Figure(DrillKind.CALLS,
                                          tuple(r[0] for r in logged if r[1] == o.value),
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
    # A callback is outstanding at ``as_of`` when it was due by then and not yet closed.
    outstanding = sa_select(col(CallbackTask.id), col(CallbackTask.due_at)).where(
        col(CallbackTask.due_at) <= as_of, col(CallbackTask.created_at) <= as_of,
        or_(col(CallbackTask.status) == "open",
            and_(col(CallbackTask.status) != "open", col(CallbackTask.done_at) > as_of)))
    if location_id is not None:
        here = sa_select(col(Appointment.id)).where(col(Appointment.location_id) == location_id)
        reports = reports.where(col(ReliefReport.appointment_id).in_(here))
        outstanding = outstanding.where(col(CallbackTask.appointment_id).in_(here))
    report_ids = tuple(r[0] for r in _fetch(
        session, reports.order_by(col(ReliefReport.reported_at), col(ReliefReport.id))))
    open_rows = _fetch(session, outstanding.order_by(col(CallbackTask.due_at),
                                                     col(CallbackTask.id)))
    overdue = tuple(r[0] for r in open_rows if _utc(r[1]) < start)
    return Funnel(
        Figure(DrillKind.APPOINTMENTS, done, "Diagnostic injections done"),
        Figure(DrillKind.RELIEF_REPORTS, report_ids, "Relief reports collected"),
        Figure(DrillKind.APPOINTMENTS, consults, "RFA consults booked"),
        Figure(DrillKind.CALLBACKS, tuple(r[0] for r in open_rows), "Callbacks outstanding"),
        Figure(DrillKind.CALLBACKS, overdue, "Callbacks overdue from earlier days"),
    )


def _utilisation(session: Session, visits: Sequence[tuple[Any, ...]], names: _Names, day: date,
                 zone: ZoneInfo, location_id: int | None) -> tuple[UseLine, ...]:
    start, end = local_day_bounds(day, zone)
    window = Interval(start, end)
    templates = [t for t in q.templates_for(session, list(names.providers))
                 if location_id is None or t.location_id == location_id]
    closures = q.closures_between(session, start, end)
    minutes: dict[tuple[int, int], float] = defaultdict(float)
    for t in templates:
        holes = [Interval(c.start, c.end) for c in closures
                 if c.provider_id in (None, t.provider_id)
                 and c.location_id in (None, t.location_id)]
        for span in subtract(expand_template(t, window), holes):
            lo, hi = max(span.start, start), min(span.end, end)
            if lo < hi:
                minutes[t.location_id, t.provider_id] += (hi - lo).total_seconds() / 60
    booked: dict[tuple[int, int], float] = defaultdict(float)
    ids: dict[tuple[int, int], list[int]] = defaultdict(list)
    for aid, lid, pid, _vid, status, _late, s, e in visits:
        if Status(status) in _KEPT_TIME:
            booked[lid, pid] += (min(e, end) - max(s, start)).total_seconds() / 60
            ids[lid, pid].append(aid)
    lines: list[UseLine] = []
    for lid in sorted({k[0] for k in (*minutes, *booked)}, key=lambda i: names.locations[i]):
        place = names.locations[lid]
        people = sorted({k[1] for k in (*minutes, *booked) if k[0] == lid},
                        key=lambda i: names.providers[i])
        lines.append(UseLine(
            place, None, round(sum(booked[lid, p] for p in people)),
            round(sum(minutes[lid, p] for p in people)),
            Figure(DrillKind.APPOINTMENTS, tuple(sorted(i for p in people for i in ids[lid, p])),
                   f"Visits keeping their time at {place}")))
        lines.extend(
            UseLine(place, names.providers[p], round(booked[lid, p]), round(minutes[lid, p]),
                    Figure(DrillKind.APPOINTMENTS, tuple(ids[lid, p]),
                           f"Visits keeping their time: {names.providers[p]} at {place}"))
            for p in people)
    return tuple(lines)


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


def _trend(session: Session, first: date, zone: ZoneInfo,
           location_id: int | None) -> tuple[TrendDay, ...]:
    """Bookings made, cancelled visits and no-shows per day of the fortnight, counted by the
    database (a CASE over the day boundaries, grouped); the rows are looked up on drill-down."""
    days = [first + timedelta(days=n) for n in range(TREND_DAYS)]
    bounds = [local_day_bounds(d, zone)[0] for d in days]
    bounds.append(local_day_bounds(days[-1], zone)[1])

    def bucket(column: Any) -> Any:
        return case(*((column < b, n) for n, b in enumerate(bounds[1:-1])),
                    else_=len(days) - 1).label("bucket")

    made_day = bucket(col(Appointment.booked_at))
    made = (sa_select(made_day, func.count())
            .where(col(Appointment.booked_at) >= bounds[0],
                   col(Appointment.booked_at) < bounds[-1])
            .where(_booking()).group_by(made_day))
    lost_day = bucket(col(Appointment.starts_at))
    lost = (sa_select(lost_day, col(Appointment.status), func.count())
            .where(col(Appointment.status).in_(list(_LOST)))
            .where(col(Appointment.starts_at) >= bounds[0],
                   col(Appointment.starts_at) < bounds[-1])
            .where(col(Appointment.hold_expires_at).is_(None))
            .group_by(lost_day, col(Appointment.status)))
    if location_id is not None:
        made = made.where(col(Appointment.location_id) == location_id)
        lost = lost.where(col(Appointment.location_id) == location_id)
    counts: dict[tuple[int, str], int] = {}
    for n, number in _fetch(session, made):
        counts[n, "made"] = number
    for n, status, number in _fetch(session, lost):
        counts[n, status] = number

    def figure(n: int, what: str, title: str) -> Figure:
        return Figure(DrillKind.APPOINTMENTS, (), title, counts.get((n, what), 0),
                      Lookup(what, bounds[n], bounds[n + 1], location_id))

    return tuple(
        TrendDay(d, figure(n, "made", f"Bookings made on {d}"),
                 figure(n, Status.CANCELLED.value, f"Cancelled visits on {d}"),
                 figure(n, Status.NO_SHOW.value, f"No-shows on {d}"))
        for n, d in enumerate(days))


# --------------------------------------------------------------------------- drill-down


@dataclass(frozen=True, slots=True)
class DrillTable:
    """The rows behind a figure, as text for a table. ``appointment_ids`` line up with
    ``rows`` (None where a row has no appointment, e.g. a call that did not book)."""

    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    appointment_ids: tuple[int | None, ...]


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
    a manager or admin)."""
    require(ctx, by, Permission.REPORTS)
    with read_session(ctx.engine) as session:
        zone = ZoneInfo(_zone(session))
        names = _names(session)
        figure = replace(figure, ids=_ids(session, figure), count=None, lookup=None)
        if figure.kind is DrillKind.APPOINTMENTS:
            return _drill_appointments(session, figure, zone)
        if figure.kind is DrillKind.CALLS:
            return _drill_calls(session, figure, zone, names)
        if figure.kind is DrillKind.CALLBACKS:
            return _drill_callbacks(session, figure, zone, names)
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
                      "relief report" if t.kind == "relief-report" else t.kind, t.status,
                      _when(t.done_at, zone), done))
    return DrillTable(figure.title, ("Due", "Patient", "For", "Now", "Closed at",
                                     "Closed by"),
                      tuple(lines), tuple(t.appointment_id for t in tasks))


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

