"""The audit log for a manager: who did what and when, newest first, filtered by date, person,
patient and action. Opened with ``a`` from the daily report. The lines name records by id and
never a patient (the service writes them that way).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, ClassVar
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static
from textual.worker import Worker, WorkerState

from frontdesk.domain.dates import DateWordsError, parse_date_words
from frontdesk.ui.text import format_day
from frontdesk.ui.widgets.footer import KeyFooter
from frontdesk.ui.widgets.title import TitleRow

if TYPE_CHECKING:
    from frontdesk.services.audit import AuditLine
    from frontdesk.ui.backend.door import Backend

DEFAULT_DAYS = 7


class AuditScreen(Screen[None]):
    REPORT_KEY_OFF: ClassVar[bool] = True  # F4 is not offered over this screen
    PLACE_NAME = "Audit log"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="audit.back", tooltip="Back to the report"),
        Binding("ctrl+r", "refresh", "Refresh", id="audit.refresh",
                tooltip="Read the log again with these filters"),
    ]

    def __init__(self, backend: Backend) -> None:
        super().__init__()
        self.backend = backend
        self.today = backend.today()
        self.lines: tuple[AuditLine, ...] = ()

    def compose(self) -> ComposeResult:
        yield TitleRow("Audit log · newest first · Enter in a field applies the filters",
                       title_id="audit-title")
        with Horizontal(id="audit-filters"):
            yield Input(placeholder=f"Since ({DEFAULT_DAYS} days ago)", id="audit-since",
                        compact=True)
            yield Input(placeholder="Person", id="audit-staff", compact=True)
            yield Input(placeholder="Patient id", id="audit-patient", compact=True,
                        type="integer")
            yield Input(placeholder="Action (payer.)", id="audit-action", compact=True)
        yield Static("", id="audit-error", markup=False)
        yield Static("", id="audit-summary", markup=False)
        yield DataTable(id="audit-rows", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#audit-error").display = False
        self.query_one("#audit-rows", DataTable).add_columns("When", "Who", "Action", "What")
        self.query_one("#audit-since", Input).focus()
        self._apply()

    def action_back(self) -> None:
        self.dismiss(None)

    def action_refresh(self) -> None:
        self._apply()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._apply()

    def _apply(self) -> None:
        """Read the filters; a bad one is named under the fields and nothing is read."""
        text = self.query_one("#audit-since", Input).value
        try:
            since = (parse_date_words(text, today=self.today) if text.strip()
                     else self.today - timedelta(days=DEFAULT_DAYS))
        except DateWordsError as exc:
            self._say(f"Since: {exc}.")
            return
        staff = self.query_one("#audit-staff", Input).value.strip().lower() or None
        patient = self.query_one("#audit-patient", Input).value.strip()
        action = self.query_one("#audit-action", Input).value.strip() or None
        self.query_one("#audit-error").display = False
        self._read(since, staff, int(patient) if patient else None, action)

    @work(thread=True, exclusive=True, group="audit-read", exit_on_error=False)
    def _read(self, since: date, staff: str | None, patient_id: int | None,
              action: str | None) -> tuple[date, list[AuditLine]]:
        return since, self.backend.audit(since, staff=staff, patient_id=patient_id,
                                         action=action)

    @on(Worker.StateChanged)
    def _loaded(self, event: Worker.StateChanged) -> None:
        from frontdesk.services.errors import FrontDeskError

        if event.worker.group != "audit-read":
            return
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            self._say(f"{error}." if isinstance(error, FrontDeskError)
                      else "The log could not be read; press ctrl+r to try again.")
            return
        if event.state != WorkerState.SUCCESS or event.worker.result is None:
            return
        since, lines = event.worker.result
        self.lines = tuple(lines)
        rows = self.query_one("#audit-rows", DataTable)
        rows.clear()
        rows.add_rows([
            (Text(f"{line.at.astimezone(self.backend_zone):%a %d %b %H:%M}", no_wrap=True),
             Text(line.staff or "system", no_wrap=True), Text(line.action, no_wrap=True),
             Text(line.summary, no_wrap=True))
            for line in lines])
        count = len(lines)
        self.query_one("#audit-summary", Static).update(
            f"{count} event{'' if count == 1 else 's'} since {format_day(since)}"
            + (" (the newest only: narrow the filters for older ones)"
               if count >= self.backend.AUDIT_LIMIT else ""))

    @property
    def backend_zone(self) -> ZoneInfo:
        return ZoneInfo(self.backend.zone)

    def _say(self, text: str) -> None:
        note = self.query_one("#audit-error", Static)
        note.update(text[:1].upper() + text[1:])
        note.display = True
