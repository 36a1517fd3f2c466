"""One location's day drawn as a time grid: 15-minute rows, a column per provider.

The grid keeps a cursor cell and shows only the rows and columns that fit, scrolling to follow
the cursor; what the cursor is on goes up as a ``Highlighted`` message, in words.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widget import Widget

from frontdesk.ui.board import person_text
from frontdesk.ui.grid_layout import (
    GUTTER,
    NOW_FILL,
    Cell,
    Column,
    Kind,
    cell_text,
    cells,
    columns,
    describe,
    fit_columns,
    now_row,
    row_starts,
    scroll_to,
)
from frontdesk.ui.widgets.day_table import STATUS_STYLES, VISIT_COLOURS

if TYPE_CHECKING:
    from datetime import datetime

    from frontdesk.services.calendar import DayGrid

ROWS = Binding.Group("Time", compact=True)


class CalendarGrid(Widget, can_focus=True):
    DEFAULT_CSS = """
    CalendarGrid { height: 1fr; }
    CalendarGrid > .calendar-grid--header { background: $panel; color: $text; text-style: bold; }
    CalendarGrid > .calendar-grid--time { color: $text-muted; }
    CalendarGrid > .calendar-grid--hour { color: $text; text-style: bold; }
    CalendarGrid > .calendar-grid--rule { color: $text-disabled; }
    CalendarGrid > .calendar-grid--off { color: $text-disabled; }
    CalendarGrid > .calendar-grid--closed { color: $text-warning; }
    CalendarGrid > .calendar-grid--visit { background: $panel; color: $text; }
    CalendarGrid > .calendar-grid--now { color: $text-error; text-style: bold; }
    CalendarGrid > .calendar-grid--cursor { text-style: reverse; }
    CalendarGrid:focus > .calendar-grid--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "calendar-grid--header", "calendar-grid--time", "calendar-grid--hour",
        "calendar-grid--rule", "calendar-grid--off", "calendar-grid--closed",
        "calendar-grid--visit", "calendar-grid--now", "calendar-grid--cursor",
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(-1)", "Earlier", id="grid.earlier", key_display="↑", group=ROWS,
                tooltip="Move the cursor 15 minutes earlier"),
        Binding("down", "move(1)", "Later", id="grid.later", key_display="↓", group=ROWS,
                tooltip="Move the cursor 15 minutes later"),
        Binding("pageup", "page(-1)", "Page up", id="grid.page_up", show=False,
                tooltip="Move the cursor a screenful earlier"),
        Binding("pagedown", "page(1)", "Page down", id="grid.page_down", show=False,
                tooltip="Move the cursor a screenful later"),
        Binding("n", "to_now", "Now", id="grid.now", show=False,
                tooltip="Move the cursor to the current time"),
        Binding("tab,right_square_bracket", "column(1)", "Provider", id="grid.next_provider",
                key_display="tab", tooltip="Move the cursor to the next provider (also ])"),
        Binding("shift+tab,left_square_bracket", "column(-1)", "Previous provider",
                id="grid.previous_provider", key_display="⇧tab", show=False,
                tooltip="Move the cursor to the previous provider (also [)"),
    ]

    class Highlighted(Message):
        """The cursor's cell, in words (empty when the grid has no columns)."""

        def __init__(self, description: str) -> None:
            super().__init__()
            self.description = description

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.grid: DayGrid | None = None
        self.now: datetime | None = None
        self.starts: tuple[datetime, ...] = ()
        self.cols: tuple[Column, ...] = ()
        self.table: tuple[tuple[Cell, ...], ...] = ()
        self.row = 0
        self.col = 0
        self._top = 0
        self._left = 0

    # ------------------------------------------------------------------ data down

    def show(self, grid: DayGrid | None, now: datetime) -> None:
        """Draw ``grid``; redraw only if it or the row of ``now`` changed. A new day or place
        puts the cursor on the current time (today) or the first working row."""
        same_place = (self.grid is not None and grid is not None
                      and (self.grid.day, self.grid.location.id) == (grid.day, grid.location.id))
        if grid == self.grid and self._now_row(now) == self._now_row(self.now):
            return
        self.grid, self.now = grid, now
        self.starts = row_starts(grid) if grid else ()
        self.cols = columns(grid) if grid else ()
        self.table = cells(grid, self.starts, self.cols) if grid else ()
        if not same_place:
            at_now = self._now_row(now)
            self.row = self._first_working_row() if at_now is None else at_now
            self._top = max(0, self.row - 2)
            self.col = self._left = 0
        self._settle()

    @property
    def now_index(self) -> int | None:
        return self._now_row(self.now)

    def _now_row(self, now: datetime | None) -> int | None:
        return now_row(self.starts, now) if now is not None else None

    def _first_working_row(self) -> int:
        rows = (i for i, row in enumerate(self.table) if any(c.kind is not Kind.OFF for c in row))
        return next(rows, 0)

    # ------------------------------------------------------------------ cursor

    def action_move(self, rows: int) -> None:
        self.row += rows
        self._settle()

    def action_page(self, pages: int) -> None:
        self.row += pages * max(1, self._body_height() - 1)
        self._settle()

    def action_to_now(self) -> None:
        index = self.now_index
        if index is not None:
            self.row = index
            self._settle()

    def action_column(self, step: int) -> None:
        if self.cols:
            self.col = (self.col + step) % len(self.cols)
            self._settle()

    def _settle(self) -> None:
        """Clamp the cursor, scroll to it, repaint and say what it is on."""
        self.row = max(0, min(self.row, len(self.starts) - 1))
        self.col = max(0, min(self.col, len(self.cols) - 1))
        shown, _ = fit_columns(self.size.width or 80, len(self.cols))
        self._left = scroll_to(self._left, self.col, shown, len(self.cols))
        self._top = scroll_to(self._top, self.row, self._body_height(), len(self.starts))
        self.refresh()
        self.post_message(self.Highlighted(self.description))

    @property
    def description(self) -> str:
        if self.grid is None or not self.cols or not self.starts:
            return ""
        cell = self.table[self.row][self.col]
        return describe(cell, self.cols[self.col], self.starts[self.row], self.grid)

    @property
    def visible_columns(self) -> range:
        shown, _ = fit_columns(self.size.width, len(self.cols))
        return range(self._left, min(len(self.cols), self._left + shown))

    def _body_height(self) -> int:
        return max(1, (self.size.height or 24) - 1)

    def on_resize(self) -> None:
        if self.grid is not None:
            self._settle()

    # ------------------------------------------------------------------ drawing

    def render(self) -> Text:
        if self.grid is None or not self.starts:
            return Text()
        style = self.get_component_rich_style
        _, width = fit_columns(self.size.width, len(self.cols))
        visible = self.visible_columns
        lines = [self._header(visible, width, style("calendar-grid--header"))]
        body = range(self._top, min(len(self.starts), self._top + self._body_height()))
        lines.extend(self._line(i, visible, width) for i in body)
        return Text("\n", no_wrap=True, overflow="crop").join(lines)

    def _header(self, visible: range, width: int, style: Style) -> Text:
        more_left = "◀" if visible.start > 0 else " "
        more_right = "▶" if visible.stop < len(self.cols) else " "
        line = Text(f"{more_left}{' ' * (GUTTER - 2)}{more_right}", style=style)
        for i in visible:
            name = person_text(self.cols[i].name, width - 1)
            line.append("│", style)
            line.append(f" {name}".ljust(width), style)
        return line

    def _line(self, index: int, visible: range, width: int) -> Text:
        style = self.get_component_rich_style
        start = self.starts[index]
        assert self.grid is not None
        local = start.astimezone(self.grid.zone)
        is_now = index == self.now_index and self.now is not None
        if is_now and self.now is not None:
            line = Text(f"{self.now.astimezone(self.grid.zone):%H:%M}▶",
                        style("calendar-grid--now"))
        else:
            kind = "calendar-grid--hour" if local.minute == 0 else "calendar-grid--time"
            line = Text(f"{local:%H:%M} ", style(kind))
        for c in visible:
            line.append("│", style("calendar-grid--rule"))
            line.append_text(self._cell(self.table[index][c], width, is_now,
                                        (index, c) == (self.row, self.col)))
        return line

    def _cell(self, cell: Cell, width: int, is_now: bool, is_cursor: bool) -> Text:
        style = self.get_component_rich_style
        if cell.kind is Kind.VISIT and cell.appt is not None:
            text = Text(cell_text(cell, width), style("calendar-grid--visit"))
            text.stylize(VISIT_COLOURS.get(cell.appt.visit_colour, "default"), 0, 1)
            if cell.line == 0 and STATUS_STYLES[cell.appt.status]:
                text.stylize(STATUS_STYLES[cell.appt.status], 1, 2)
        elif is_now:
            text = Text(NOW_FILL * width, style("calendar-grid--now"))
        else:
            kind = {Kind.OFF: "calendar-grid--off", Kind.CLOSED: "calendar-grid--closed"}
            text = Text(cell_text(cell, width), style(kind[cell.kind]) if cell.kind in kind
                        else Style())
        if is_cursor:
            text.stylize(style("calendar-grid--cursor"))
        return text
