"""A compact table of one day's appointments, planned to fit the terminal's width."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.text import Text
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey

from frontdesk.services.views import AppointmentView
from frontdesk.ui.calendar.board.layout import Column, cell_text
from frontdesk.ui.calendar.cells import STATUS_STYLES, SWATCH, VISIT_COLOURS
from frontdesk.ui.text import INACTIVE


class DayTable(DataTable[Text]):
    """Rows keyed by appointment id; the cursor stays on its appointment across refreshes."""

    _columns: tuple[Column, ...] = ()

    def show(self, rows: Sequence[AppointmentView], columns: tuple[Column, ...]) -> None:
        """Replace the rows (and the columns when the plan changed)."""
        keep = self._cursor_key()
        row_index = self.cursor_row
        if columns != self._columns:
            self.clear(columns=True)
            for column in columns:
                self.add_column(Text(column.label), width=column.width, key=column.key)
            self._columns = columns
        else:
            self.clear()
        previous: AppointmentView | None = None
        for appt in rows:
            cells = [self._cell(appt, c) for c in columns]
            if previous is not None and previous.location_id == appt.location_id:
                for column, cell in zip(columns, cells, strict=True):
                    if column.key == "location":
                        cell.stylize("dim")  # the group's first row names it clearly
            self.add_row(*cells, key=str(appt.id))
            previous = appt
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

    @property
    def selected_id(self) -> int | None:
        key = self._cursor_key()
        return int(key) if key is not None else None

    def _cursor_key(self) -> str | None:
        if not self.row_count:
            return None
        return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value

    @staticmethod
    def _cell(appt: AppointmentView, column: Column) -> Text:
        text = Text(cell_text(appt, column), no_wrap=True, overflow="ellipsis")
        if column.key == "visit":
            swatch = VISIT_COLOURS.get(appt.visit_colour, "default")
            text = Text.assemble((SWATCH, swatch), text, no_wrap=True)
        elif column.key == "status":
            text.stylize(STATUS_STYLES[appt.status])
        if appt.status in INACTIVE:
            text.stylize("dim")
        return text
