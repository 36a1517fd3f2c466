"""Every number of the report opens: the section tables whose cells ask for the rows behind a
number (Enter), and the list of those appointments or calls — the only place the report names
patients."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.coordinate import Coordinate
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

if TYPE_CHECKING:
    from frontdesk.services.report import DrillTable, Figure
    from frontdesk.ui.report.layout import Section


class FigureTable(DataTable[Text]):
    """A section's table. Enter on a number asks for the rows behind it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "List", id="report.list",
                tooltip="List the appointments or calls behind this number"),
    ]

    class Drill(Message):
        def __init__(self, figure: Figure) -> None:
            super().__init__()
            self.figure = figure

    def __init__(self, section: Section) -> None:
        super().__init__(id=f"report-{section.key}", cursor_type="cell", zebra_stripes=True,
                         classes="report-table")
        self.section = section
        self._fill()

    def _fill(self) -> None:
        """Rows go in before the table is mounted, so its height is known at first layout."""
        rows = self.section.rows
        numeric = [bool(rows) and all(len(r) > n and r[n].numeric for r in rows)
                   for n in range(len(self.section.headings))]
        self.add_columns(*(Text(h, justify="right" if right else "left")
                           for h, right in zip(self.section.headings, numeric, strict=True)))
        for row in rows:
            self.add_row(*(Text(c.text, justify="right" if c.numeric else "left",
                                style="bold" if c.bold else "", no_wrap=True) for c in row))

    def figure_at(self, where: Coordinate) -> Figure | None:
        if not 0 <= where.row < len(self.section.rows):
            return None
        row = self.section.rows[where.row]
        return row[where.column].figure if where.column < len(row) else None

    @on(DataTable.CellSelected)
    def _selected(self, event: DataTable.CellSelected) -> None:
        event.stop()
        figure = self.figure_at(event.coordinate)
        if figure is None:
            self.notify("No list behind this cell: pick a number.", timeout=3)
        elif figure.n == 0:
            self.notify("Nothing behind this number: it is zero.", timeout=3)
        else:
            self.post_message(self.Drill(figure))


class DrillScreen(ModalScreen[None]):
    """The rows behind one number, with patient names; Esc goes back to the report."""

    REPORT_KEY_OFF: ClassVar[bool] = True  # F4 is not offered over this screen
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,backspace", "dismiss(None)", "Back", id="drill.back",
                key_display="esc", tooltip="Back to the report"),
    ]

    def __init__(self, table: DrillTable) -> None:
        super().__init__()
        self.table = table

    def compose(self) -> ComposeResult:
        count = len(self.table.rows)
        with Vertical(id="drill"):
            yield Static(f"{self.table.title} · {count} row{'' if count == 1 else 's'}",
                         id="drill-title", markup=False)
            yield DataTable(id="drill-rows", cursor_type="row", zebra_stripes=True)
            yield Static("Esc: back to the report", id="drill-help", markup=False)

    def on_mount(self) -> None:
        rows = self.query_one("#drill-rows", DataTable)
        rows.add_columns(*self.table.headers)
        rows.add_rows([tuple(Text(c, no_wrap=True) for c in row) for row in self.table.rows])
        rows.focus()
