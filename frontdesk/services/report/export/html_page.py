"""The report as one self-contained HTML page: inline CSS and SVG, no scripts, prints well."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

from frontdesk.services.report.export.data import TREND_MEASURES, _funnel_values, _trend_value
from frontdesk.services.report.export.wording import (
    FUNNEL_PARTS,
    FUNNEL_STEPS,
    _as_of,
    _day_title,
    _override_local,
    _percent,
    _rule_text,
)
from frontdesk.services.report.values import STATUS_COLUMNS, DailyReport, TrendDay

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
        _tr([label, values[key]], numeric=[1], sub=key in FUNNEL_PARTS)
        for key, label in FUNNEL_STEPS if key in values]))

    body.append("<h2>Worklists</h2>")
    if report.worklists:
        rows = []
        shown = None
        for w in report.worklists:
            if w.worklist != shown:
                rows.append(_tr([w.worklist, ""], numeric=[1], css="group"))
                shown = w.worklist
            rows.append(_tr([w.label, w.figure.n], numeric=[1], sub=True))
        body.append(_html_table([("List", False), ("Count", True)], rows))
    else:
        body.append("<p>None.</p>")

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
