"""A compact table of one day's appointments, planned to fit the terminal's width."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey

from frontdesk.services.views import AppointmentView
from frontdesk.ui.calendar.board.layout import Column, cell_text, marked_status
from frontdesk.ui.calendar.cells import STATUS_STYLES, SWATCH, VISIT_COLOURS
from frontdesk.ui.text import INACTIVE, status_text

Cells = list[list[Text]]
MARKED_STYLE = "bold reverse yellow"  # '! time off': seen at a glance, in 16 colours too


class DayTable(DataTable[Text]):
    """Rows keyed by appointment id; the cursor stays on its appointment across refreshes."""

    _columns: tuple[Column, ...] = ()

    def show(self, rows: Sequence[AppointmentView], columns: tuple[Column, ...],
             cells: Cells | None = None, marks: Mapping[int, str] | None = None) -> None:
        """Replace the rows (and the columns when the plan changed); ``cells``: theirs, made
        beforehand by ``row_cells``; ``marks`` as there."""
        keep = self._cursor_key()
        row_index = self.cursor_row
        if columns != self._columns:
            self.clear(columns=True)
            for column in columns:
                self.add_column(Text(column.label), width=column.width, key=column.key)
            self._columns = columns
        else:
            self.clear()
        made = row_cells(rows, columns, marks) if cells is None else cells
        for appt, row in zip(rows, made, strict=True):
            self.add_row(*row, key=str(appt.id))
        if not rows:
            return
        keys = [str(a.id) for a in rows]
        target = keys.index(keep) if keep in keys else min(row_index, len(rows) - 1)
        self.move_cursor(row=target, animate=False, scroll=True)

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        """Every column has its planned width and every row one line, without labels: there
        is nothing to measure in the new rows (``DataTable`` would measure every cell of every
        row, shown or not, on each new day). The table's size is still worked out."""
        super()._update_dimensions(())

    def _render_cell(self, row_index: int, column_index: int, base_style: Style, width: int,
                     cursor: bool = False, hover: bool = False) -> list[list[Segment]]:
        """A row's cell as ``DataTable`` draws it, without its generic layers: the text is
        drawn once at the cell's inner width, and the padding and the table's styles are put
        around it directly (what ``Styled(Padding(cell))`` drawn at the full width comes to for
        a one-line cell). The header goes the usual way."""
        row_key = self._row_locations.get_key(row_index)
        column_key = self._column_locations.get_key(column_index)
        if row_key is None or column_key is None:  # the header (or no such cell)
            return super()._render_cell(row_index, column_index, base_style, width, cursor,
                                        hover)
        key = (row_key, column_key, base_style, cursor, hover, self._show_hover_cursor,
               self._update_count, self._pseudo_class_state)
        cache = self._cell_render_cache
        if key in cache:
            return cache[key]
        cell = self._get_row_renderables(row_index).cells[column_index]
        fixed = row_index < self.fixed_rows or column_index < self.fixed_columns
        component_style, post_style = self._get_styles_to_render_cell(
            False, False, fixed, hover, cursor, self.show_cursor, self._show_hover_cursor,
            self.cursor_foreground_priority == "css", self.cursor_background_priority == "css")
        pre_style = base_style + Style.from_meta({"row": row_index, "column": column_index})
        pre_style += component_style
        console = self.app.console
        padding = self.cell_padding
        room = width - 2 * padding
        if isinstance(cell, Text) and _one_line_within(cell.plain, room):
            inner = list(cell.render(console))  # the line as it is, padded to the cell below
            if (short := room - cell_len(cell.plain)) > 0:
                inner.append(Segment(" " * short, Style.null()))
        else:
            inner = console.render_lines(
                cell, self.app.console_options.update(width=room, height=1, no_wrap=True),
                style=Style.null(), pad=True)[0]
        edge = [Segment(" " * padding, Style.null())] if padding else []
        line = list(Segment.apply_style([*edge, *inner, *edge], pre_style, post_style))
        cache[key] = lines = [line]
        return lines

    @property
    def selected_id(self) -> int | None:
        key = self._cursor_key()
        return int(key) if key is not None else None

    def _cursor_key(self) -> str | None:
        if not self.row_count:
            return None
        return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value

    @staticmethod
    def _cell(appt: AppointmentView, column: Column, mark: str = "") -> Text:
        text = Text(cell_text(appt, column, mark), no_wrap=True, overflow="ellipsis")
        if column.key == "visit":
            swatch = VISIT_COLOURS.get(appt.visit_colour, "default")
            text = Text.assemble((SWATCH, swatch), text, no_wrap=True)
        elif column.key == "status":
            text.stylize(STATUS_STYLES[appt.status])
            if mark:  # the mark and its word stand out; the status keeps its colour
                text.stylize(MARKED_STYLE, 0, len(marked_status(appt, mark))
                             - len(status_text(appt.status)))
        if appt.status in INACTIVE:
            text.stylize("dim")
        return text


def _one_line_within(plain: str, width: int) -> bool:
    """Drawn as it is: no line break or tab to expand, nothing to cut."""
    return "\n" not in plain and "\t" not in plain and cell_len(plain) <= width


def row_cells(rows: Sequence[AppointmentView], columns: tuple[Column, ...],
              marks: Mapping[int, str] | None = None) -> Cells:
    """The table's cells for ``rows``: plain Rich texts, made anywhere (a worker's thread too).
    ``marks``: visit id -> why it needs attention, in a word."""
    marks = marks or {}
    made: Cells = []
    previous: AppointmentView | None = None
    for appt in rows:
        cells = [DayTable._cell(appt, c, marks.get(appt.id, "")) for c in columns]
        if previous is not None and previous.location_id == appt.location_id:
            for column, cell in zip(columns, cells, strict=True):
                if column.key == "location":
                    cell.stylize("dim")  # the group's first row names it clearly
        made.append(cells)
        previous = appt
    return made
