"""One location's day drawn as a time grid: 15-minute rows, a column per provider.

The grid keeps a cursor cell and shows only the rows and columns that fit, scrolling to follow
the cursor; what the cursor is on goes up as a ``Highlighted`` message, in words.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.strip import Strip

from frontdesk.ui.calendar.cells import STATUS_STYLES, VISIT_COLOURS, person_text
from frontdesk.ui.calendar.day.layout import (
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
)
from frontdesk.ui.calendar.line_widget import LineWidget, scroll_to

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

    from frontdesk.services.calendar import DayGrid

ROWS = Binding.Group("Time", compact=True)


class CalendarGrid(LineWidget, can_focus=True):
    DEFAULT_CSS = """
    CalendarGrid { height: 1fr; }
    CalendarGrid > .calendar-grid--header { background: $panel; color: $text; text-style: bold; }
    CalendarGrid > .calendar-grid--time { color: $text-muted; }
    CalendarGrid > .calendar-grid--hour { color: $text; text-style: bold; }
    CalendarGrid > .calendar-grid--rule { color: $text-disabled; }
    CalendarGrid > .calendar-grid--off { color: $text-disabled; }
    CalendarGrid > .calendar-grid--closed { color: $text-warning; }
    CalendarGrid > .calendar-grid--visit { background: $panel; color: $text; }
    CalendarGrid > .calendar-grid--faint { color: $text-disabled; }
    CalendarGrid > .calendar-grid--now { color: $text-error; text-style: bold; }
    CalendarGrid > .calendar-grid--marked { color: $text-warning; text-style: bold; }
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
        "calendar-grid--visit", "calendar-grid--faint", "calendar-grid--now",
        "calendar-grid--cursor", "calendar-grid--marked",
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(-1)", "Earlier", id="grid.earlier", key_display="↑", group=ROWS,
                show=False, tooltip="Move the cursor 15 minutes earlier"),
        Binding("down", "move(1)", "Later", id="grid.later", key_display="↓", group=ROWS,
                show=False, tooltip="Move the cursor 15 minutes later"),
        Binding("shift+up,home", "page(-1)", "Page up", id="grid.page_up", show=False,
                tooltip="Move the cursor a screenful earlier"),
        Binding("shift+down,end", "page(1)", "Page down", id="grid.page_down", show=False,
                tooltip="Move the cursor a screenful later"),
        Binding("full_stop", "to_now", "Now", id="grid.now", show=False, key_display=".",
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
        self.only_code: str | None = None  # visit-type filter: other visits are drawn faint
        self.marks: dict[int, str] = {}  # visit id -> why it needs attention, in a word

    # ------------------------------------------------------------------ data down

    def show(self, grid: DayGrid | None, now: datetime, *, keep: bool = False,
             marks: Mapping[int, str] | None = None) -> None:
        """Draw ``grid``; redraw only if it, its ``marks`` (visit id -> why it needs
        attention) or the row of ``now`` changed. A new day or place puts the cursor on the
        current time (today) or the first working row — or, with ``keep``, on the same
        wall-clock time and provider when the new grid has them."""
        marks = dict(marks or {})
        same_place = (self.grid is not None and grid is not None
                      and (self.grid.day, self.grid.location.id) == (grid.day, grid.location.id))
        if (grid == self.grid and marks == self.marks
                and self._now_row(now) == self._now_row(self.now)):
            return
        kept = self._wall_position() if keep else None
        self.grid, self.now, self.marks = grid, now, marks
        self.starts = row_starts(grid) if grid else ()
        self.cols = columns(grid) if grid else ()
        self.table = cells(grid, self.starts, self.cols, marks) if grid else ()
        if not same_place:
            at_now = self._now_row(now)
            self.row = self._first_working_row() if at_now is None else at_now
            self._top = max(0, self.row - 2)
            self.col = self._left = 0
            if kept is not None and grid is not None:
                self._restore(*kept)
        self._settle()

    def _wall_position(self) -> tuple[str, int] | None:
        """The cursor as (local 'HH:MM', provider id), to find again on another day."""
        cell = self.cursor_cell
        if cell is None or self.grid is None:
            return None
        return f"{cell[2].astimezone(self.grid.zone):%H:%M}", cell[1].provider_id

    def _restore(self, wall: str, provider_id: int) -> None:
        assert self.grid is not None
        zone = self.grid.zone
        row = next((i for i, s in enumerate(self.starts) if f"{s.astimezone(zone):%H:%M}" == wall),
                   None)
        if row is not None:
            self.row = row
            self._top = max(0, row - 2)
        col = next((i for i, c in enumerate(self.cols) if c.provider_id == provider_id), None)
        if col is not None:
            self.col = col

    def only(self, code: str | None) -> None:
        """Draw visits of other types than ``code`` faint and without their colour bar."""
        if code != self.only_code:
            self.only_code = code
            self.refresh()

    @property
    def cursor_cell(self) -> tuple[Cell, Column, datetime] | None:
        """The cell under the cursor, its provider column and the row's start."""
        if self.grid is None or not self.cols or not self.starts:
            return None
        return self.table[self.row][self.col], self.cols[self.col], self.starts[self.row]

    def to_visit(self, appointment_id: int) -> bool:
        """Put the cursor on the first row of that visit; False when it is not drawn here."""
        for r, row in enumerate(self.table):
            for c, cell in enumerate(row):
                if cell.appt is not None and cell.appt.id == appointment_id:
                    self.row, self.col = r, c
                    self._settle()
                    return True
        return False

    def to_provider(self, provider_id: int) -> bool:
        """Put the cursor in ``provider_id``'s column; False when they have none here."""
        index = next((i for i, c in enumerate(self.cols) if c.provider_id == provider_id), None)
        if index is None:
            return False
        self.col = index
        self._settle()
        return True

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

    def render_line(self, y: int) -> Strip:
        """One line of the grid, as segments (the Line API: no Rich ``Text`` to convert, which
        was most of the cost of a repaint on a large terminal)."""
        width = self.size.width
        if self.grid is None or not self.starts:
            return self.blank()
        _, cell_width = fit_columns(width, len(self.cols))
        visible = self.visible_columns
        if y == 0:
            segments = self._header(visible, cell_width)
        else:
            index = self._top + y - 1
            if index >= len(self.starts):
                return self.blank()
            segments = self._line(index, visible, cell_width)
        return self.strip(segments)

    def _header(self, visible: range, width: int) -> list[Segment]:
        style = self.style("calendar-grid--header")
        more_left = "◀" if visible.start > 0 else " "
        more_right = "▶" if visible.stop < len(self.cols) else " "
        text = f"{more_left}{' ' * (GUTTER - 2)}{more_right}" + "".join(
            "│" + f" {person_text(self.cols[i].name, width - 1)}".ljust(width) for i in visible)
        return [Segment(text, style)]

    def _line(self, index: int, visible: range, width: int) -> list[Segment]:
        start = self.starts[index]
        assert self.grid is not None
        local = start.astimezone(self.grid.zone)
        is_now = index == self.now_index and self.now is not None
        if is_now and self.now is not None:
            segments = [Segment(f"{self.now.astimezone(self.grid.zone):%H:%M}▶",
                                self.style("calendar-grid--now"))]
        else:
            kind = "calendar-grid--hour" if local.minute == 0 else "calendar-grid--time"
            segments = [Segment(f"{local:%H:%M} ", self.style(kind))]
        rule = self.style("calendar-grid--rule")
        for c in visible:
            segments.append(Segment("│", rule))
            segments.extend(self._cell(self.table[index][c], width, is_now,
                                       (index, c) == (self.row, self.col)))
        return segments

    def _cell(self, cell: Cell, width: int, is_now: bool, is_cursor: bool) -> list[Segment]:
        cursor = self.style("calendar-grid--cursor") if is_cursor else None
        appt = cell.appt if cell.kind is Kind.VISIT else None
        if appt is not None and self.only_code not in (None, appt.visit_type_code):
            parts = [("·" + cell_text(cell, width)[1:], self.style("calendar-grid--faint"))]
        elif appt is not None:
            text, base = cell_text(cell, width), self.style("calendar-grid--visit")
            status = STATUS_STYLES[appt.status] if cell.line == 0 else ""
            bar = (self.style("calendar-grid--marked") if cell.mark
                   else _parsed(VISIT_COLOURS.get(appt.visit_colour, "default")))
            parts = [(text[0], base + bar)]
            if status:
                parts += [(text[1], base + _parsed(status)), (text[2:], base)]
            else:
                parts.append((text[1:], base))
        elif is_now:
            parts = [(NOW_FILL * width, self.style("calendar-grid--now"))]
        else:
            kind = {Kind.OFF: "calendar-grid--off", Kind.CLOSED: "calendar-grid--closed",
                    Kind.BUFFER: "calendar-grid--off"}
            plain = self.style(kind[cell.kind]) if cell.kind in kind else self.style()
            parts = [(cell_text(cell, width), plain)]
        return [Segment(text, style + cursor if cursor else style) for text, style in parts]


@lru_cache(maxsize=64)
def _parsed(definition: str) -> Style:
    return Style.parse(definition)
