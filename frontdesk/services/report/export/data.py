"""The report as data for other programs: the JSON document and the CSV rows.

Both carry every number of the report, and the other forms show the same numbers: the ratios
as :func:`_ratio` rounds them, the funnel and the trend as :func:`_funnel_values` and
:func:`_trend_value` read them. CSV text cells are guarded so a spreadsheet runs no formula.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

from frontdesk.services.report.values import STATUS_COLUMNS, DailyReport, TrendDay

CSV_COLUMNS = ("date", "section", "location", "provider", "staff", "visit_type", "category",
               "measure", "value", "detail")
TREND_MEASURES: tuple[tuple[str, str], ...] = (
    ("bookings", "Bookings"),
    ("cancellations", "Cancellations"),
    ("no_shows", "No-shows"),
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# --------------------------------------------------------------------------- JSON


def _iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _ratio(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _trend_value(day: TrendDay, key: str) -> int:
    figure = {"bookings": day.bookings, "cancellations": day.cancellations,
              "no_shows": day.no_shows}[key]
    return figure.n


def key_of(words: str) -> str:
    """'Left a message' -> 'left_a_message': a worklist's or a figure's key in JSON and CSV."""
    return "_".join("".join(c if c.isalnum() else " " for c in words.lower()).split())


def worklist_values(report: DailyReport) -> dict[str, dict[str, int]]:
    """The worklists' counts by list and figure, keyed as :func:`key_of` writes them."""
    values: dict[str, dict[str, int]] = {}
    for line in report.worklists:
        values.setdefault(key_of(line.worklist), {})[key_of(line.label)] = line.figure.n
    return values


def _funnel_values(report: DailyReport) -> dict[str, int]:
    """The funnel's counts; the callbacks outstanding also by kind (``callbacks_call_back``)."""
    f = report.funnel
    return {"diagnostic_done": f.diagnostic_done.n, "relief_reports": f.relief_reports.n,
            "rfa_consults_booked": f.rfa_consults_booked.n,
            "callbacks_outstanding": f.callbacks_outstanding.n,
            "callbacks_overdue": f.callbacks_overdue.n,
            **{callbacks_key(kind): figure.n for kind, figure in f.callbacks_by_kind}}


def callbacks_key(kind: str) -> str:
    """'relief-report' -> 'callbacks_relief_report': the funnel's key for one kind."""
    return "callbacks_" + kind.replace("-", "_")


def as_dict(report: DailyReport) -> dict[str, Any]:
    """The JSON document (README, "Daily report", lists every field)."""
    calls = report.calls
    return {
        "date": report.day.isoformat(),
        "location": report.location,
        "timezone": report.timezone,
        "as_of": _iso_utc(report.as_of),
        "appointments": [
            {"location": line.location, "visit_type": line.visit_code,
             "visit_name": line.visit_name,
             **{key: cell.n for (key, _), cell in zip(STATUS_COLUMNS, line.cells, strict=True)},
             "total": line.total.n}
            for line in report.visits],
        "appointment_totals": {**{key: report.status_total(key).n for key, _ in STATUS_COLUMNS},
                               "total": report.visits_total.n},
        "bookings": [
            {"staff": b.staff_username, "staff_name": b.staff_name, "location": b.location,
             "visit_type": b.visit_code, "visit_name": b.visit_name, "count": b.made.n}
            for b in report.bookings],
        "bookings_total": report.bookings_total.n,
        "calls": {
            "logged": calls.logged.n,
            "booked_share": _ratio(calls.booked_share),
            "still_open": calls.still_open.n,
            "by_outcome": {line.outcome: line.calls.n for line in calls.lines},
            "scope": "practice",
        },
        "funnel": _funnel_values(report),
        "worklists": worklist_values(report),
        "utilisation": [
            {"location": u.location, "provider": u.provider, "booked_minutes": u.booked_min,
             "template_minutes": u.template_min, "utilisation": _ratio(u.ratio)}
            for u in report.utilisation],
        "overrides": [
            {"at": _iso_utc(o.at), "authorised_by": o.authorised_username,
             "authorised_by_name": o.authorised_by, "booked_by": o.booked_by,
             "location": o.location, "visit_type": o.visit_code, "visit_name": o.visit_name,
             "rules": list(o.rules), "payers": list(o.payers), "reason": o.reason}
            for o in report.overrides],
        "trend": [
            {"date": d.day.isoformat(),
             **{key: _trend_value(d, key) for key, _ in TREND_MEASURES}}
            for d in report.trend],
    }


def to_json(report: DailyReport) -> str:
    import json

    return json.dumps(as_dict(report), indent=2, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------- CSV


def _cell(text: str | None) -> str:
    """A text cell a spreadsheet will not run as a formula."""
    value = text or ""
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def _number(value: float | None) -> str:
    return "" if value is None else str(value)


def csv_rows(report: DailyReport) -> list[tuple[str, ...]]:
    """One row per number, in :data:`CSV_COLUMNS` order (text cells formula-guarded).

    An empty location, staff or visit type means "summed over all of them"; category ``all``
    means summed over the categories.
    """
    day = report.day.isoformat()
    here = report.location or ""
    rows: list[tuple[str, ...]] = []

    def add(section: str, measure: str, value: float | None, *, location: str = "",
            provider: str = "", staff: str = "", visit_type: str = "", category: str = "",
            detail: str = "") -> None:
        rows.append((day, section, _cell(location), _cell(provider), _cell(staff),
                     _cell(visit_type), _cell(category), measure, _number(value),
                     _cell(detail)))

    for line in report.visits:
        for (key, _), cell in zip(STATUS_COLUMNS, line.cells, strict=True):
            add("appointments", "count", cell.n, location=line.location,
                visit_type=line.visit_code, category=key)
        add("appointments", "count", line.total.n, location=line.location,
            visit_type=line.visit_code, category="all")
    for key, _ in STATUS_COLUMNS:
        add("appointments", "count", report.status_total(key).n, location=here, category=key)
    add("appointments", "count", report.visits_total.n, location=here, category="all")

    for b in report.bookings:
        add("bookings", "count", b.made.n, location=b.location, staff=b.staff_username,
            visit_type=b.visit_code)
    add("bookings", "count", report.bookings_total.n, location=here)

    calls = report.calls
    practice = "practice-wide"
    for c in calls.lines:
        add("calls", "count", c.calls.n, category=c.outcome, detail=practice)
    add("calls", "count", calls.logged.n, category="all", detail=practice)
    add("calls", "booked_share", _ratio(calls.booked_share), category="all", detail=practice)
    add("calls", "still_open", calls.still_open.n, category="all", detail=practice)

    for step, count in _funnel_values(report).items():
        add("funnel", "count", count, location=here, category=step)

    for worklist, counts in worklist_values(report).items():
        for measure, count in counts.items():
            add("worklists", measure, count, location=here, category=worklist)

    for u in report.utilisation:
        measures: tuple[tuple[str, float | None], ...] = (
            ("booked_minutes", u.booked_min), ("template_minutes", u.template_min),
            ("utilisation", _ratio(u.ratio)))
        for measure, amount in measures:
            add("utilisation", measure, amount, location=u.location, provider=u.provider or "")

    for o in report.overrides:
        add("overrides", "override", 1, location=o.location, staff=o.authorised_username,
            visit_type=o.visit_code, category=";".join(o.rules), detail=o.reason)

    for d in report.trend:
        for key, _ in TREND_MEASURES:
            add("trend", key, _trend_value(d, key), location=here, category=d.day.isoformat())
    return rows


def to_csv(report: DailyReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(csv_rows(report))
    return out.getvalue()
