"""The daily report as tables of cells: what the report screen draws, kept free of Textual so
tests can read exactly which figure sits behind each number on the screen.

A cell is its text and, for a number, the :class:`Figure` it came from (drill-down opens the
rows behind it). No patient names here: the report has none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import groupby

from frontdesk.services.report import (
    RULE_LABELS,
    STATUS_COLUMNS,
    DailyReport,
    DrillKind,
    Figure,
    UseLine,
)

#: Visit type names short enough for an 80-column table (others are cut).
SHORT_VISITS = {
    "new-patient": "New patient",
    "follow-up": "Follow-up",
    "facet-diagnostic": "Diagnostic block",
    "facet-therapeutic": "Therapeutic inj.",
    "rfa-consult": "RFA consult",
    "rfa": "RFA",
    "trigger-point": "Trigger point",
    "med-management": "Medication mgmt",
    "massage": "Massage",
}
STATUS_HEADINGS = {"booked": "Booked", "confirmed": "Conf.", "checked_in": "In",
                   "completed": "Done", "cancelled": "Cancel", "late_cancel": "Late",
                   "no_show": "No-show"}
BARS = "▁▂▃▄▅▆▇█"
#: The callbacks outstanding by kind, in the funnel's words.
KIND_WORDS = {"relief-report": "relief reports", "call-back": "call backs"}
#: On a wide screen these sections sit in the right-hand column: who did what, and what needs
#: acting on; the day's visits and the desk's calls stay on the left.
RIGHT_SIDE = frozenset({"bookings", "funnel", "worklists", "overrides", "trend"})


@dataclass(frozen=True, slots=True)
class Cell:
    text: str
    figure: Figure | None = None
    numeric: bool = False
    bold: bool = False  # a location's or a total's row


@dataclass(frozen=True, slots=True)
class Section:
    key: str
    title: str
    headings: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    note: str = ""
    empty: str = "Nothing that day."


def short_visit(code: str, name: str) -> str:
    return SHORT_VISITS.get(code, name if len(name) <= 18 else name[:17] + "…")


def number(figure: Figure, *, bold: bool = False) -> Cell:
    return Cell(str(figure.n), figure, numeric=True, bold=bold)


INDENT = "\u00a0\u00a0"  # tables drop leading spaces; these stay


def hours(minutes: int) -> str:
    return f"{minutes // 60}:{minutes % 60:02d}"


def percent(share: float | None) -> str:
    return "–" if share is None else f"{share * 100:.0f} %"


def sparkline(values: Sequence[int]) -> str:
    """One bar per value, scaled to the largest (all zeros: the lowest bar)."""
    top = max(values, default=0)
    if top <= 0:
        return BARS[0] * len(values)
    return "".join(BARS[min(len(BARS) - 1, round(v / top * (len(BARS) - 1)))] for v in values)


def sections(report: DailyReport) -> tuple[Section, ...]:
    return (_appointments(report), _bookings(report), _calls(report), _funnel(report),
            _worklists(report), _utilisation(report), _overrides(report), _trend(report))


def _sum(figures: Sequence[Figure], title: str) -> Figure:
    return Figure(DrillKind.APPOINTMENTS, tuple(i for f in figures for i in f.ids), title)


def _appointments(report: DailyReport) -> Section:
    rows: list[tuple[Cell, ...]] = []
    places = [(place, list(lines)) for place, lines in groupby(report.visits,
                                                                key=lambda v: v.location)]
    for place, lines in places:
        cells = [_sum([line.cells[n] for line in lines], f"{label} at {place}")
                 for n, (_, label) in enumerate(STATUS_COLUMNS)]
        here = _sum([line.total for line in lines], f"Visits at {place}")
        rows.append((Cell(place, here, bold=True), *(number(f, bold=True) for f in cells),
                     number(here, bold=True)))
        rows.extend((Cell(INDENT + short_visit(line.visit_code, line.visit_name), line.total),
                     *(number(f) for f in line.cells), number(line.total)) for line in lines)
    if len(places) > 1:
        rows.append((Cell("All locations", report.visits_total, bold=True),
                     *(number(report.status_total(key), bold=True) for key, _ in STATUS_COLUMNS),
                     number(report.visits_total, bold=True)))
    return Section("appointments", f"Appointments on the day: {report.visits_total.n}",
                   ("Visit", *(STATUS_HEADINGS[k] for k, _ in STATUS_COLUMNS), "All"),
                   tuple(rows), empty="No appointments that day.")


def _bookings(report: DailyReport) -> Section:
    rows: list[tuple[Cell, ...]] = []
    for name, group in groupby(report.bookings, key=lambda b: b.staff_name):
        lines = list(group)
        made = _sum([line.made for line in lines], f"Booked by {name}")
        rows.append((Cell(name, made, bold=True), Cell("", made), Cell("", made),
                     number(made, bold=True)))
        rows.extend((Cell("", line.made), Cell(line.location, line.made),
                     Cell(short_visit(line.visit_code, line.visit_name), line.made),
                     number(line.made)) for line in lines)
    return Section("bookings", f"Bookings made that day: {report.bookings_total.n}",
                   ("Booked by", "Location", "Visit", "Made"), tuple(rows),
                   note="Visits booked that day, for any date; moved visits count where they "
                        "were first booked.",
                   empty="No bookings made that day.")


def _calls(report: DailyReport) -> Section:
    calls = report.calls
    rows = [(Cell(line.label, line.calls), number(line.calls)) for line in calls.lines]
    rows.append((Cell("All calls logged", calls.logged, bold=True),
                 number(calls.logged, bold=True)))
    rows.append((Cell("Still open (not logged yet)", calls.still_open), number(calls.still_open)))
    share = percent(calls.booked_share)
    note = (f"Ended in a booking: {share} ({calls.booked.n} of {calls.logged.n})."
            if calls.logged.n else "No calls logged that day.")
    if report.location is not None:
        note += " Calls are practice-wide: they are not tied to a location."
    return Section("calls", f"Calls: {calls.logged.n} logged, {share} booked",
                   ("Outcome", "Calls"), tuple(rows), note=note)


def _funnel(report: DailyReport) -> Section:
    f = report.funnel
    rows = (
        (Cell("Diagnostic injections done", f.diagnostic_done), number(f.diagnostic_done)),
        (Cell("→ Relief reports collected", f.relief_reports), number(f.relief_reports)),
        (Cell("→ RFA consults booked", f.rfa_consults_booked), number(f.rfa_consults_booked)),
        (Cell("Callbacks outstanding", f.callbacks_outstanding),
         number(f.callbacks_outstanding)),
        (Cell(INDENT + "of them overdue from earlier days", f.callbacks_overdue),
         number(f.callbacks_overdue)),
        *((Cell(INDENT + f"of them {KIND_WORDS.get(kind, kind)}", figure), number(figure))
          for kind, figure in f.callbacks_by_kind),
    )
    return Section("funnel", "Pathway: diagnostic block → relief report → RFA consult",
                   ("Step", "Count"), rows,
                   note="Callbacks outstanding: due and not done at the end of the day "
                        "(today: now).")


def _worklists(report: DailyReport) -> Section:
    rows: list[tuple[Cell, ...]] = []
    for name, group in groupby(report.worklists, key=lambda w: w.worklist):
        rows.append((Cell(name, bold=True), Cell("")))
        rows.extend((Cell(INDENT + line.label, line.figure), number(line.figure))
                    for line in group)
    return Section("worklists", "Worklists: confirmations, reminders, waitlist, recalls",
                   ("List", "Count"), tuple(rows), empty="No worklists.")


def _utilisation(report: DailyReport) -> Section:
    rows = [_use_row(line) for line in report.utilisation]
    return Section("utilisation", "Utilisation: booked / template hours",
                   ("Location / provider", "Booked", "Hours", "Use"), tuple(rows),
                   note="Booked: visits that kept their time (no-shows included). Hours: "
                        "template hours less closures.",
                   empty="Nobody had template hours that day.")


def _use_row(line: UseLine) -> tuple[Cell, ...]:
    total = line.provider is None
    label = line.location if line.provider is None else INDENT + line.provider
    return (Cell(label, line.visits, bold=total),
            Cell(hours(line.booked_min), line.visits, numeric=True, bold=total),
            Cell(hours(line.template_min), numeric=True, bold=total),
            Cell(percent(line.ratio), numeric=True, bold=total))


def _overrides(report: DailyReport) -> Section:
    """A row per override; why it was allowed goes underneath in full (it is free text)."""
    zone = report.zone
    rows = [(Cell(o.at.astimezone(zone).strftime("%H:%M"), o.appointment),
             Cell(o.authorised_by, o.appointment),
             Cell(short_visit(o.visit_code, o.visit_name), o.appointment),
             Cell(o.location, o.appointment),
             Cell(", ".join(RULE_LABELS.get(r, r) for r in o.rules), o.appointment))
            for o in report.overrides]
    why = "\n".join(f"{o.at.astimezone(zone):%H:%M} {o.authorised_by}: {o.reason}"
                    for o in report.overrides)
    return Section("overrides", f"Payer-rule overrides: {len(report.overrides)}",
                   ("Time", "Authorised by", "Visit", "Location", "Rule"), tuple(rows),
                   note=why, empty="No payer rule was overridden that day.")


def _trend(report: DailyReport) -> Section:
    trend = report.trend
    made = [t.bookings.n for t in trend]
    lost = [t.cancellations.n for t in trend]
    missed = [t.no_shows.n for t in trend]
    note = (f"Booked     {sparkline(made)}  {sum(made)}\n"
            f"Cancelled  {sparkline(lost)}  {sum(lost)}\n"
            f"No-shows   {sparkline(missed)}  {sum(missed)}")
    rows = tuple((Cell(_day(t.day), t.bookings), number(t.bookings), number(t.cancellations),
                  number(t.no_shows)) for t in reversed(trend))
    first, last = trend[0].day, trend[-1].day
    return Section("trend", f"14 days: {_day(first)} – {_day(last)}",
                   ("Day", "Booked", "Cancelled", "No-shows"), rows, note=note)


def _day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"
