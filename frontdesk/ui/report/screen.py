"""The manager's daily report: how the day went and what needs attention, one section per
question, every number drillable (Enter) to the appointments or calls behind it.

Patient names appear only in a drill-down list, never on the summary.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.events import Resize
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from frontdesk.domain.permissions import Permission
from frontdesk.services.errors import FrontDeskError
from frontdesk.ui.report.drill import DrillScreen, FigureTable
from frontdesk.ui.text import format_day
from frontdesk.ui.widgets.back import name_the_way_back
from frontdesk.ui.widgets.footer import KeyFooter
from frontdesk.ui.widgets.title import TitleRow

if TYPE_CHECKING:
    from frontdesk.services.report import DailyReport, DrillTable, Figure
    from frontdesk.services.views import LocationView
    from frontdesk.ui.backend.door import Backend
    from frontdesk.ui.report.layout import Section

DAY = Binding.Group("Day", compact=True)
WIDE = 140  # columns from which the sections sit two by two
EXPORT_FORMATS = (("csv", "CSV, for a spreadsheet"), ("html", "HTML page, to print or email"),
                  ("json", "JSON"), ("text", "Plain text"))


def plain(error: BaseException | None) -> str:
    """What to tell the person: our own errors say what to do (a role that may not read the
    report, an unknown location); anything else is only "the database did not answer", never
    a driver's text."""
    return str(error) if isinstance(error, FrontDeskError) else "the database did not answer"


class ReportScreen(Screen[None]):
    """From WIDE columns the sections sit in two columns, one under another below."""

    PLACE_NAME = "Report"
    FOOTER_ORDER = ("report.previous_day", "report.location", "report.export", "report.audit",
                    "report.go_to", "report.today", "report.back")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,backspace", "back", "Back", id="report.back", key_display="esc",
                tooltip="Back to where you were"),
        Binding("[", "shift_day(-1)", "Previous day", id="report.previous_day", group=DAY,
                tooltip="The day before"),
        Binding("]", "shift_day(1)", "Next day", id="report.next_day", group=DAY,
                tooltip="The day after"),
        Binding("t", "today", "Today", id="report.today", tooltip="Back to today"),
        Binding("g", "go_to", "Go to", id="report.go_to",
                tooltip="Go to a date typed in everyday words"),
        Binding("l", "pick_location", "Location", id="report.location",
                tooltip="One location, or all of them"),
        Binding("e", "export", "Export", id="report.export",
                tooltip="Write the report to a file only you can read"),
        Binding("r", "refresh", "Refresh", id="report.refresh", show=False,
                tooltip="Read the day again"),
        Binding("a", "audit_log", "Audit log", id="report.audit",
                tooltip="Who did what and when, filtered by date, person, patient and action"),
    ]

    def __init__(self, backend: Backend, *, day: date | None = None,
                 location: str | None = None) -> None:
        super().__init__()
        self.backend = backend
        self.today = backend.today()
        self.day = day or self.today
        self.location = location
        self.report: DailyReport | None = None
        self.places: tuple[LocationView, ...] = ()
        self._focused: str | None = None
        self._wide = False

    def compose(self) -> ComposeResult:
        yield TitleRow(title_id="report-title")
        yield VerticalScroll(Static("Reading the day…", id="report-loading", markup=False),
                             id="report-body", can_focus=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        name_the_way_back(self, "report.back")
        self._show_title()
        self._load(self.day, self.location)

    def _show_title(self) -> None:
        place = self.location or "All locations"
        when = {self.today: " (today)", self.today - timedelta(days=1): " (yesterday)"}.get(
            self.day, "")
        note = "" if self.report is None else (
            f" · as of {self.report.as_of.astimezone(self.report.zone):%H:%M}"
            if self.day == self.today else "")
        self.query_one("#report-title", Static).update(
            f"Daily report · {format_day(self.day)}{when} · {place}{note}")

    # -- loading

    @work(thread=True, exclusive=True, group="report-load", exit_on_error=False)
    def _load(self, day: date, location: str | None
              ) -> tuple[DailyReport, tuple[LocationView, ...]]:
        return self.backend.daily_report(day, location), self.backend.locations()

    @on(Worker.StateChanged)
    def _loaded(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "report-drill":
            self._drilled(event)
            return
        if event.worker.group == "report-export":
            self._exported(event)
            return
        if event.worker.group != "report-load":
            return
        if event.state == WorkerState.ERROR:
            self._say(f"The report could not be read: {plain(event.worker.error)}. Press r "
                      "to try again.")
            return
        if event.state != WorkerState.SUCCESS or event.worker.result is None:
            return
        report, self.places = event.worker.result
        if report.day != self.day:
            return  # the person moved on meanwhile
        self.report = report
        self._show_title()
        self.call_later(self._draw, report)

    def _say(self, text: str) -> None:
        body = self.query_one("#report-body", VerticalScroll)
        body.remove_children()
        body.mount(Static(text, id="report-loading", markup=False))

    async def _draw(self, report: DailyReport) -> None:
        """One column of sections; from WIDE columns two, side by side (what happened on the
        left, what to act on at the right)."""
        from frontdesk.ui.report.layout import RIGHT_SIDE, sections

        focused = self.focused.id if isinstance(self.focused, FigureTable) else self._focused
        body = self.query_one("#report-body", VerticalScroll)
        scroll = body.scroll_y
        self._wide = self.size.width >= WIDE
        boxes = [self._box(section) for section in sections(report)]
        widgets: list[Widget] = list(boxes)
        if self._wide:
            left = Vertical(classes="report-column", id="report-left")
            right = Vertical(classes="report-column", id="report-right")
            for box in boxes:
                column = right if box.id and box.id.removeprefix("report-box-") in RIGHT_SIDE \
                    else left
                column.compose_add_child(box)
            widgets = [Horizontal(left, right, id="report-columns")]
        async with body.batch():
            await body.remove_children()
            await body.mount_all(widgets)
        body.scroll_to(y=scroll, animate=False)
        tables = list(self.query(FigureTable))
        target = next((t for t in tables if t.id == focused), tables[0] if tables else None)
        if target is not None:
            target.focus(scroll_visible=False)

    def _box(self, section: Section) -> Vertical:
        box = Vertical(classes="report-section", id=f"report-box-{section.key}")
        box.compose_add_child(Static(section.title, classes="report-heading", markup=False))
        if section.note:
            box.compose_add_child(Static(section.note, classes="report-note", markup=False))
        if section.rows:
            box.compose_add_child(FigureTable(section))
        else:
            box.compose_add_child(Static(section.empty, classes="report-empty", markup=False))
        return box

    def on_resize(self, event: Resize) -> None:
        if self.report is not None and (event.size.width >= WIDE) != self._wide:
            self.call_later(self._draw, self.report)

    def scroll_to_center(self, widget: Widget, animate: bool = True, **options: Any) -> None:
        """Textual centres a table that takes focus; the report shows that table's section
        and its highlighted cell instead (:meth:`FigureTable.cursor_into_view`)."""
        if isinstance(widget, FigureTable):
            widget.cursor_into_view(top=True)
            return
        super().scroll_to_center(widget, animate, **options)

    # -- drill-down

    @on(FigureTable.Drill)
    def _drill(self, event: FigureTable.Drill) -> None:
        if isinstance(self.focused, FigureTable):
            self._focused = self.focused.id
        self._fetch_drill(event.figure)

    @work(thread=True, exclusive=True, group="report-drill", exit_on_error=False)
    def _fetch_drill(self, figure: Figure) -> DrillTable:
        return self.backend.drill(figure)

    def _drilled(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.notify(f"That list could not be read: {plain(event.worker.error)}.",
                        severity="error", markup=False)
        elif event.state == WorkerState.SUCCESS and event.worker.result is not None:
            self.app.push_screen(DrillScreen(event.worker.result))

    # -- keys

    def action_back(self) -> None:
        self.dismiss(None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The audit log key shows greyed out to a role that may not read the log."""
        if action == "audit_log":
            return True if self.backend.may(Permission.AUDIT) else None
        return True

    def action_audit_log(self) -> None:
        from frontdesk.ui.report.audit import AuditScreen

        self.app.push_screen(AuditScreen(self.backend))

    def action_shift_day(self, days: int) -> None:
        self._go(self.day + timedelta(days=days))

    def action_today(self) -> None:
        self._go(self.today)

    def action_refresh(self) -> None:
        self._go(self.day)

    def _go(self, day: date) -> None:
        self.day = day
        self.report = None
        self._show_title()
        self._load(day, self.location)

    def action_go_to(self) -> None:
        from frontdesk.ui.widgets.go_to import GoToDialog

        def chosen(day: date | None) -> None:
            if day is not None:
                self._go(day)

        self.app.push_screen(GoToDialog(today=self.today), chosen)

    def action_pick_location(self) -> None:
        from frontdesk.ui.widgets.pickers import Picked, Picker

        places = self.places
        current = next((p.id for p in places if p.name == self.location), None)

        def chosen(picked: Picked | None) -> None:
            if picked is None:
                return
            self.location = next((p.name for p in places if p.id == picked.id), None)
            self._go(self.day)

        self.app.push_screen(Picker([(p.id, p.name) for p in places], current,
                                    title="Report for which location?",
                                    everything="All locations"), chosen)

    def action_export(self) -> None:
        from frontdesk.ui.widgets.pickers import Picked, Picker

        report = self.report
        if report is None:
            self.notify("The report is still being read.", timeout=3)
            return

        def chosen(picked: Picked | None) -> None:
            if picked is not None and picked.id is not None:
                self._export(report, EXPORT_FORMATS[picked.id][0])

        self.app.push_screen(Picker([(n, label) for n, (_, label) in enumerate(EXPORT_FORMATS)],
                                    0, title="Export the report as"), chosen)

    @work(thread=True, exclusive=True, group="report-export", exit_on_error=False)
    def _export(self, report: DailyReport, kind: str) -> str:
        return str(self.backend.export_report(report, kind))

    def _exported(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.notify(f"Could not write the file: {event.worker.error}", severity="error",
                        markup=False)
        elif event.state == WorkerState.SUCCESS:
            self.notify(written_words(str(event.worker.result)), timeout=10, markup=False)


def written_words(path: str) -> str:
    """Where an export went, for a narrow toast: the file's name on a line of its own (a
    toast folds a long line anywhere, the name included), then its folder (~ for home)."""
    from pathlib import Path

    target = Path(path)
    folder = str(target.parent)
    home = str(Path.home())
    if folder == home or folder.startswith(home + "/"):
        folder = "~" + folder[len(home):]
    return f"Written (readable by you only):\n{target.name}\nin {folder}"
