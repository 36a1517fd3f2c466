"""The recalls worklist: patients due for a next step (a repeat procedure their payer allows
again, a relief callback overdue, a procedure with no next visit booked). Enter starts a call
on the highlighted patient, where the desk books the next step through the pathway; the
outcome keys record what came of a call; the list is read again when the person comes back.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Static
from textual.worker import Worker, WorkerState

from frontdesk.domain.recalls import RecallKind
from frontdesk.domain.text import printable
from frontdesk.ui.navigation import CallPatient
from frontdesk.ui.text import cycle_location, location_label
from frontdesk.ui.widgets.footer import KeyFooter
from frontdesk.ui.widgets.title import Title, TitleRow
from frontdesk.ui.worklists.recalls.dialogs import UntilDialog, decline_dialog
from frontdesk.ui.worklists.recalls.layout import (
    Column,
    cell_text,
    detail,
    plan_columns,
    summary,
)

if TYPE_CHECKING:
    from textual.events import Resize

    from frontdesk.services.views import LocationView
    from frontdesk.services.worklists.recalls import Progress, Recall
    from frontdesk.ui.backend.changes import Outcome
    from frontdesk.ui.backend.door import Backend

#: The list is read again this often while it shows (callbacks fall due).
REFRESH_SECONDS = 60.0
#: The kinds ``k`` steps through (None: all of them).
KINDS: tuple[RecallKind | None, ...] = (None, *RecallKind)


class RecallsScreen(Screen[None]):
    """Read in a worker when shown, whenever the person comes back to it (``r`` too) and every
    ``REFRESH_SECONDS``. Build it with the app's backend (``RecallsScreen(backend)``)."""

    FOOTER_ORDER: ClassVar[tuple[str, ...]] = (
        "recalls.call", "recalls.no_answer", "recalls.message", "recalls.not_now",
        "recalls.declined", "recalls.booked", "recalls.kind", "recalls.back")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "call", "Call", id="recalls.call", priority=True,
                tooltip="Start a call on the highlighted patient: book the next step there; "
                        "back here, a booked visit is recorded for the recall"),
        Binding("n", "record('no-answer')", "No answer", id="recalls.no_answer",
                tooltip="Record that nobody answered (it stays, after the untried ones)"),
        Binding("m", "record('left-message')", "Message", id="recalls.message",
                tooltip="Record that a message was left (it stays, after the untried ones)"),
        Binding("s", "not_now", "Not now", id="recalls.not_now",
                tooltip="The patient asked to be called later: asks the day; hidden until then"),
        Binding("d", "declined", "Declined", id="recalls.declined",
                tooltip="The patient does not want it: asks why; it leaves the list"),
        Binding("b", "record('booked')", "Booked", id="recalls.booked",
                tooltip="Record that the next step is booked (only once its visit really is)"),
        Binding("k", "cycle_kind(1)", "Kind", id="recalls.kind",
                tooltip="Show one kind: repeat, relief, follow-up, then all of them"),
        Binding("l", "cycle_location(1)", "Location", id="recalls.next_location",
                tooltip="Next location (All locations, then each one)"),
        Binding("L", "cycle_location(-1)", "Previous location", id="recalls.previous_location",
                show=False, tooltip="Previous location"),
        Binding("r", "refresh", "Refresh", id="recalls.refresh",
                tooltip="Read the list again now"),
        Binding("escape,backspace", "back", "Back", id="recalls.back", key_display="esc",
                tooltip="Back to where the list was opened from"),
    ]

    def __init__(self, backend: Backend, *, location_id: int | None = None) -> None:
        super().__init__()
        self.backend = backend
        self.location_id = location_id
        self.kind: RecallKind | None = None
        self.items: tuple[Recall, ...] = ()
        self.progress: Progress | None = None
        self.locations: tuple[LocationView, ...] = ()
        self.loaded = False
        self.calling: str | None = None  # the recall whose patient Enter called
        self._next_in_row = False  # an outcome was recorded: the next recall takes its row
        self._columns: tuple[Column, ...] = ()
        self._audited: set[tuple[int | None, RecallKind | None]] = set()  # read, audited

    def compose(self) -> ComposeResult:
        yield TitleRow("Recalls", title_id="recalls-title")
        yield Static("Loading…", id="recalls-summary", markup=False)
        yield DataTable(id="recalls-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="recalls-detail", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#recalls-table").focus()
        self.set_interval(REFRESH_SECONDS, self._refresh_quietly, name="recalls-poll")

    def _refresh_quietly(self) -> None:
        if self.is_current and self.loaded:
            self._read(self.location_id, self.kind, None, False)

    def on_screen_resume(self) -> None:
        """Back from a call (or anywhere): read what is left to do."""
        self.reload()

    # ------------------------------------------------------------------ reading

    def reload(self) -> None:
        self.loaded = False
        self.refresh_bindings()
        calling, self.calling = self.calling, None
        audit = (self.location_id, self.kind) not in self._audited
        self._read(self.location_id, self.kind, calling, audit)

    @work(thread=True, exclusive=True, group="recalls", exit_on_error=False)
    def _read(self, location_id: int | None, kind: RecallKind | None, calling: str | None,
              audit: bool) -> tuple[int | None, RecallKind | None, list[Recall], Progress,
                                    tuple[LocationView, ...], str | None]:
        """The list; with ``calling`` (the recall Enter called about), a booking the call
        made is recorded for it first when it has left the list. ``audit``: the first read
        of a location and kind is audited (names and phones shown), a re-read is not."""
        found = self.backend.recalls(location_id, kind, audit=audit)
        if audit:
            self._audited.add((location_id, kind))
        said = None
        if calling is not None and all(r.key != calling for r in found):
            # the call booked its next step (or took the relief report): a booking is
            # recorded for the recall; anything else the service refuses, and is left be
            done = self.backend.record_recall(calling, "booked")
            said = done.message if done.changed else None
        return (location_id, kind, found, self.backend.recall_progress(location_id),
                self.backend.locations(), said)

    @on(Worker.StateChanged)
    def _read_done(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "recalls":
            return
        note = self.query_one("#recalls-summary", Static)
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            reason = str(error).splitlines()[0][:160] if error else "unknown error"
            note.update(f"Could not read the list ({reason}). Press r to try again.")
            note.add_class("-error")
        elif event.state == WorkerState.SUCCESS and event.worker.result is not None:
            location_id, kind, items, done, places, said = event.worker.result
            if said:
                self.notify(said, markup=False)
            if (location_id, kind) != (self.location_id, self.kind):
                return
            note.remove_class("-error")
            self.items, self.locations, self.loaded = tuple(items), places, True
            self.progress = done
            self._paint()

    # ------------------------------------------------------------------ painting

    def on_resize(self, _event: Resize) -> None:
        if self.loaded:
            self._paint()

    def _place(self) -> str:
        return location_label(self.locations, self.location_id)

    def _paint(self) -> None:
        kind = f" · {self.kind.label}" if self.kind else ""
        self.query_one("#recalls-title", Title).update(f"Recalls · {self._place()}{kind}")
        if self.progress is not None:
            self.query_one("#recalls-summary", Static).update(
                summary(self.items, self._place(), self.kind, self.progress))
        table: DataTable[Text] = self.query_one("#recalls-table", DataTable)
        keep, row = self._cursor_key(), table.cursor_row
        columns = plan_columns(self.size.width)
        if columns != self._columns:
            table.clear(columns=True)
            for c in columns:
                table.add_column(Text(c.label), width=c.width, key=c.key)
            self._columns = columns
        else:
            table.clear()
        for item in self.items:
            style = "dim" if item.tried_recently else ""
            table.add_row(*(Text(cell_text(item, c), style=style, no_wrap=True,
                                 overflow="ellipsis") for c in columns), key=item.key)
        table.display = bool(self.items)
        if self.items and self.focused is None:
            table.focus()  # hidden while the list was empty, it lost the focus
        keys = [i.key for i in self.items]
        if keys:
            follow = keep is not None and keep in keys and not self._next_in_row
            at = keys.index(keep) if keep is not None and follow else min(max(row, 0),
                                                                         len(keys) - 1)
            self._next_in_row = False
            table.move_cursor(row=at, animate=False)
        self._describe()
        self.refresh_bindings()

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self._describe()

    def _describe(self) -> None:
        item = self.selected
        text = detail(item, self.backend.zone, self.backend.today()) if item else ""
        self.query_one("#recalls-detail", Static).update(text)

    def _cursor_key(self) -> str | None:
        table = self.query_one("#recalls-table", DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    @property
    def selected(self) -> Recall | None:
        key = self._cursor_key() if self.loaded else None
        return next((i for i in self.items if i.key == key), None)

    # ------------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("call", "record", "not_now", "declined"):
            return True if self.selected is not None else None
        if action == "cycle_location":
            return True if len(self.locations) > 1 else None
        return True

    def action_call(self) -> None:
        """Enter: a call on the patient; coming back, the list is read again."""
        item = self.selected
        if item is not None:
            self.calling = item.key
            self.post_message(CallPatient(item.patient_id))

    def action_record(self, outcome: str) -> None:
        item = self.selected
        if item is not None:
            self._change(partial(self.backend.record_recall, item.key, outcome))

    def action_not_now(self) -> None:
        item = self.selected
        if item is None:
            return

        def chosen(answer: str | None) -> None:
            if answer:
                self._change(partial(self.backend.record_recall, item.key, "not-now",
                                     until=date.fromisoformat(answer)))

        self.app.push_screen(UntilDialog(today=self.backend.today(),
                                         who=printable(item.patient_short)), chosen)

    def action_declined(self) -> None:
        item = self.selected
        if item is None:
            return

        def chosen(answer: str | None) -> None:
            if answer:
                self._change(partial(self.backend.record_recall, item.key, "declined",
                                     note=answer))

        self.app.push_screen(decline_dialog(printable(item.patient_short)), chosen)

    @work(thread=True, group="recalls-change", exclusive=True, exit_on_error=False)
    def _change(self, change: Callable[[], Outcome]) -> None:
        """Record one outcome, say how it went, then read the list again. A refusal or a busy
        database comes back in words; anything else is the database gone away, said as such
        (its kind logged, never the patient's details)."""
        try:
            outcome = change()
        except Exception as error:  # noqa: BLE001 - said in plain words, kind logged
            self.log.error(f"recall outcome failed: {type(error).__name__}")
            self.app.call_from_thread(
                self.notify, "Could not record it (the database may be out of reach). "
                "Press r to see the list as it stands.", severity="error", markup=False)
        else:
            self.app.call_from_thread(self.notify, outcome.message, severity=outcome.severity,
                                      markup=False)
            self._next_in_row = outcome.changed
        self.app.call_from_thread(self.reload)

    def action_cycle_kind(self, step: int) -> None:
        self.kind = KINDS[(KINDS.index(self.kind) + step) % len(KINDS)]
        self.reload()

    def action_cycle_location(self, step: int) -> None:
        self.location_id = cycle_location(self.locations, self.location_id, step)
        self.reload()

    def action_refresh(self) -> None:
        self.reload()

    def action_back(self) -> None:
        self.dismiss()

    def palette_commands(self) -> list[SystemCommand]:
        return [
            SystemCommand("Recalls: refresh", "Read the list again now", self.reload),
            SystemCommand("Recalls: next kind", "Show one kind of recall, then all",
                          lambda: self.action_cycle_kind(1)),
            SystemCommand("Back", "Leave the recalls list", self.action_back),
        ]
