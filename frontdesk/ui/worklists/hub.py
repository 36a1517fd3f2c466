"""F5: the worklists in one place — confirmations, the waitlist, recalls, the reminders' log —
each with a line saying where it stands, read in a worker. Enter (or the list's number) opens
one; each list's own screen does the work."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Static
from textual.worker import Worker, WorkerState

from frontdesk.ui.widgets.footer import KeyFooter

if TYPE_CHECKING:
    from frontdesk.ui.backend.door import Backend


@dataclass(frozen=True, slots=True)
class Entry:
    """One worklist: its number key, its name, what it is for, how to open it and (read in a
    worker) the line saying where it stands."""

    key: str
    title: str
    what: str
    open: Callable[[Backend, float], Screen[Any]]  # the backend, the app's poll seconds
    standing: Callable[[Backend], str]


def _confirmations(backend: Backend, poll_seconds: float) -> Screen[Any]:
    from frontdesk.ui.worklists.confirmations import ConfirmationsScreen

    return ConfirmationsScreen(backend, location_id=None, day=None, poll_seconds=poll_seconds)


def _confirmations_standing(backend: Backend) -> str:
    found = backend.confirmation_list(None, None, audit=False)  # counts only: no names shown
    return f"{found.day:%a} {found.day.day} {found.day:%b}: {found.progress}"


def _recalls(backend: Backend, _poll_seconds: float) -> Screen[Any]:
    from frontdesk.ui.worklists.recalls import RecallsScreen

    return RecallsScreen(backend, location_id=None)


def _recalls_standing(backend: Backend) -> str:
    due = backend.recalls(None)
    done = backend.recall_progress(None)
    return (f"{len(due)} due · today {done.tried} tried, {len(done.reached)} reached, "
            f"{len(done.booked)} booked")


def _reminders(backend: Backend, _poll_seconds: float) -> Screen[Any]:
    from frontdesk.ui.worklists.reminders import RemindersScreen

    return RemindersScreen(backend)


def _reminders_standing(backend: Backend) -> str:
    from frontdesk.ui.backend.reminders import RemindersDoor

    counts = RemindersDoor.of(backend).day_outbox(backend.today()).counts
    said = (f"today {counts.get('sent', 0)} sent, {counts.get('pending', 0)} waiting, "
            f"{counts.get('failed', 0)} failed")
    unsure = counts.get("unsure", 0)
    return said + (f", {unsure} unsure" if unsure else "")


def _waitlist(backend: Backend, _poll_seconds: float) -> Screen[Any]:
    from frontdesk.ui.worklists.waitlist import WaitlistScreen

    return WaitlistScreen(backend)


def _waitlist_standing(backend: Backend) -> str:
    waiting = backend.waitlist(None)
    return f"{len(waiting)} waiting for an earlier time"


def entries() -> tuple[Entry, ...]:
    return (
        Entry("1", "Confirmations", "The next working day's visits to confirm by phone, "
              "procedures and first visits first, with what to remind each patient.",
              _confirmations, _confirmations_standing),
        Entry("2", "Waitlist", "Callers who want an earlier time: Enter on one looks for free "
              "times that suit them now. A cancelled or moved visit lists them by itself.",
              _waitlist, _waitlist_standing),
        Entry("3", "Recalls", "Patients due for a next step: a repeat RFA or therapeutic "
              "injection their payer now allows, an overdue relief callback, a diagnostic "
              "block with nothing booked after it.", _recalls, _recalls_standing),
        Entry("4", "Reminders", "The email and text reminders due today and what came of "
              "each try (the delivery log); a manager re-queues one that failed.",
              _reminders, _reminders_standing),
    )


class WorklistsScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open_list", "Open", id="worklists.open", priority=True,
                tooltip="Open the highlighted worklist"),
        *(Binding(str(n), f"open_number({n})", f"List {n}", id=f"worklists.open_{n}",
                  show=False, tooltip=f"Open worklist {n}") for n in range(1, 10)),
        Binding("r", "refresh", "Refresh", id="worklists.refresh",
                tooltip="Read where each list stands again"),
        Binding("escape,backspace", "back", "Back", id="worklists.back", key_display="esc",
                tooltip="Back to where the worklists were opened from"),
    ]

    def __init__(self, backend: Backend) -> None:
        super().__init__()
        self.backend = backend
        self.lists = entries()

    def compose(self) -> ComposeResult:
        yield Static("Worklists", id="worklists-title", markup=False)
        yield Static("Enter or a list's number opens it.", id="worklists-hint", markup=False)
        yield DataTable(id="worklists-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="worklists-what", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        table: DataTable[Text] = self.query_one("#worklists-table", DataTable)
        table.add_column(Text("#"), width=1, key="key")
        table.add_column(Text("List"), width=14, key="title")
        table.add_column(Text("Where it stands"), key="standing",
                         width=max(20, self.size.width - 24))
        for entry in self.lists:
            table.add_row(Text(entry.key), Text(entry.title), Text("…"), key=entry.key)
        table.focus()
        self._describe()

    def on_screen_resume(self) -> None:
        self.action_refresh()

    def action_refresh(self) -> None:
        for entry in self.lists:
            # one read per list at a time: r pressed again replaces the one under way
            self.run_worker(partial(self._stand, entry), name=entry.key,
                            group=f"worklists-{entry.key}", thread=True, exit_on_error=False,
                            exclusive=True)

    def _stand(self, entry: Entry) -> tuple[str, str]:
        return entry.key, entry.standing(self.backend)

    @on(Worker.StateChanged)
    def _stood(self, event: Worker.StateChanged) -> None:
        if not event.worker.group.startswith("worklists-") or event.state not in (
                WorkerState.SUCCESS, WorkerState.ERROR):
            return
        table: DataTable[Text] = self.query_one("#worklists-table", DataTable)
        if event.state == WorkerState.SUCCESS and event.worker.result is not None:
            key, said = event.worker.result
            table.update_cell(key, "standing", Text(said, no_wrap=True, overflow="ellipsis"),
                              update_width=True)
        elif any(e.key == event.worker.name for e in self.lists):
            table.update_cell(event.worker.name, "standing",
                              Text("Could not read it (r: read again)"))

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self._describe()

    def _describe(self) -> None:
        entry = self.selected
        self.query_one("#worklists-what", Static).update(entry.what if entry else "")

    @property
    def selected(self) -> Entry | None:
        table = self.query_one("#worklists-table", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((e for e in self.lists if e.key == key), None)

    def action_open_list(self) -> None:
        if (entry := self.selected) is not None:
            self._open(entry)

    def action_open_number(self, n: int) -> None:
        entry = next((e for e in self.lists if e.key == str(n)), None)
        if entry is not None:
            self._open(entry)

    def _open(self, entry: Entry) -> None:
        poll = float(getattr(self.app, "poll_seconds", 2.0))
        self.app.push_screen(entry.open(self.backend, poll))

    def action_back(self) -> None:
        self.app.pop_screen()
