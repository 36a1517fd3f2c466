"""The reminders outbox of one day and its delivery log: when each reminder is due, on which
channel, for which visit time, where it stands, how many tries and the last error. Read-only
for the desk; a manager can re-queue a failed or unsure one (``r``, asked first: an unsure one
may have gone out already). No message text and no patient: the visit's appointment id.

``RemindersScreen(backend)`` with the app's backend; it reads in a worker when shown, when the
person comes back to it and every ``REFRESH_SECONDS``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, ClassVar
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Static
from textual.worker import Worker, WorkerState

from frontdesk.ui.backend.reminders import RemindersDoor
from frontdesk.ui.widgets.footer import KeyFooter

if TYPE_CHECKING:
    from frontdesk.services.worklists.reminders import DayOutbox, ReminderRow
    from frontdesk.ui.backend.core import BackendCore

REFRESH_SECONDS = 30.0
REQUEUABLE = ("failed", "unsure")
OUTBOX_COLUMNS = (("Due", 5), ("Chan", 5), ("Visit", 9), ("Appt", 6), ("Status", 8),
                  ("Tries", 5), ("Last error", 22))
LOG_COLUMNS = (("At", 5), ("Id", 5), ("Chan", 5), ("Outcome", 8), ("Detail", 45))


class RequeueDialog(ModalScreen[bool]):
    """Y re-queues, Esc or N backs out."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "dismiss(True)", "Re-queue", id="reminders.requeue.yes",
                tooltip="Send this reminder again at the sender's next pass"),
        Binding("escape,n", "dismiss(False)", "Back", id="reminders.requeue.no",
                key_display="esc", tooltip="Back out; nothing is written"),
    ]

    def __init__(self, row: ReminderRow) -> None:
        super().__init__()
        self.row = row

    def compose(self) -> ComposeResult:
        lines = [f"Re-queue reminder {self.row.id} ({self.row.channel}, visit "
                 f"{self.row.appointment_id})?"]
        if self.row.status == "unsure":
            lines.append("It may have gone out already: the patient may get it twice.")
        else:
            lines.append(f"It failed: {self.row.last_error or 'no reason given'}.")
        lines.append("Y re-queues · Esc backs out, nothing written")
        with Vertical(id="requeue"):
            for line in lines:
                yield Static(line, markup=False)


class RemindersScreen(Screen[None]):
    """The day's outbox (top) and delivery log (bottom); ``[`` and ``]`` change the day."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "requeue", "Re-queue", id="reminders.requeue",
                tooltip="Send the highlighted failed or unsure reminder again (a manager; "
                        "asks first)"),
        Binding("[", "day(-1)", "Prev day", id="reminders.previous_day",
                tooltip="The day before"),
        Binding("]", "day(1)", "Next day", id="reminders.next_day", tooltip="The day after"),
        Binding("t", "today", "Today", id="reminders.today", tooltip="Back to today"),
        Binding("escape,backspace", "back", "Back", id="reminders.back", key_display="esc",
                tooltip="Back to where the list was opened from"),
    ]

    def __init__(self, backend: BackendCore, *, day: date | None = None) -> None:
        super().__init__()
        self.door = RemindersDoor.of(backend)
        self.day = day or backend.today()
        self.outbox: DayOutbox | None = None

    def compose(self) -> ComposeResult:
        yield Static("Reminders", id="reminders-title", markup=False)
        yield Static("Loading…", id="reminders-summary", markup=False)
        yield DataTable(id="reminders-outbox", cursor_type="row", zebra_stripes=True)
        yield Static("Delivery log", id="reminders-log-title", markup=False)
        yield DataTable(id="reminders-log", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        for table_id, columns in (("#reminders-outbox", OUTBOX_COLUMNS),
                                  ("#reminders-log", LOG_COLUMNS)):
            table: DataTable[Text] = self.query_one(table_id, DataTable)
            for label, width in columns:
                table.add_column(Text(label), width=width)
        self.query_one("#reminders-outbox").focus()
        self.set_interval(REFRESH_SECONDS, self.reload, name="reminders-poll")

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self) -> None:
        self._read(self.day)

    @work(thread=True, exclusive=True, group="reminders", exit_on_error=False)
    def _read(self, day: date) -> tuple[date, DayOutbox]:
        return day, self.door.day_outbox(day)

    @on(Worker.StateChanged)
    def _read_done(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "reminders":
            return
        note = self.query_one("#reminders-summary", Static)
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            reason = str(error).splitlines()[0][:120] if error else "unknown error"
            note.update(f"Could not read the outbox ({reason}). It is read again every "
                        f"{REFRESH_SECONDS:.0f} s.")
            note.add_class("-error")
        elif event.state == WorkerState.SUCCESS and event.worker.result is not None:
            day, outbox = event.worker.result
            if day == self.day:
                note.remove_class("-error")
                self.outbox = outbox
                self._paint(outbox)

    def _paint(self, outbox: DayOutbox) -> None:
        zone = ZoneInfo(outbox.zone)
        self.query_one("#reminders-title", Static).update(
            f"Reminders · due {outbox.day:%a %b} {outbox.day.day} {outbox.day.year}")
        counts = outbox.counts
        said = ", ".join(f"{n} {s}" for s, n in counts.items() if n) or "none due"
        self.query_one("#reminders-summary", Static).update(
            f"{said}" + ("" if self.door.may_requeue() else " · read-only"))
        table: DataTable[Text] = self.query_one("#reminders-outbox", DataTable)
        keep = table.cursor_row
        table.clear()
        for row in outbox.rows:
            cells = (_hm(row.due_at, zone), row.channel,
                     f"{row.visit_starts_at.astimezone(zone):%a %H:%M}", str(row.appointment_id),
                     row.status, str(row.attempts), row.last_error)
            table.add_row(*(Text(c, no_wrap=True, overflow="ellipsis") for c in cells),
                          key=str(row.id))
        if outbox.rows:
            table.move_cursor(row=min(keep, len(outbox.rows) - 1), animate=False)
        log: DataTable[Text] = self.query_one("#reminders-log", DataTable)
        log.clear()
        for line in outbox.log:
            logged = (_hm(line.at, zone), str(line.reminder_id), line.channel, line.outcome,
                    line.detail)
            log.add_row(*(Text(c, no_wrap=True, overflow="ellipsis") for c in logged))
        if outbox.log:
            log.move_cursor(row=len(outbox.log) - 1, animate=False)
        self.refresh_bindings()

    @property
    def selected(self) -> ReminderRow | None:
        table = self.query_one("#reminders-outbox", DataTable)
        if self.outbox is None or not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((r for r in self.outbox.rows if str(r.id) == key), None)

    @on(DataTable.RowHighlighted, "#reminders-outbox")
    def _highlighted(self) -> None:
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "requeue":
            row = self.selected
            ok = self.door.may_requeue() and row is not None and row.status in REQUEUABLE
            return True if ok else None
        return True

    def action_requeue(self) -> None:
        row = self.selected
        if row is None or row.status not in REQUEUABLE or not self.door.may_requeue():
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._requeue(row.id)

        self.app.push_screen(RequeueDialog(row), answered)

    @work(thread=True, group="reminders-change", exclusive=True, exit_on_error=False)
    def _requeue(self, reminder_id: int) -> None:
        try:
            self.door.requeue(reminder_id)
        except Exception as error:  # noqa: BLE001 - said in plain words
            message = getattr(error, "message", "") or "Could not re-queue it (the database "\
                "may be out of reach)."
            self.app.call_from_thread(self.notify, message, severity="error", markup=False)
        else:
            self.app.call_from_thread(
                self.notify, f"Reminder {reminder_id} re-queued: the sender sends it at its "
                "next pass.", markup=False)
        self.app.call_from_thread(self.reload)

    def action_day(self, step: int) -> None:
        self.day += timedelta(days=step)
        self.query_one("#reminders-summary", Static).update("Loading…")
        self.reload()

    def action_today(self) -> None:
        self.day = self.door.today()
        self.reload()

    def action_back(self) -> None:
        self.dismiss()


def _hm(moment: datetime, zone: ZoneInfo) -> str:
    return f"{moment.astimezone(zone):%H:%M}"
