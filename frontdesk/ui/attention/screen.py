"""The needs-attention list for schedulers: visits a closure, time off or new hours left outside
working time, holds about to lapse and callbacks overdue. Enter does what resolves the
highlighted one — the visit picked up to move in the day view, the hold shown there, a call to
call the patient back — and the list is read again when the person comes back to it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Static
from textual.worker import Worker, WorkerState

from frontdesk.services.attention import Action, Kind
from frontdesk.ui.attention.layout import (
    Column,
    cell_text,
    detail,
    plan_columns,
    summary,
)
from frontdesk.ui.navigation import ShowDay
from frontdesk.ui.text import cycle_location, location_label
from frontdesk.ui.widgets.footer import KeyFooter

if TYPE_CHECKING:
    from textual.events import Resize

    from frontdesk.services.attention import Item
    from frontdesk.services.views import LocationView
    from frontdesk.ui.backend.changes import Outcome
    from frontdesk.ui.backend.door import Backend


#: The list is read again this often while it shows (holds lapse in minutes).
REFRESH_SECONDS = 30.0
#: Rows drawn at most (a practice-wide closure can strand thousands of visits: the summary
#: counts them all, the list shows the first, soonest first).
ROWS_AT_MOST = 300


class AttentionScreen(Screen[None]):
    """Read in a worker when shown, whenever the person comes back to it (``r`` too) and every
    ``REFRESH_SECONDS``."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "resolve", "Resolve", id="attention.resolve", priority=True,
                tooltip="Do what resolves the highlighted item: pick the visit up to move, "
                        "show the hold in the day view, or call the patient back"),
        Binding("k", "keep", "Keep hold", id="attention.keep",
                tooltip="Keep the highlighted hold another hold time while the caller "
                        "decides (up to three hold times in all)"),
        Binding("x", "release", "Release hold", id="attention.release",
                tooltip="Let the highlighted hold go now (press x twice: the caller may "
                        "still be on the line): its time is free for others"),
        Binding("l", "cycle_location(1)", "Next location", id="attention.next_location",
                tooltip="Next location (All locations, then each one)"),
        Binding("L", "cycle_location(-1)", "Previous location",
                id="attention.previous_location", show=False, tooltip="Previous location"),
        Binding("r", "refresh", "Refresh", id="attention.refresh",
                tooltip="Read the list again now"),
        Binding("escape,backspace", "back", "Back", id="attention.back", key_display="esc",
                tooltip="Back to where the list was opened from"),
    ]

    def __init__(self, backend: Backend, *, location_id: int | None,
                 poll_seconds: float = 2.0) -> None:
        super().__init__()
        self.backend = backend
        self.location_id = location_id
        self.poll_seconds = poll_seconds
        self.items: tuple[Item, ...] = ()
        self.locations: tuple[LocationView, ...] = ()
        self.loaded = False  # the list shown is the one read for ``location_id``
        self._columns: tuple[Column, ...] = ()
        self._release_asked: str | None = None  # the hold whose first x was pressed
        self._drawn: tuple[object, ...] = ()  # the columns and items the table shows

    def compose(self) -> ComposeResult:
        yield Static("Needs attention", id="attention-title", markup=False)
        yield Static("Loading…", id="attention-summary", markup=False)
        yield DataTable(id="attention-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="attention-detail", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#attention-table").focus()
        self.set_interval(REFRESH_SECONDS, self._refresh_quietly, name="attention-poll")

    def _refresh_quietly(self) -> None:
        """Holds lapse and callbacks fall due while the list is open: read it again, keeping
        what shows (and the cursor) until the new list comes."""
        if self.is_current and self.loaded:
            self._read(self.location_id)

    def on_screen_resume(self) -> None:
        """Shown again (back from the day view or a call): read what is left to do."""
        self.reload()

    # ------------------------------------------------------------------ reading

    def reload(self) -> None:
        self.loaded = False
        self.sync()
        self._read(self.location_id)

    @work(thread=True, exclusive=True, group="attention", exit_on_error=False)
    def _read(self, location_id: int | None
              ) -> tuple[int | None, list[Item], tuple[LocationView, ...]]:
        return location_id, self.backend.needs_attention(location_id), self.backend.locations()

    @on(Worker.StateChanged)
    def _read_done(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "attention":
            return
        note = self.query_one("#attention-summary", Static)
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            reason = str(error).splitlines()[0][:160] if error else "unknown error"
            note.update(f"Could not read the list ({reason}). Press r to try again.")
            note.add_class("-error")
        elif event.state == WorkerState.SUCCESS and event.worker.result is not None:
            location_id, items, places = event.worker.result
            if location_id != self.location_id:
                return
            note.remove_class("-error")
            self.items, self.locations, self.loaded = tuple(items), places, True
            self._paint()

    # ------------------------------------------------------------------ painting

    def on_resize(self, _event: Resize) -> None:
        if self.loaded:
            self._paint()

    def _paint(self) -> None:
        place = location_label(self.locations, self.location_id)
        self.query_one("#attention-title", Static).update(f"Needs attention · {place}")
        said = summary(self.items, place)
        if len(self.items) > ROWS_AT_MOST:
            said += f" · the first {ROWS_AT_MOST} shown"
        self.query_one("#attention-summary", Static).update(said)
        table: DataTable[Text] = self.query_one("#attention-table", DataTable)
        keep, row = self._cursor_key(), table.cursor_row
        columns = plan_columns(self.size.width)
        drawn = (columns, self.items[:ROWS_AT_MOST])
        if drawn == self._drawn:  # read again, nothing changed: the table stays as it is
            self._describe()
            self.sync()
            return
        self._drawn = drawn
        if columns != self._columns:
            table.clear(columns=True)
            for c in columns:
                table.add_column(Text(c.label), width=c.width, key=c.key)
            self._columns = columns
        else:
            table.clear()
        for item in self.items[:ROWS_AT_MOST]:
            table.add_row(*(Text(cell_text(item, c, self.backend.zone), no_wrap=True,
                                 overflow="ellipsis") for c in columns), key=_key(item))
        table.display = bool(self.items)
        keys = [_key(i) for i in self.items[:ROWS_AT_MOST]]
        # the same item, or the row where the one dealt with was (never the list's top,
        # where the holds are: Enter there would act on something nobody looked at)
        at = keys.index(keep) if keep in keys else min(row, len(keys) - 1)
        if keys:
            table.move_cursor(row=max(at, 0), animate=False)
        self._describe()
        self.sync()

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self._describe()

    def _describe(self) -> None:
        item = self.selected
        minutes = self.backend.ctx.settings.booking.hold_min
        text = detail(item, minutes) if item else ""
        if item is not None and self._release_asked == _key(item):
            text += "\nThe caller may still be on the line: press x again to release it now."
        elif self._release_asked is not None:
            self._release_asked = None  # the cursor moved on: a first x asks again
        self.query_one("#attention-detail", Static).update(text)

    def _cursor_key(self) -> str | None:
        table = self.query_one("#attention-table", DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    @property
    def selected(self) -> Item | None:
        """The highlighted item, as the list last showed it."""
        key = self._cursor_key() if self.loaded else None
        return next((i for i in self.items if _key(i) == key), None)

    def sync(self) -> None:
        self.refresh_bindings()

    # ------------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "resolve":
            return True if self.selected is not None else None
        if action == "cycle_location":
            return True if len(self.locations) > 1 else None
        if action in ("release", "keep"):
            item = self.selected
            return True if item is not None and item.kind is Kind.HOLD else None
        return True

    def action_resolve(self) -> None:
        """Enter: the visit picked up in the day view, the hold shown there, or a call. It
        never writes: keeping or releasing a hold has its own key."""
        item = self.selected
        if item is None:
            return
        appt = item.appointment
        if item.action is Action.CALL_BACK or appt is None:
            self.call_later(self.app.run_action, "start_call")  # F2's own way
        else:
            self.post_message(ShowDay(appt.local_start.date(), appt.location_id,
                                      poll_seconds=self.poll_seconds, visit_id=appt.id,
                                      move=item.action is Action.MOVE))

    def action_keep(self) -> None:
        item = self.selected
        if item is not None and item.kind is Kind.HOLD and item.appointment is not None:
            self._change(partial(self.backend.extend_hold, item.appointment))

    def action_release(self) -> None:
        """The first x asks (the holder's caller may still be on the line), the second on
        the same hold lets it go."""
        item = self.selected
        if item is None or item.kind is not Kind.HOLD or item.appointment is None:
            return
        if self._release_asked != _key(item):
            self._release_asked = _key(item)
            self._describe()
            return
        self._release_asked = None
        self._change(partial(self.backend.release, item.appointment))

    @work(thread=True, group="attention-change", exclusive=True, exit_on_error=False)
    def _change(self, change: Callable[[], Outcome]) -> None:
        """Write one change, say how it went, then read the list again. The backend says a
        refusal or a busy database in words; anything else reaching here is the database
        gone away or a fault, said as such (its kind logged, never the patient's details)."""
        try:
            outcome = change()
        except Exception as error:  # noqa: BLE001 - said in plain words, kind logged
            self.log.error(f"needs-attention change failed: {type(error).__name__}")
            self.app.call_from_thread(
                self.notify, "Could not write the change (the database may be out of reach). "
                "Press r to see the list as it stands.", severity="error", markup=False)
        else:
            self.app.call_from_thread(self.notify, outcome.message, severity=outcome.severity,
                                      markup=False)
        self.app.call_from_thread(self.reload)

    def action_cycle_location(self, step: int) -> None:
        self.location_id = cycle_location(self.locations, self.location_id, step)
        self.query_one("#attention-title", Static).update(
            f"Needs attention · {location_label(self.locations, self.location_id)}")
        self.reload()

    def action_refresh(self) -> None:
        self.reload()

    def action_back(self) -> None:
        self.dismiss()

    def palette_commands(self) -> list[SystemCommand]:
        return [
            SystemCommand("Needs attention: refresh", "Read the list again now", self.reload),
            SystemCommand("Needs attention: next location", "Show the next location's list",
                          lambda: self.action_cycle_location(1)),
            SystemCommand("Back", "Leave the needs-attention list", self.action_back),
        ]


def _key(item: Item) -> str:
    ref = item.appointment.id if item.appointment else item.callback.id if item.callback else 0
    return f"{item.kind.value}-{ref}"
