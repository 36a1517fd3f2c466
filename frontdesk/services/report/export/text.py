"""The report as plain text for an email: aligned tables and sparklines in 80 columns."""

from __future__ import annotations

import textwrap
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
from frontdesk.services.report.values import STATUS_COLUMNS, DailyReport

SPARKS = "▁▂▃▄▅▆▇█"
WIDTH = 80


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
                  [[("  " if key in FUNNEL_PARTS else "") + label, values[key]]
                   for key, label in FUNNEL_STEPS if key in values], numeric=[1])

    out += _heading("Worklists")
    if report.worklists:
        out += _table(["List", "Count"], _worklist_rows(report, "  "), numeric=[1])
    else:
        out.append("None.")

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


def _worklist_rows(report: DailyReport, indent: str) -> list[list[str | int]]:
    rows: list[list[str | int]] = []
    last = None
    for line in report.worklists:
        if line.worklist != last:
            rows.append([line.worklist, ""])
            last = line.worklist
        rows.append([indent + line.label, line.figure.n])
    return rows


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
