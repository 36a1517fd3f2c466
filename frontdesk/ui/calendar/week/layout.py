"""The week view's grid as plain values: rows of wall-clock time, a column per day — no Textual.

Rows are 15, 30 or 60 minutes, whichever is the finest that fits the height. A cell lists the
visits starting in it as 'B 10:00 Testcase' and '+2' for those that do not fit; a visit still
running shows '▌'; time outside every template is '░', a closure '▒'.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from frontdesk.domain.text import printable
from frontdesk.ui.text import INACTIVE, fit

if TYPE_CHECKING:  # the week service loads SQLModel; the UI loads it only in workers
    from frontdesk.services.views import AppointmentView, LocationView, ProviderView
    from frontdesk.services.week import WeekDay, WeekGrid

STEPS = (15, 30, 60)
GUTTER = 6  # "10:30 "
SEPARATOR = 1
OFF_FILL, CLOSED_FILL, RUNNING = "░", "▒", "▌"


class Mode(StrEnum):
    LOCATION = "location"
    PROVIDER = "provider"


@dataclass(frozen=True)
class WeekBoard:
    """What the week view shows: the week of ``subject`` (a location or provider id)."""

    monday: date
    mode: Mode
    subject: int | None
    locations: tuple[LocationView, ...]
    providers: tuple[ProviderView, ...]
    grid: WeekGrid | None


class Kind(StrEnum):
    FREE = "free"
    OFF = "off"
    CLOSED = "closed"
    RUNNING = "running"  # a visit that started in an earlier row
    VISIT = "visit"


@dataclass(frozen=True)
class WeekCell:
    kind: Kind
    items: tuple[AppointmentView, ...] = ()  # visits starting in the row
    label: str = ""  # the closure's
    first: bool = True  # the first row of its closure that day (where the label shows)


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def pick_step(grid: WeekGrid, height: int) -> int:
    """The finest row length in minutes whose rows fit ``height`` lines (else hourly)."""
    hours = grid.last_hour - grid.first_hour
    return next((s for s in STEPS if hours * 60 // s <= height), STEPS[-1])


def shown_days(grid: WeekGrid) -> tuple[WeekDay, ...]:
    """Monday to Friday, plus Saturday and Sunday when anything is booked or templated then."""
    weekend = any(d.hours or _active(d) for d in grid.days[5:])
    return grid.days if weekend else grid.days[:5]


def row_times(grid: WeekGrid, step: int) -> tuple[time, ...]:
    return tuple(time(m // 60, m % 60)
                 for m in range(grid.first_hour * 60, grid.last_hour * 60, step))


def slot(day: date, at: time, step: int, grid: WeekGrid) -> tuple[datetime, datetime]:
    """A row's span on ``day`` in aware UTC (DST days follow the wall clock)."""
    start = datetime.combine(day, at, grid.zone).astimezone(UTC)
    minutes = at.hour * 60 + at.minute + step
    end = (datetime.combine(day + timedelta(days=1), time(), grid.zone) if minutes >= 24 * 60
           else datetime.combine(day, time(minutes // 60, minutes % 60), grid.zone))
    return start, end.astimezone(UTC)


def cells(grid: WeekGrid, days: Sequence[WeekDay], times: Sequence[time],
          step: int) -> tuple[tuple[WeekCell, ...], ...]:
    """Rows × days. Cancelled visits and lapsed holds are not drawn."""
    table: list[list[WeekCell]] = [[] for _ in times]
    for day in days:
        visits = _active(day)
        for i, at in enumerate(times):
            start, end = slot(day.day, at, step, grid)
            starting = tuple(a for a in visits if start <= a.start < end)
            closure = next((c for c in day.closures if c.start < end and start < c.end), None)
            if starting:
                table[i].append(WeekCell(Kind.VISIT, starting))
            elif any(a.start < end and start < a.end for a in visits):
                table[i].append(WeekCell(Kind.RUNNING))
            elif closure is not None:
                above = table[i - 1][-1] if i else None
                first = above is None or above.kind is not Kind.CLOSED
                table[i].append(WeekCell(Kind.CLOSED, label=closure.label, first=first))
            elif any(w.start < end and start < w.end for w in day.working):
                table[i].append(WeekCell(Kind.FREE))
            else:
                table[i].append(WeekCell(Kind.OFF))
    return tuple(tuple(row) for row in table)


def column_width(width: int, count: int) -> int:
    return max(3, (width - GUTTER) // max(1, count) - SEPARATOR)


def day_label(day: date, today: date, width: int) -> str:
    """'Wed 10 ● today' as room allows; today is marked in characters, not only colour."""
    base = f"{day:%a} {day.day}"
    if day != today:
        return fit(base, width)
    return next((t for t in (f"{base} ● today", f"● {base}") if len(t) <= width),
                fit(f"●{base}", width))


def item_text(appt: AppointmentView, width: int) -> str:
    """'B 10:00 Testcase' → 'B 10:00 Tes…' → 'B10:00' → 'B'."""
    last = printable(appt.patient_short).split(",")[0]
    full = f"{appt.status.letter} {appt.local_start:%H:%M} {last}"
    if len(full) <= width or width >= 10:
        return fit(full, width)
    return fit(f"{appt.status.letter}{appt.local_start:%H:%M}", width)


def cell_text(cell: WeekCell, width: int) -> str:
    """Exactly ``width`` characters."""
    if cell.kind is Kind.FREE:
        return " " * width
    if cell.kind is Kind.OFF:
        return OFF_FILL * width
    if cell.kind is Kind.CLOSED:
        text = f"{CLOSED_FILL} {cell.label} " if cell.first else ""
        return fit(text, width).ljust(width, CLOSED_FILL)
    if cell.kind is Kind.RUNNING:
        return RUNNING.ljust(width)
    texts = [item_text(cell.items[0], width - (len(f" +{len(cell.items) - 1}")
                                               if len(cell.items) > 1 else 0))]
    for shown, appt in enumerate(cell.items[1:], start=1):
        rest = len(cell.items) - shown - 1
        room = width - len("  ".join(texts)) - 2 - (len(f" +{rest}") if rest else 0)
        full = item_text(appt, 99)
        if len(full) > room:
            break
        texts.append(full)
    more = len(cell.items) - len(texts)
    text = "  ".join(texts) + (f" +{more}" if more else "")
    return text[:width].ljust(width)


def describe(cell: WeekCell, day: date, at: time) -> str:
    """The cursor's cell in words, for the line under the grid."""
    when = f"{day:%a} {day.day} {day:%b} {at:%H:%M}"
    if cell.kind is Kind.VISIT:
        return f"{when} · " + " · ".join(
            f"{a.status.letter} {a.local_start:%H:%M} {printable(a.patient_short)} "
            f"{a.visit_type_name.split(' (')[0]} ({a.provider_name})" for a in cell.items)
    return when + {Kind.FREE: " · free", Kind.OFF: " · nobody working",
                   Kind.CLOSED: f" · closed: {cell.label}",
                   Kind.RUNNING: " · a visit is under way"}[cell.kind]


def summary(board: WeekBoard) -> str:
    """'3 visits this week · 1 cancelled · closed: Thanksgiving'."""
    grid = board.grid
    if grid is None:
        return "Nothing to show: no such location or provider."
    every = [a for d in grid.days for a in d.appointments]
    active = [a for a in every if a.status not in INACTIVE]
    parts = [f"{len(active)} visit{'' if len(active) == 1 else 's'} this week"]
    if len(every) > len(active):
        parts.append(f"{len(every) - len(active)} cancelled (not drawn)")
    labels = dict.fromkeys(c.label for d in grid.days for c in d.closures)
    parts.extend(f"closed: {label}" for label in labels)
    return " · ".join(parts)


def _active(day: WeekDay) -> list[AppointmentView]:
    return [a for a in day.appointments if a.status not in INACTIVE]
