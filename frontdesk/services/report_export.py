"""The daily report as documents: JSON, CSV, plain text (for an email) and HTML.

Pure functions from one :class:`~frontdesk.services.report.DailyReport`, so the command line and
the report screen's export key write the same files. Every format carries the same numbers.
Nothing here names a patient: a report holds counts, staff, providers, locations, visit types
and override reasons only. :func:`write_owner_only` writes a file only its owner can read.
"""

from __future__ import annotations

import csv
import html
import io
import os
import tempfile
import textwrap
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from frontdesk.services.errors import InvalidInput
from frontdesk.services.report import (
    RULE_LABELS,
    STATUS_COLUMNS,
    DailyReport,
    OverrideLine,
    TrendDay,
)

FORMATS = ("text", "csv", "json", "html")
CSV_COLUMNS = ("date", "section", "location", "provider", "staff", "visit_type", "category",
               "measure", "value", "detail")
FUNNEL_STEPS: tuple[tuple[str, str], ...] = (
    ("diagnostic_done", "Diagnostic injections done"),
    ("relief_reports", "Relief reports on diagnostic injections"),
    ("rfa_consults_booked", "RFA consults booked"),
    ("callbacks_outstanding", "Callbacks outstanding"),
    ("callbacks_overdue", "of them overdue from earlier days"),
)
TREND_MEASURES: tuple[tuple[str, str], ...] = (
    ("bookings", "Bookings"),
    ("cancellations", "Cancellations"),
    ("no_shows", "No-shows"),
)
SPARKS = "▁▂▃▄▅▆▇█"
WIDTH = 80
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


def _funnel_values(report: DailyReport) -> dict[str, int]:
    f = report.funnel
    return {"diagnostic_done": f.diagnostic_done.n, "relief_reports": f.relief_reports.n,
            "rfa_consults_booked": f.rfa_consults_booked.n,
            "callbacks_outstanding": f.callbacks_outstanding.n,
            "callbacks_overdue": f.callbacks_overdue.n}


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


# --------------------------------------------------------------------------- plain text


def _plain(value: object) -> str:
    """One printable line: control characters (newlines in a reason) become spaces, runs of
    spaces one space; a leading indent is kept."""
    text = str(value)
    indent = len(text) - len(text.lstrip(" "))
    flat = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    return " " * indent + flat


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[:max(width - 1, 0)] + "…"


def _table(headers: Sequence[str], rows: Iterable[Sequence[object]], *,
           numeric: Iterable[int] = (), width: int = WIDTH) -> list[str]:
    """An aligned table no wider than ``width``: long text columns are cut with "…"."""
    right = set(numeric)
    cells = [[_plain(c) for c in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]
    gap = 2
    texts = [i for i in range(len(headers)) if i not in right]
    while texts and sum(widths) + gap * (len(widths) - 1) > width:
        widest = max(texts, key=lambda i: widths[i])
        over = sum(widths) + gap * (len(widths) - 1) - width
        shrunk = max(widths[widest] - over, 8)
        if shrunk >= widths[widest]:
            break
        widths[widest] = shrunk
    lines = []
    for row in [list(headers), *cells]:
        parts = [_fit(c, w).rjust(w) if i in right else _fit(c, w).ljust(w)
                 for i, (c, w) in enumerate(zip(row, widths, strict=True))]
        lines.append((" " * gap).join(parts).rstrip())
    return lines


def sparkline(values: Sequence[int]) -> str:
    """``▁▃█…``: each value against the largest (all ▁ when every value is 0)."""
    top = max(values, default=0)
    if top <= 0:
        return SPARKS[0] * len(values)
    last = len(SPARKS) - 1
    return "".join(SPARKS[round(v / top * last)] for v in values)


def _percent(value: float | None) -> str:
    """A ratio as the JSON rounds it (3 places), shown as a percentage: 0.742 -> 74.2%."""
    shown = _ratio(value)
    return "–" if shown is None else f"{shown * 100:.1f}%"


def _day_title(report: DailyReport) -> str:
    d = report.day
    return f"{d:%a %b} {d.day} {d.year}"


def _as_of(report: DailyReport) -> str:
    local = report.as_of.astimezone(report.zone)
    if local.date() > report.day:
        return "the end of the day"
    return f"{local.hour % 12 or 12}:{local:%M %p %Z}"


def _rule_text(rules: Sequence[str]) -> str:
    return ", ".join(RULE_LABELS.get(r, r) for r in rules)


def _override_local(o: OverrideLine, report: DailyReport) -> str:
    local = o.at.astimezone(report.zone)
    return f"{local.hour % 12 or 12}:{local:%M %p}"


def _heading(title: str) -> list[str]:
    return ["", title, "-" * min(len(title), WIDTH)]


def to_text(report: DailyReport) -> str:
    """A plain-text summary for an email: aligned tables, every line at most 80 columns."""
    where = report.location or "All locations"
    out = [_fit(f"DAILY REPORT  {_day_title(report)}  {where}", WIDTH),
           _fit(f"As of {_as_of(report)} ({report.timezone})", WIDTH)]

    out += _heading(f"Appointments on the day: {report.visits_total.n}")
    if report.visits:
        short = ("Booked", "Conf", "In", "Done", "Cancel", "Late", "No-show")
        rows: list[list[object]] = []
        place = None
        for line in report.visits:
            if line.location != place:
                place = line.location
                rows.append([place, *([""] * (len(short) + 1))])
            rows.append([f"  {line.visit_code}", *(c.n for c in line.cells), line.total.n])
        rows.append(["Total", *(report.status_total(k).n for k, _ in STATUS_COLUMNS),
                     report.visits_total.n])
        out += _table(["Location / visit", *short, "Total"], rows,
                      numeric=range(1, len(short) + 2))
        out.append("Conf: confirmed. In: checked in. Late: cancelled in the late-cancel "
                   "window.")
    else:
        out.append("None.")

    out += _heading(f"Bookings made: {report.bookings_total.n}")
    if report.bookings:
        rows = []
        last = None
        for b in report.bookings:
            who = "" if b.staff_username == last else f"{b.staff_name} ({b.staff_username})"
            last = b.staff_username
            rows.append([who, b.location, b.visit_code, b.made.n])
        out += _table(["Booked by", "Location", "Visit", "Made"], rows, numeric=[3])
    else:
        out.append("None.")

    calls = report.calls
    out += _heading(f"Calls logged: {calls.logged.n} (practice-wide)")
    out += _table(["Outcome", "Calls"],
                  [*([c.label, c.calls.n] for c in calls.lines),
                   ["Booked share", _percent(calls.booked_share)],
                   ["Still open (not logged yet)", calls.still_open.n]], numeric=[1])
    if report.location:
        out.append("Calls are not tied to a location: these are the whole practice's.")

    out += _heading("Pain pathway")
    values = _funnel_values(report)
    out += _table(["Step", "Count"],
                  [[("  " if key == "callbacks_overdue" else "") + label, values[key]]
                   for key, label in FUNNEL_STEPS], numeric=[1])

    out += _heading("Utilisation (booked / template minutes)")
    if report.utilisation:
        out += _table(
            ["Location / provider", "Booked", "Template", "Use"],
            [[u.location if u.provider is None else f"  {u.provider}", u.booked_min,
              u.template_min, _percent(u.ratio)] for u in report.utilisation],
            numeric=[1, 2, 3])
    else:
        out.append("No template hours.")

    out += _heading(f"Payer-rule overrides: {len(report.overrides)}")
    if not report.overrides:
        out.append("None.")
    for o in report.overrides:
        out.append(_fit(f"{_override_local(o, report)}  {_plain(o.location)}  "
                        f"{_plain(o.visit_code)}", WIDTH))
        facts = [f"authorised by {o.authorised_by} ({o.authorised_username}), "
                 f"booked by {o.booked_by}",
                 f"rules: {_rule_text(o.rules) or '–'}; payers: {', '.join(o.payers) or '–'}",
                 f"reason: {o.reason}"]
        for fact in facts:
            out += textwrap.wrap(_plain(fact), WIDTH, initial_indent="  ",
                                 subsequent_indent="    ")

    out += _trend_text(report)
    return "\n".join(line.rstrip() for line in out) + "\n"


def _trend_text(report: DailyReport) -> list[str]:
    trend = report.trend
    if not trend:
        return []
    first, last = trend[0].day, trend[-1].day
    out = _heading(f"Trend, {len(trend)} days: {first:%b} {first.day} to {last:%b} {last.day}")
    label = max(len(name) for _, name in TREND_MEASURES) + 2
    series = {key: [_trend_value(d, key) for d in trend] for key, _ in TREND_MEASURES}
    for key, name in TREND_MEASURES:
        values = series[key]
        out.append(_fit(f"{name.ljust(label)}{sparkline(values)}  today {values[-1]}, "
                        f"max {max(values)}, total {sum(values)}", WIDTH))
    out.append("")
    cell = max(len(str(v)) for values in series.values() for v in values) + 1
    cell = max(cell, 3)
    if label + cell * len(trend) <= WIDTH:
        out.append("Day".ljust(label) + "".join(str(d.day.day).rjust(cell) for d in trend))
        for key, name in TREND_MEASURES:
            out.append(name.ljust(label) + "".join(str(v).rjust(cell) for v in series[key]))
    else:
        out += _table(["Day", *(name for _, name in TREND_MEASURES)],
                      [[f"{d.day:%a %m/%d}", *(series[k][n] for k, _ in TREND_MEASURES)]
                       for n, d in enumerate(trend)], numeric=[1, 2, 3])
    return out


# --------------------------------------------------------------------------- HTML

_CSS = """
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: #111;
       margin: 2em auto; max-width: 60em; padding: 0 1em; }
h1 { font-size: 1.4em; margin-bottom: 0.2em; }
h2 { font-size: 1.1em; margin: 1.6em 0 0.4em; border-bottom: 1px solid #999; }
p.meta, p.note { color: #444; margin: 0.2em 0; }
table { border-collapse: collapse; margin: 0.4em 0; }
th, td { padding: 0.15em 0.6em; border-bottom: 1px solid #ddd; text-align: left;
         vertical-align: top; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.group td { font-weight: 600; background: #f3f3f3; }
tr.total td { font-weight: 600; border-top: 2px solid #666; }
td.sub { padding-left: 1.6em; }
.spark { font-family: monospace; letter-spacing: 1px; }
svg.bars rect { fill: #456; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  h2 { break-after: avoid; }
  table { break-inside: avoid; }
  tr.group td { background: none; }
}
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _html_table(headers: Sequence[tuple[str, bool]], rows: Iterable[str]) -> str:
    """``headers``: (label, numeric); ``rows``: ready ``<tr>`` elements."""
    head = "".join(f'<th class="n">{_e(h)}</th>' if n else f"<th>{_e(h)}</th>"
                   for h, n in headers)
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(rows) + \
        "\n</tbody>\n</table>"


def _tr(cells: Sequence[object], *, numeric: Iterable[int] = (), css: str = "",
        sub: bool = False) -> str:
    right = set(numeric)
    parts = []
    for i, c in enumerate(cells):
        classes = [k for k, on in (("n", i in right), ("sub", sub and i == 0)) if on]
        attr = f' class="{" ".join(classes)}"' if classes else ""
        parts.append(f"<td{attr}>{_e(c)}</td>")
    row_attr = f' class="{css}"' if css else ""
    return f"<tr{row_attr}>{''.join(parts)}</tr>"


def _bars(values: Sequence[int], days: Sequence[TrendDay], name: str) -> str:
    """A small inline SVG bar chart (no external references)."""
    top = max(values, default=0) or 1
    step, height = 10, 28
    rects = []
    for n, (value, day) in enumerate(zip(values, days, strict=True)):
        h = max(round(value / top * height), 1 if value else 0)
        rects.append(f'<rect x="{n * step}" y="{height - h}" width="{step - 2}" height="{h}">'
                     f"<title>{_e(day.day.isoformat())}: {value}</title></rect>")
    return (f'<svg class="bars" role="img" aria-label="{_e(name)}" width="{len(values) * step}"'
            f' height="{height}" viewBox="0 0 {len(values) * step} {height}">'
            + "".join(rects) + "</svg>")


def to_html(report: DailyReport) -> str:
    """One self-contained page: inline CSS, no scripts, no external references."""
    where = report.location or "All locations"
    title = f"Daily report {report.day.isoformat()} · {where}"
    body: list[str] = [
        f"<h1>Daily report: {_e(_day_title(report))} · {_e(where)}</h1>",
        f'<p class="meta">As of {_e(_as_of(report))} ({_e(report.timezone)})</p>',
    ]

    body.append(f"<h2>Appointments on the day: {report.visits_total.n}</h2>")
    if report.visits:
        numbers = range(1, len(STATUS_COLUMNS) + 2)
        rows = []
        place = None
        for line in report.visits:
            if line.location != place:
                place = line.location
                rows.append(_tr([place, *([""] * (len(STATUS_COLUMNS) + 1))], css="group"))
            rows.append(_tr([f"{line.visit_name} ({line.visit_code})",
                             *(c.n for c in line.cells), line.total.n],
                            numeric=numbers, sub=True))
        rows.append(_tr(["Total", *(report.status_total(k).n for k, _ in STATUS_COLUMNS),
                         report.visits_total.n], numeric=numbers, css="total"))
        body.append(_html_table([("Location / visit", False),
                                 *((label, True) for _, label in STATUS_COLUMNS),
                                 ("Total", True)], rows))
        body.append('<p class="note">Late cancel: cancelled inside the late-cancel window.</p>')
    else:
        body.append("<p>None.</p>")

    body.append(f"<h2>Bookings made: {report.bookings_total.n}</h2>")
    if report.bookings:
        rows = [_tr([f"{b.staff_name} ({b.staff_username})", b.location,
                     f"{b.visit_name} ({b.visit_code})", b.made.n], numeric=[3])
                for b in report.bookings]
        rows.append(_tr(["Total", "", "", report.bookings_total.n], numeric=[3], css="total"))
        body.append(_html_table([("Booked by", False), ("Location", False), ("Visit", False),
                                 ("Made", True)], rows))
    else:
        body.append("<p>None.</p>")

    calls = report.calls
    body.append(f"<h2>Calls logged: {calls.logged.n}</h2>")
    rows = [_tr([c.label, c.calls.n], numeric=[1]) for c in calls.lines]
    rows.append(_tr(["Booked share", _percent(calls.booked_share)], numeric=[1], css="total"))
    rows.append(_tr(["Still open (not logged yet)", calls.still_open.n], numeric=[1]))
    body.append(_html_table([("Outcome", False), ("Calls", True)], rows))
    body.append('<p class="note">Calls are not tied to a location: these are the whole '
                "practice's, whatever location the report is for.</p>")

    body.append("<h2>Pain pathway</h2>")
    values = _funnel_values(report)
    body.append(_html_table([("Step", False), ("Count", True)], [
        _tr([label, values[key]], numeric=[1], sub=key == "callbacks_overdue")
        for key, label in FUNNEL_STEPS]))

    body.append("<h2>Utilisation</h2>")
    if report.utilisation:
        body.append(_html_table(
            [("Location / provider", False), ("Booked min", True), ("Template min", True),
             ("Use", True)],
            [_tr([u.location if u.provider is None else u.provider, u.booked_min,
                  u.template_min, _percent(u.ratio)], numeric=[1, 2, 3],
                 css="group" if u.provider is None else "", sub=u.provider is not None)
             for u in report.utilisation]))
    else:
        body.append("<p>No template hours.</p>")

    body.append(f"<h2>Payer-rule overrides: {len(report.overrides)}</h2>")
    if report.overrides:
        body.append(_html_table(
            [("Time", False), ("Location", False), ("Visit", False), ("Authorised by", False),
             ("Booked by", False), ("Rules", False), ("Payers", False), ("Reason", False)],
            [_tr([_override_local(o, report), o.location, o.visit_name,
                  f"{o.authorised_by} ({o.authorised_username})", o.booked_by,
                  _rule_text(o.rules), ", ".join(o.payers), o.reason])
             for o in report.overrides]))
    else:
        body.append("<p>None.</p>")

    if report.trend:
        first, last = report.trend[0].day, report.trend[-1].day
        body.append(f"<h2>Trend: {_e(first.isoformat())} to {_e(last.isoformat())}</h2>")
        series = {key: [_trend_value(d, key) for d in report.trend] for key, _ in TREND_MEASURES}
        body.append(_html_table(
            [("Measure", False), ("Last 14 days", False), ("Today", True), ("Max", True),
             ("Total", True)],
            [f"<tr><td>{_e(name)}</td><td>{_bars(series[key], report.trend, name)}</td>"
             f'<td class="n">{series[key][-1]}</td><td class="n">{max(series[key])}</td>'
             f'<td class="n">{sum(series[key])}</td></tr>'
             for key, name in TREND_MEASURES]))
        body.append(_html_table(
            [("Day", False), *((name, True) for _, name in TREND_MEASURES)],
            [_tr([f"{d.day:%a} {d.day.isoformat()}", *(series[k][n] for k, _ in TREND_MEASURES)],
                 numeric=[1, 2, 3]) for n, d in enumerate(report.trend)]))

    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{_e(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
            + "\n".join(body) + "\n</body>\n</html>\n")


# --------------------------------------------------------------------------- formats, files


def render(report: DailyReport, fmt: str) -> str:
    """The report in one of :data:`FORMATS`."""
    writers = {"text": to_text, "csv": to_csv, "json": to_json, "html": to_html}
    if fmt not in writers:
        raise InvalidInput("format", f"{fmt!r} is not one of {', '.join(FORMATS)}")
    return writers[fmt](report)


def write_owner_only(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path``, readable by its owner only (mode 0600).

    The text goes into a private temporary file beside ``path`` (created 0600), which then
    replaces ``path``: a file that was there with wider permissions is replaced, not reused,
    so the report is never readable by others, not even for a moment, and never half written.
    """
    target = Path(path)
    if target.is_dir():
        raise InvalidInput("output", f"{target} is a folder; give a file name")
    folder = target.parent
    if not folder.is_dir():
        raise InvalidInput("output", f"folder {folder} does not exist")
    try:
        handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    except PermissionError:
        raise InvalidInput("output", f"cannot write in {folder}: permission denied") from None
    part = Path(name)
    try:
        with os.fdopen(handle, "wb") as out:
            os.fchmod(out.fileno(), 0o600)
            out.write(text.encode("utf-8"))
            out.flush()
            os.fsync(out.fileno())
        os.replace(part, target)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
