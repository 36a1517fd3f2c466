"""The manager's daily booking summary: its values, the gathering, the drill-down, the exports.

One read gathers a day (and the thirteen before it, for the trend). Every number is a
:class:`Figure` that carries the ids of the rows behind it, so the screen drills down to exactly
what was counted and the CLI prints the same figures. Nothing here names a patient: names come
only from :func:`drill`, for the list a manager asked to see.

- ``values``: the frozen values (:class:`DailyReport`, :class:`Figure`, :class:`DrillTable` ...);
- ``daily``: :func:`daily_report`, gathering the day, with ``trend`` (the fortnight, counted by
  the database) and ``utilisation`` (booked against template minutes); ``reads`` holds what
  their queries share;
- ``drill``: :func:`drill` and :func:`ids_of`, the rows behind a figure;
- ``export``: the report as JSON, CSV, text and HTML, and owner-only files. Import it as
  ``from frontdesk.services.report import export``: this package does not load it, so reading
  a report does not pay for the exports.

Definitions (the README repeats them for the CSV and JSON):

- *appointments on the day*: visits starting that local day, by status; a cancellation inside
  the late-cancel window counts as "late cancel", not "cancelled"; holds are left out.
- *bookings made*: appointments whose booking was made that day (held and lapsed holds left
  out), by the staff member who booked them.
- *calls*: calls logged that day, by outcome (a call that moved or cancelled a visit is counted
  as such, not as booked); the booked share is booked / logged. Calls are not tied to a
  location, so a location filter leaves them practice-wide.
- *funnel*: diagnostic injections completed that day → relief reports on diagnostic injections
  taken that day → RFA consults booked that day; callbacks outstanding (due and not done) at the
  end of the day, or now for today, also by kind (relief reports, call backs).
- *worklists*: each worklist's figures on the day, counted by the query its list is read with
  (confirmations, reminders, the waitlist, recalls: :mod:`frontdesk.services.report.worklists`).
- *utilisation*: booked minutes (visits that kept their time: booked, confirmed, checked in,
  completed, no-show) over template minutes (template hours less closures), per provider and
  location.
"""

from frontdesk.services.report.daily import check_day, daily_report, today_in_practice
from frontdesk.services.report.drill import drill, ids_of
from frontdesk.services.report.trend import TREND_DAYS
from frontdesk.services.report.values import (
    RULE_LABELS,
    STATUS_COLUMNS,
    BookingLine,
    CallLine,
    Calls,
    DailyReport,
    DrillKind,
    DrillTable,
    Figure,
    Funnel,
    OverrideLine,
    TrendDay,
    UseLine,
    VisitLine,
    WorklistLine,
)

__all__ = [
    "RULE_LABELS",
    "STATUS_COLUMNS",
    "TREND_DAYS",
    "BookingLine",
    "CallLine",
    "Calls",
    "DailyReport",
    "DrillKind",
    "DrillTable",
    "Figure",
    "Funnel",
    "OverrideLine",
    "TrendDay",
    "UseLine",
    "VisitLine",
    "WorklistLine",
    "check_day",
    "daily_report",
    "drill",
    "ids_of",
    "today_in_practice",
]
