"""A week drawn as a grid: rows of wall-clock time, a column per day, a cursor cell.

The row length follows the height (see ``layout.pick_step``); what the cursor is on goes up
as a ``Highlighted`` message, in words.
"""

from __future__ import annotations

from datetime import date, time
from typing import TYPE_CHECKING, ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.strip import Strip

from frontdesk.ui.calendar.cells import STATUS_STYLES
from frontdesk.ui.calendar.line_widget import LineWidget, scroll_to
from frontdesk.ui.calendar.week.layout import (
    GUTTER,
    Kind,
    WeekCell,
    cell_text,
    cells,
    column_width,
    day_label,
    describe,
    pick_step,
    row_times,
    shown_days,
)

if TYPE_CHECKING:
    from frontdesk.services.week import WeekDay, WeekGrid

ROWS = Binding.Group("Time", compact=True)
STYLES = {Kind.OFF: "week-grid--off", Kind.CLOSED: "week-grid--closed",
          Kind.VISIT: "week-grid--visit", Kind.RUNNING: "week-grid--visit"}


class WeekGridView(LineWidget, can_focus=True):
    DEFAULT_CSS = """
    WeekGridView { height: 1fr; }
    WeekGridView > .week-grid--header { background: $panel; color: $text; text-style: bold; }
    WeekGridView > .week-grid--today { background: $accent; color: $text; text-style: bold; }
    WeekGridView > .week-grid--time { color: $text-muted; }
    WeekGridView > .week-grid--rule { color: $text-disabled; }
    WeekGridView > .week-grid--off { color: $text-disabled; }
    WeekGridView > .week-grid--closed { color: $text-warning; }
    WeekGridView > .week-grid--visit { background: $panel; color: $text; }
    WeekGridView > .week-grid--cursor { text-style: reverse; }
    WeekGridView:focus > .week-grid--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "week-grid--header", "week-grid--today", "week-grid--time", "week-grid--rule",
        "week-grid--off", "week-grid--closed", "week-grid--visit", "week-grid--cursor",
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(-1)", "Earlier", id="week_grid.earlier", key_display="↑",
                group=ROWS, show=False, tooltip="Move the cursor a row earlier"),
        Binding("down", "move(1)", "Later", id="week_grid.later", key_display="↓",
                group=ROWS, show=False, tooltip="Move the cursor a row later"),
        Binding("tab", "column(1)", "Day", id="week_grid.next_day", key_display="tab",
                tooltip="Move the cursor to the next day"),
        Binding("shift+tab", "column(-1)", "Previous day", id="week_grid.previous_day",
                key_display="⇧tab", show=False, tooltip="Move the cursor to the previous day"),
    ]

    class Highlighted(Message):
        """The cursor's cell, in words (empty when there is no grid)."""

        def __init__(self, description: str) -> None:
            super().__init__()
            self.description = description

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.grid: WeekGrid | None = None
        self.today: date | None = None
        self.days: tuple[WeekDay, ...] = ()
        self.times: tuple[time, ...] = ()
        self.table: tuple[tuple[WeekCell, ...], ...] = ()
        self.step = 30
        self.row = 0
        self.col = 0
        self._top = 0

    def show(self, grid: WeekGrid | None, today: date, now: time | None = None) -> None:
        """Draw ``grid``; a new week puts the cursor on today (at ``now``, the local wall
        clock, when it is on the grid) or on Monday's first working row."""
        if grid == self.grid and today == self.today and self.step == self._step(grid):
            return
        same_week = self.grid is not None and grid is not None and self.grid.monday == grid.monday
        self.grid, self.today = grid, today
        self._layout()
        if not same_week:
            self.col = next((i for i, d in enumerate(self.days) if d.day == today), 0)
            at_now = [i for i, t in enumerate(self.times) if now is not None and t <= now]
            on_today = any(d.day == today for d in self.days)
            self.row = (at_now[-1] if at_now and on_today else
                        next((i for i, row in enumerate(self.table)
                              if row and row[self.col].kind is not Kind.OFF), 0))
            self._top = 0
        self._settle()

    @property
    def selected_day(self) -> WeekDay | None:
        return self.days[self.col] if self.days else None

    def _step(self, grid: WeekGrid | None) -> int:
        return pick_step(grid, self._body_height()) if grid else self.step

    def _layout(self) -> None:
        grid = self.grid
        self.step = self._step(grid)
        self.days = shown_days(grid) if grid else ()
        self.times = row_times(grid, self.step) if grid else ()
        self.table = cells(grid, self.days, self.times, self.step) if grid else ()

    def action_move(self, rows: int) -> None:
        self.row += rows
        self._settle()

    def action_column(self, step: int) -> None:
        if self.days:
            self.col = (self.col + step) % len(self.days)
            self._settle()

    def _settle(self) -> None:
        self.row = max(0, min(self.row, len(self.times) - 1))
        self.col = max(0, min(self.col, len(self.days) - 1))
        self._top = scroll_to(self._top, self.row, self._body_height(), len(self.times))
        self.refresh()
        self.post_message(self.Highlighted(self.description))

    @property
    def description(self) -> str:
        if not self.days or not self.times:
            return ""
        return describe(self.table[self.row][self.col], self.days[self.col].day,
                        self.times[self.row])

    def _body_height(self) -> int:
        return max(1, (self.size.height or 24) - 1)

    def on_resize(self) -> None:
        if self.grid is not None:
            old = self.step
            self._layout()
            if self.step != old:
                self.row = self.row * old // self.step
            self._settle()

    def render_line(self, y: int) -> Strip:
        if self.grid is None or not self.times:
            return self.blank()
        width = column_width(self.size.width, len(self.days))
        if y == 0:
            header = self.style("week-grid--header")
            segments = [Segment(" " * GUTTER, header)]
            for day in self.days:
                kind = "week-grid--today" if day.day == self.today else "week-grid--header"
                segments += [Segment("│", header), Segment(
                    day_label(day.day, self.today or day.day, width).ljust(width),
                    self.style(kind))]
            return self.strip(segments)
        i = self._top + y - 1
        if i >= len(self.times) or y > self._body_height():
            return self.blank()
        segments = [Segment(f"{self.times[i]:%H:%M} ", self.style("week-grid--time"))]
        rule = self.style("week-grid--rule")
        for c, cell in enumerate(self.table[i]):
            segments.append(Segment("│", rule))
            base = self.style(STYLES[cell.kind]) if cell.kind in STYLES else self.style()
            if (i, c) == (self.row, self.col):
                base += self.style("week-grid--cursor")
            text = cell_text(cell, width)
            status = STATUS_STYLES[cell.items[0].status] if cell.kind is Kind.VISIT else ""
            if status:
                segments += [Segment(text[0], base + Style.parse(status)),
                             Segment(text[1:], base)]
            else:
                segments.append(Segment(text, base))
        return self.strip(segments)
