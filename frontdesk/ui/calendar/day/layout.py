"""The day view's time grid as plain values: rows, cells and their text — no Textual.

Rows are 15 minutes of the location's wall clock; columns are the providers working there that
day. Every cell says what it is in characters, not only in colour: a visit's block starts with
its status letter, time and patient (its bar is '!' when it needs attention: outside working
time); time outside the template is '░', a closure '▒', a procedure's buffer before or after
it '┄' (taken, though nobody is seen then).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from frontdesk.domain.text import printable
from frontdesk.ui.backend.boards import GridBoard
from frontdesk.ui.calendar.cells import (
    MARK,
    SWATCH,
    attention_note,
    cycle,
    person_text,
    visit_text,
)
from frontdesk.ui.text import INACTIVE, fit, status_text

if TYPE_CHECKING:  # the calendar service loads SQLModel; the UI loads it only in workers
    from frontdesk.services.calendar import DayGrid
    from frontdesk.services.views import AppointmentView, LocationView

STEP = timedelta(minutes=15)
GUTTER = 6  # "10:15 "
SEPARATOR = 1  # '│' between provider columns
MIN_COLUMN = 20
OFF_FILL, CLOSED_FILL, NOW_FILL, BUFFER_FILL = "░", "▒", "─", "┄"


class Kind(StrEnum):
    FREE = "free"
    OFF = "off"  # outside the provider's template: before, after, lunch
    CLOSED = "closed"
    VISIT = "visit"
    BUFFER = "buffer"  # a procedure's buffer before or after: taken, though nobody is seen


@dataclass(frozen=True)
class Cell:
    kind: Kind
    appt: AppointmentView | None = None
    line: int = 0  # the row's place in its visit or closure (0: the first row)
    lines: int = 1  # rows the visit covers
    label: str = ""  # the closure's label
    mark: str = ""  # why the visit needs attention, in a word ("time off")


@dataclass(frozen=True)
class Column:
    provider_id: int
    name: str


def next_location(locations: Sequence[LocationView], current: int | None, step: int) -> int | None:
    """The board's cycling without 'All locations': the day view shows one place at a time."""
    return cycle([loc.id for loc in locations], current, step)


def row_starts(grid: DayGrid) -> tuple[datetime, ...]:
    """Each row's start (aware UTC); a wall-clock time skipped by DST appears once."""
    zone = grid.zone
    starts = (datetime.combine(grid.day, time(hour, minute), zone).astimezone(UTC)
              for hour in range(grid.first_hour, grid.last_hour) for minute in (0, 15, 30, 45))
    return tuple(sorted(set(starts)))


def columns(grid: DayGrid) -> tuple[Column, ...]:
    """Providers with hours there, then anyone booked there without hours (an overbooking)."""
    cols = [Column(p.provider_id, p.name) for p in grid.providers]
    known = {c.provider_id for c in cols}
    for appt in grid.appointments:
        if appt.provider_id not in known and appt.status not in INACTIVE:
            cols.append(Column(appt.provider_id, appt.provider_name))
            known.add(appt.provider_id)
    return tuple(cols)


def cells(grid: DayGrid, starts: Sequence[datetime], cols: Sequence[Column],
          marks: Mapping[int, str] | None = None) -> tuple[tuple[Cell, ...], ...]:
    """Rows × columns. Cancelled visits and lapsed holds are not drawn (the board lists them).
    ``marks``: visit id -> why it needs attention, in a word."""
    marks = marks or {}
    days = {p.provider_id: p for p in grid.providers}
    table: list[list[Cell]] = [[] for _ in starts]
    for col in cols:
        visits = [a for a in grid.appointments
                  if a.provider_id == col.provider_id and a.status not in INACTIVE]
        working = days[col.provider_id].working if col.provider_id in days else ()
        closures = [c for c in grid.closures if c.applies_to(col.provider_id)]
        first_row: dict[object, int] = {}
        for i, start in enumerate(starts):
            end = start + STEP
            appt = next((a for a in visits if a.start < end and start < a.end), None)
            closure = next((c for c in closures if c.start < end and start < c.end), None)
            buffer = appt is None and any(a.block_start < end and start < a.block_end
                                          for a in visits)
            if appt is not None:
                line = i - first_row.setdefault(appt, i)
                count = sum(appt.start < s + STEP and s < appt.end for s in starts)
                table[i].append(Cell(Kind.VISIT, appt, line, count,
                                     mark=marks.get(appt.id, "")))
            elif closure is not None:
                line = i - first_row.setdefault(closure, i)
                table[i].append(Cell(Kind.CLOSED, line=line, label=closure.label))
            elif buffer:
                table[i].append(Cell(Kind.BUFFER))
            elif any(w.start < end and start < w.end for w in working):
                table[i].append(Cell(Kind.FREE))
            else:
                table[i].append(Cell(Kind.OFF))
    return tuple(tuple(row) for row in table)


def now_row(starts: Sequence[datetime], now: datetime) -> int | None:
    """The row holding ``now``, when now is on the grid."""
    return next((i for i, s in enumerate(starts) if s <= now < s + STEP), None)


def fit_columns(width: int, count: int) -> tuple[int, int]:
    """(columns shown, each one's width) for a grid ``width`` cells wide: at least MIN_COLUMN
    cells each, so three fit at 80 columns; the rest scroll sideways."""
    room = max(0, width - GUTTER)
    shown = max(1, min(count, room // (MIN_COLUMN + SEPARATOR)))
    return shown, max(1, room // shown - SEPARATOR)


def cell_text(cell: Cell, width: int) -> str:
    """A cell's characters, exactly ``width`` of them (a visit's first is its colour bar)."""
    if cell.kind is Kind.FREE:
        return " " * width
    if cell.kind is Kind.OFF:
        return OFF_FILL * width
    if cell.kind is Kind.BUFFER:
        return fit(f"{BUFFER_FILL} buffer ", width).ljust(width, BUFFER_FILL)
    if cell.kind is Kind.CLOSED:
        text = f"{CLOSED_FILL} Closed: {cell.label} " if cell.line == 0 else ""
        return fit(text, width).ljust(width, CLOSED_FILL)
    assert cell.appt is not None
    bar = MARK if cell.mark else "▌"
    return bar + fit(visit_line(cell, width - 1), width - 1).ljust(width - 1)


def visit_line(cell: Cell, width: int) -> str:
    """Line ``cell.line`` of a visit's block: status letter, time and patient; then the visit
    type; then room and status in words. A one-row visit squeezes the type in."""
    appt = cell.appt
    assert appt is not None
    if cell.line == 0:
        head = f"{appt.status.letter} {appt.local_start:%H:%M} {printable(appt.patient_short)}"
        if cell.lines == 1 and width > len(head) + 3:
            head += " · " + visit_text(appt, width - len(head) - 3 + len(SWATCH))
        return head
    if cell.line == 1:
        if cell.mark:  # what needs attention first; the visit type after it
            return f"{cell.mark} · " + visit_text(appt, width - len(cell.mark) - 3 + len(SWATCH))
        return visit_text(appt, width + len(SWATCH))
    if cell.line == 2:
        return f"{appt.room_name} · {appt.status.label}"
    return ""


def describe(cell: Cell, column: Column, start: datetime, grid: DayGrid) -> str:
    """The cursor's cell in words, for the line under the grid."""
    when = f"{start.astimezone(grid.zone):%H:%M}"
    who = person_text(column.name, 30)
    if cell.kind is Kind.VISIT and cell.appt is not None:
        a = cell.appt
        flag = f"{MARK} needs attention: {cell.mark} · " if cell.mark else ""
        return (f"{flag}{a.local_start:%H:%M}–{a.local_end:%H:%M} · {who} · "
                f"{printable(a.patient_short)} · "
                f"{a.visit_type_name.split(' (')[0]} · {a.room_name} · {status_text(a.status)}")
    if cell.kind is Kind.CLOSED:
        return f"{when} · {who} · closed: {cell.label}"
    if cell.kind is Kind.OFF:
        return f"{when} · {who} · not working (outside template hours)"
    if cell.kind is Kind.BUFFER:
        return f"{when} · {who} · buffer before or after a procedure (cannot be booked)"
    return f"{when} · {who} · free"


def summary(board: GridBoard) -> str:
    """'2 visits · 2 providers · 1 cancelled' or why the grid is empty."""
    grid = board.grid
    if grid is None:
        return "This database has no locations yet, so there is nothing to show."
    active = [a for a in grid.appointments if a.status not in INACTIVE]
    parts = [f"{len(active)} visit{'' if len(active) == 1 else 's'}"]
    working = sum(1 for p in grid.providers if p.working)
    if working:
        parts.append(f"{working} provider{'' if working == 1 else 's'} working")
    else:
        parts.append("nobody working (closed)" if grid.providers else "nobody works here this day")
    cancelled = len(grid.appointments) - len(active)
    if cancelled:
        parts.append(f"{cancelled} cancelled (not drawn)")
    parts.extend(f"closed: {c.label}" for c in grid.closures if c.provider_id is None)
    if note := attention_note(board.marks, active):
        parts.append(note)
    return " · ".join(parts)
