"""Every number of the report opens: the section tables whose cells ask for the rows behind a
number (Enter), and the list of those rows (appointments, calls, callbacks, relief reports,
waitlist entries, waitlist offers) — the only place the report names patients."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import ScrollableContainer, Vertical
from textual.coordinate import Coordinate
from textual.geometry import Region
from textual.message import Message
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import DataTable, Static

from frontdesk.domain.text import printable

if TYPE_CHECKING:
    from frontdesk.services.report import DrillTable, Figure
    from frontdesk.ui.report.layout import Section


class FigureTable(DataTable[Text]):
    """A section's table. Enter on a number asks for the rows behind it.

    Only the focused table shows its highlighted cell, and that cell is scrolled into view
    when the table takes focus: what Enter opens is the one number highlighted on screen. An
    Enter while that cell is out of sight (the report was scrolled with the mouse) brings it
    back into view first and opens nothing."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "List", id="report.list",
                tooltip="List the rows behind this number (visits, calls, waitlist "
                        "entries, offers…)"),
    ]

    class Drill(Message):
        def __init__(self, figure: Figure) -> None:
            super().__init__()
            self.figure = figure

    def __init__(self, section: Section) -> None:
        super().__init__(id=f"report-{section.key}", cursor_type="cell", zebra_stripes=True,
                         classes="report-table", show_cursor=False)
        self.section = section
        self._fill()

    def on_focus(self) -> None:
        self.show_cursor = True
        self.call_after_refresh(self.cursor_into_view, top=True)

    def on_blur(self) -> None:
        self.show_cursor = False

    def cursor_on_screen(self) -> bool:
        """Whether the highlighted cell is inside the report's visible part."""
        body = self._body()
        if body is None:
            return True
        cell = self._cursor_in(body)
        return body.scroll_y <= cell.y and cell.bottom <= body.scroll_y + body.content_size.height

    def cursor_into_view(self, *, top: bool = False) -> None:
        """Scroll the report (not only this table) so the highlighted cell shows, with the
        section's heading above it (or at least the table's header) when they fit; ``top``
        (the table just took focus): that at the top of the report's view."""
        body = self._body()
        if body is None or not self.has_focus:
            return
        cell = self._cursor_in(body)
        for above in (self.parent, self):
            if isinstance(above, Widget):
                start = _in(body, above, Region(0, 0, 1, 1)).y
                if cell.bottom - start <= body.content_size.height:
                    cell = Region(cell.x, start, cell.width, cell.bottom - start)
                    break
        seen = body.scroll_y <= cell.y and cell.bottom <= body.scroll_y + body.content_size.height
        if not seen:
            body.scroll_to_region(cell, animate=False, immediate=True, force=True, top=top)

    def action_select_cursor(self) -> None:
        if not self.cursor_on_screen():
            self.cursor_into_view()
            return
        super().action_select_cursor()

    def _cursor_in(self, body: Widget) -> Region:
        """The highlighted cell's row in ``body``'s scrollable space (rows are one line)."""
        y = self.header_height + self.cursor_coordinate.row - round(self.scroll_y)
        return _in(body, self, Region(0, y, max(1, self.size.width), 1))

    def _body(self) -> ScrollableContainer | None:
        return next((a for a in self.ancestors if isinstance(a, ScrollableContainer)), None)

    def watch_cursor_coordinate(self, old: Coordinate, new: Coordinate) -> None:
        super().watch_cursor_coordinate(old, new)
        self.cursor_into_view()

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


def _in(body: Widget, widget: Widget, region: Region) -> Region:
    """``region`` of ``widget`` in the scrollable space of ``body``, an ancestor of it."""
    node: Widget | None = widget
    while node is not None and node is not body:
        region = region.translate(node.virtual_region.offset)
        parent = node.parent
        node = parent if isinstance(parent, Widget) else None
    return region


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
            yield Static(f"{printable(self.table.title)} · {count} row{'' if count == 1 else 's'}",
                         id="drill-title", markup=False)
            yield DataTable(id="drill-rows", cursor_type="row", zebra_stripes=True)
            yield Static("Esc: back to the report", id="drill-help", markup=False)

    def on_mount(self) -> None:
        rows = self.query_one("#drill-rows", DataTable)
        rows.add_columns(*self.table.headers)
        # free text (a call-back note, a name typed long ago) never reaches the terminal raw
        rows.add_rows([tuple(Text(printable(c), no_wrap=True) for c in row)
                       for row in self.table.rows])
        rows.focus()
