"""Pure text for the all-locations board: one panel's lines, short names, and which panel
the focus moves to. No Textual here, so the rules are tested on plain values.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from frontdesk.domain.model import STATUS_LETTERS, Status

if TYPE_CHECKING:  # the board service loads SQLModel; the UI loads it only in workers
    from frontdesk.services.board import LocationSummary, NextSlot

#: The statuses a panel counts, in the order the front desk reads a day (two lines of three).
COUNTED = ((Status.BOOKED, Status.CONFIRMED, Status.CHECKED_IN),
           (Status.COMPLETED, Status.CANCELLED, Status.NO_SHOW))

#: Labels short enough for a panel; unknown codes use the start of their name.
SHORT_VISITS = {
    "new-patient": "New pt", "follow-up": "Follow", "facet-diagnostic": "Facet dx",
    "facet-therapeutic": "Facet tx", "rfa-consult": "RFA cons", "rfa": "RFA",
    "trigger-point": "Trig pt", "med-management": "Med mgmt", "massage": "Massage",
}
LABEL_WIDTH = 8
PANEL_WIDTH = 32  # border included: five fit in 160 columns, two and a half in 80
TEXT_WIDTH = PANEL_WIDTH - 2


@dataclass(frozen=True)
class AllLocations:
    """What one read gave the screen: the day and every location's summary."""

    day: date
    summaries: tuple[LocationSummary, ...]
    horizon_days: int


def visits_total(data: AllLocations) -> str:
    """'5 locations · 23 visits' across the day."""
    places, visits = len(data.summaries), sum(s.visits for s in data.summaries)
    return (f"{places} location{'' if places == 1 else 's'} · "
            f"{visits} visit{'' if visits == 1 else 's'}")


def counts_lines(summary: LocationSummary) -> list[str]:
    """['B 12 · C 5 · I 2', 'D 3 · X 1 · N 0'], with '· H 1' when holds are pending."""
    lines = [" · ".join(f"{STATUS_LETTERS[s]} {summary.count(s)}" for s in three)
             for three in COUNTED]
    held = summary.count(Status.HELD)
    if held:
        lines[-1] += f" · H {held}"
    return lines


def visits_line(summary: LocationSummary) -> str:
    n = summary.visits
    return f"{n} visit" + ("" if n == 1 else "s")


def surname(name: str) -> str:
    """'Dr. Emery Flintridge, MD' -> 'Flintridge': enough to tell who at a glance."""
    words = name.split(",")[0].split()
    return words[-1] if words else name


def fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def slot_line(nxt: NextSlot, day: date, *, horizon_days: int,
              width: int = TEXT_WIDTH) -> str:
    """'Facet dx Thu 10:15 Able'; the date instead of the weekday a week or more away."""
    label = SHORT_VISITS.get(nxt.visit_code, nxt.visit_name)[:LABEL_WIDTH].ljust(LABEL_WIDTH)
    if nxt.slot is None:
        return fit(f"{label} none in {horizon_days} days", width)
    local = nxt.slot.local_start
    when = (f"{local:%a %H:%M}" if (local.date() - day).days < 7
            else f"{local.month}/{local.day} {local:%H:%M}")
    return fit(f"{label} {when} {surname(nxt.slot.provider_name)}", width)


def panel_lines(summary: LocationSummary, day: date, *, horizon_days: int,
                width: int = TEXT_WIDTH) -> list[str]:
    """The panel body under its title, each line at most ``width`` characters."""
    names = ", ".join(p.split(",")[0] for p in summary.providers)  # no credentials
    people = textwrap.wrap(names, width, max_lines=2, placeholder=" …") or ["nobody works here"]
    lines = [visits_line(summary), *counts_lines(summary), *people, "", "Next open slot"]
    lines += [slot_line(n, day, horizon_days=horizon_days, width=width)
              for n in summary.next_slots]
    if not summary.next_slots:
        lines.append("no rooms for any visit type")
    return [fit(line, width) for line in lines]


def step_focus(count: int, current: int | None, step: int) -> int | None:
    """The panel index after moving ``step`` from ``current``, wrapping; None with no panels."""
    if count == 0:
        return None
    if current is None:
        return 0 if step > 0 else count - 1
    return (current + step) % count
