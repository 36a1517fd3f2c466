"""How the forms for people (text and HTML) word the report: titles, times, percentages, rules.

Shared by :mod:`~frontdesk.services.report.export.text` and
:mod:`~frontdesk.services.report.export.html_page` so the email and the page say the same.
"""

from __future__ import annotations

from collections.abc import Sequence

from frontdesk.services.report.export.data import _ratio
from frontdesk.services.report.values import RULE_LABELS, DailyReport, OverrideLine

FUNNEL_STEPS: tuple[tuple[str, str], ...] = (
    ("diagnostic_done", "Diagnostic injections done"),
    ("relief_reports", "Relief reports on diagnostic injections"),
    ("rfa_consults_booked", "RFA consults booked"),
    ("callbacks_outstanding", "Callbacks outstanding"),
    ("callbacks_overdue", "of them overdue from earlier days"),
    ("callbacks_relief_report", "of them relief reports"),
    ("callbacks_call_back", "of them call backs (a call's \"Callback scheduled\")"),
)
#: The funnel's lines that break down the one above them (shown indented).
FUNNEL_PARTS = frozenset({"callbacks_overdue", "callbacks_relief_report",
                          "callbacks_call_back"})


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
