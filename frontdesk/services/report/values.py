"""The daily report's frozen values: every number a Figure carrying the ids behind it.

What the gathering in :mod:`~frontdesk.services.report.daily` returns, what the screen and the
exports read, and what the drill-down lists: no session, no ORM rows, no patient names.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

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
    WAITLIST = "waitlist"  # waitlist entries
    OUTREACH = "outreach"  # worklist tries (a waitlist offer, a recall call)


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
class WorklistLine:
    """One figure of a worklist on the day (confirmations, reminders, the waitlist, recalls):
    e.g. ("Confirmations", "Confirmed", the visits confirmed). Each worklist's service gives
    its own lines, counted by the same query its list uses, so the two always agree."""

    worklist: str
    label: str
    figure: Figure


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
    #: the outstanding by kind ("relief-report", "call-back", ...): every kind, zeros included
    callbacks_by_kind: tuple[tuple[str, Figure], ...] = ()


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
    #: the worklists' figures (confirmations, reminders, the waitlist, recalls), in that order
    worklists: tuple[WorklistLine, ...] = ()

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


@dataclass(frozen=True, slots=True)
class DrillTable:
    """The rows behind a figure, as text for a table. ``appointment_ids`` line up with
    ``rows`` (None where a row has no appointment, e.g. a call that did not book)."""

    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    appointment_ids: tuple[int | None, ...]
