"""The confirmation list (issue 21): a day's visits at a location to call and confirm,
procedures and first visits first, with what to remind each patient of. One key records each
call's outcome; the cursor then goes to the next visit still to call. Cancelling asks why in
the cancel dialog; moving picks the visit up in the day view once the wish is recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Static
from textual.worker import Worker, WorkerState

from frontdesk.domain.confirmations import OVER, Outcome
from frontdesk.domain.permissions import Permission
from frontdesk.services.errors import FrontDeskError
from frontdesk.ui.navigation import ShowDay
from frontdesk.ui.text import cycle_location, format_day, location_label
from frontdesk.ui.visit.cancel import CancelDialog
from frontdesk.ui.widgets.back import name_the_way_back
from frontdesk.ui.widgets.footer import KeyFooter
from frontdesk.ui.widgets.go_to import GoToDialog
from frontdesk.ui.widgets.title import TitleRow
from frontdesk.ui.widgets.waitlist import offer_freed_time
from frontdesk.ui.worklists.confirm_layout import (
    Column,
    cell_text,
    detail,
    empty_text,
    next_to_call,
    plan_columns,
)

if TYPE_CHECKING:
    from textual.events import Resize

    from frontdesk.services.views import LocationView
    from frontdesk.services.worklists.confirmations import ConfirmationList, ConfirmRow
    from frontdesk.ui.backend.changes import Outcome as Said
    from frontdesk.ui.backend.door import Backend

#: Read again this often while the list shows (another desk may be working it).
REFRESH_SECONDS = 30.0
DAY = Binding.Group("Day", compact=True)
CALL = Binding.Group("Outcome", compact=True)
#: The outcome keys, each with the permission it needs besides working the list.
NEEDS = {"record('confirmed')": Permission.STATUS, "record('left-message')": None,
         "record('no-answer')": None, "cancel_visit": Permission.CANCEL,
         "move_visit": Permission.BOOK}


class ConfirmationsScreen(Screen[None]):
    """Read in a worker when shown, on each change of day or place, after each outcome and
    every ``REFRESH_SECONDS``; the first read of a day and place is audited (names and
    phones were shown), the reads that keep it fresh are not."""

    PLACE_NAME = "Confirmations"
    FOOTER_ORDER = ("confirm.confirmed", "confirm.message", "confirm.no_answer",
                    "confirm.cancel", "confirm.move", "confirm.previous_day",
                    "confirm.location", "confirm.go_to", "confirm.back")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "record('confirmed')", "Confirmed", id="confirm.confirmed", group=CALL,
                tooltip="The patient confirmed: the visit is marked confirmed"),
        Binding("m", "record('left-message')", "Message", id="confirm.message", group=CALL,
                tooltip="Left a message: the visit stays as it is"),
        Binding("n", "record('no-answer')", "No answer", id="confirm.no_answer", group=CALL,
                tooltip="Nobody answered: the visit stays as it is"),
        Binding("x", "cancel_visit", "Cancel", id="confirm.cancel", group=CALL,
                tooltip="The patient wants to cancel: asks why, then cancels the visit"),
        Binding("v", "move_visit", "Move", id="confirm.move", group=CALL,
                tooltip="The patient wants another time: records it and picks the visit up "
                        "to move in the day view"),
        Binding("left", "shift_day(-1)", "Previous day", id="confirm.previous_day", group=DAY,
                priority=True, tooltip="The day before"),
        Binding("right", "shift_day(1)", "Next day", id="confirm.next_day", group=DAY,
                priority=True, tooltip="The day after"),
        Binding("g", "go_to", "Go to", id="confirm.go_to",
                tooltip="Go to a day typed in everyday words"),
        Binding("l", "cycle_location(1)", "Location", id="confirm.location",
                tooltip="Next location (All locations, then each one)"),
        Binding("L", "cycle_location(-1)", "Previous location", id="confirm.previous_location",
                show=False, tooltip="Previous location"),
        Binding("r", "refresh", "Refresh", id="confirm.refresh", show=False,
                tooltip="Read the list again now"),
        Binding("escape,backspace", "back", "Back", id="confirm.back", key_display="esc",
                tooltip="Back to where the list was opened from"),
    ]

    def __init__(self, backend: Backend, *, location_id: int | None = None,
                 day: date | None = None, poll_seconds: float = 2.0) -> None:
        """``day`` None: the next working day; ``poll_seconds`` is handed on to the day view
        a move opens."""
        super().__init__()
        self.backend = backend
        self.location_id = location_id
        self.day = day
        self.poll_seconds = poll_seconds
        self.listing: ConfirmationList | None = None
        self.locations: tuple[LocationView, ...] = ()
        self.loaded = False  # the list shown is the one read for the day and place asked
        self._columns: tuple[Column, ...] = ()
        self._audited: set[tuple[date, int | None]] = set()
        self._writing = False
        self._acted: tuple[int, int] | None = None  # (appointment id, row) of the last outcome

    def compose(self) -> ComposeResult:
        yield TitleRow("Confirmations", title_id="confirm-title")
        yield Static("Loading…", id="confirm-progress", markup=False)
        yield DataTable(id="confirm-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="confirm-detail", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        name_the_way_back(self, "confirm.back")
        self.query_one("#confirm-table").focus()
        self.set_interval(REFRESH_SECONDS, self._refresh_quietly, name="confirm-poll")

    def on_screen_resume(self) -> None:
        """Shown again (back from the day view after a move): read it again."""
        self.reload()

    def _refresh_quietly(self) -> None:
        if self.is_current and self.loaded and not self._writing:
            self._read(self.day, self.location_id, False)

    # ------------------------------------------------------------------ reading

    def reload(self) -> None:
        """Read the list asked for; audited unless this day and place were read before."""
        self.loaded = False
        self._show_title()
        self.refresh_bindings()
        audit = self.day is None or (self.day, self.location_id) not in self._audited
        self._read(self.day, self.location_id, audit)

    @work(thread=True, exclusive=True, group="confirm-read", exit_on_error=False)
    def _read(self, day: date | None, location_id: int | None, audit: bool
              ) -> tuple[date | None, int | None, ConfirmationList, tuple[LocationView, ...],
                         bool]:
        found = self.backend.confirmation_list(day, location_id, audit=audit)
        return day, location_id, found, self.backend.locations(), audit

    @on(Worker.StateChanged)
    def _read_done(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "confirm-read":
            return
        note = self.query_one("#confirm-progress", Static)
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            reason = (str(error) if isinstance(error, FrontDeskError)
                      else "the database did not answer")
            note.update(f"Could not read the list ({reason[:160]}). Press r to try again.")
            note.add_class("-error")
            self._writing = False
        elif event.state == WorkerState.SUCCESS and event.worker.result is not None:
            day, location_id, found, places, audited = event.worker.result
            if audited:
                self._audited.add((found.day, location_id))
            if location_id != self.location_id or day not in (None, self.day):
                return  # the person moved on meanwhile
            note.remove_class("-error")
            self.day = found.day
            self.listing, self.locations, self.loaded = found, places, True
            self._writing = False
            self._paint()

    # ------------------------------------------------------------------ painting

    def on_resize(self, _event: Resize) -> None:
        if self.loaded:
            self._paint()

    def _place(self) -> str:
        return location_label(self.locations, self.location_id)

    def _show_title(self) -> None:
        if self.day is None:
            day = "next working day"
        else:
            today = self.backend.today()
            near = {today: " (today)", today + timedelta(days=1): " (tomorrow)"}
            day = format_day(self.day) + near.get(self.day, "")
        self.query_one("#confirm-title", Static).update(
            f"Confirmations · {self._place()} · {day}")

    def _paint(self) -> None:
        found = self.listing
        assert found is not None
        self._show_title()
        self.query_one("#confirm-progress", Static).update(
            found.progress if found.rows or found.settled
            else empty_text(self._place(), format_day(found.day)))
        table: DataTable[Text] = self.query_one("#confirm-table", DataTable)
        keep = self._cursor_id()
        columns = plan_columns(self.size.width)
        if columns != self._columns:
            table.clear(columns=True)
            for c in columns:
                table.add_column(Text(c.label), width=c.width, key=c.key)
            self._columns = columns
        else:
            table.clear()
        for row in found.rows:
            style = "dim" if row.standing.reached else ""
            table.add_row(*(Text(cell_text(row, c), style=style, no_wrap=True,
                                 overflow="ellipsis") for c in columns), key=str(row.id))
        table.display = bool(found.rows)
        ids = [r.id for r in found.rows]
        if ids:
            table.move_cursor(row=self._cursor_after(ids, keep), animate=False)
        self._describe()
        self.refresh_bindings()

    def _cursor_after(self, ids: list[int], keep: int | None) -> int:
        """After an outcome, the next visit still to call; else the same visit as before."""
        assert self.listing is not None
        acted, self._acted = self._acted, None
        if acted is not None:
            acted_id, acted_row = acted
            after = ids.index(acted_id) if acted_id in ids else acted_row - 1
            found = next_to_call(self.listing.rows, after)
            return found if found is not None else min(max(acted_row, 0), len(ids) - 1)
        return ids.index(keep) if keep in ids else 0

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self._describe()
        self.refresh_bindings()

    def _describe(self) -> None:
        row = self.selected
        self.query_one("#confirm-detail", Static).update(
            detail(row, self.size.width - 2) if row else "")

    def _cursor_id(self) -> int | None:
        table = self.query_one("#confirm-table", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return int(key) if key is not None else None

    @property
    def selected(self) -> ConfirmRow | None:
        """The highlighted visit, as the list last showed it."""
        if not self.loaded or self.listing is None:
            return None
        wanted = self._cursor_id()
        return next((r for r in self.listing.rows if r.id == wanted), None)

    # ------------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        key = f"{action}({', '.join(repr(p) for p in parameters)})" if parameters else action
        if key in NEEDS:
            needs = NEEDS[key]
            row = self.selected
            usable = (row is not None and not self._writing
                      and row.appointment.status.value not in OVER  # under way or over
                      and self.backend.may(Permission.CONFIRMATIONS)
                      and (needs is None or self.backend.may(needs)))
            return True if usable else None
        if action == "cycle_location":
            return True if len(self.locations) > 1 else None
        return True

    def action_record(self, outcome: str) -> None:
        row = self.selected
        if row is not None and not self._writing:
            self._change(row, partial(self.backend.record_call, row, Outcome(outcome)))

    def action_cancel_visit(self) -> None:
        """x: the cancel dialog asks why (and says when it counts as late); the reason goes
        through the one cancel path with the call recorded beside it."""
        row = self.selected
        if row is None or self._writing:
            return
        appt = row.appointment
        dialog = CancelDialog(appt, late=self.backend.is_late_cancel(appt),
                              late_hours=self.backend.late_cancel_hours())

        def cancelled(reason: str | None) -> None:
            if reason:
                self._change(row, partial(self.backend.record_call, row, Outcome.CANCELLED,
                                          reason=reason), frees=True)

        self.app.push_screen(dialog, cancelled)

    def action_move_visit(self) -> None:
        """v: the wish is recorded, then the day view opens with the visit picked up to
        move; the list is read again on the way back."""
        row = self.selected
        if row is not None and not self._writing:
            self._change(row, partial(self.backend.record_call, row, Outcome.WANTS_MOVE),
                         then_move=True)

    def _change(self, row: ConfirmRow, change: Callable[[], Said], *,
                then_move: bool = False, frees: bool = False) -> None:
        table = self.query_one("#confirm-table", DataTable)
        self._writing = True
        self._acted = (row.id, table.cursor_row)
        self.refresh_bindings()
        self._write(row, change, then_move, frees)

    @work(thread=True, group="confirm-write", exclusive=True, exit_on_error=False)
    def _write(self, row: ConfirmRow, change: Callable[[], Said], then_move: bool,
               frees: bool = False) -> None:
        """Write one outcome, say how it went, then read the list again (or, for a move,
        open the day view: coming back reads it again; the move shows who on the waitlist
        could take the old time). A cancel (``frees``) shows the waitlisted patients the
        freed time suits. A fault beyond the backend's words is said as such; its kind is
        logged, never the patient's details."""
        try:
            said = change()
        except Exception as error:  # noqa: BLE001 - said in plain words, kind logged
            self.log.error(f"confirmation outcome failed: {type(error).__name__}")
            self.app.call_from_thread(
                self.notify, "Could not record the call (the database may be out of reach). "
                "Press r to see the list as it stands.", severity="error", markup=False)
            self.app.call_from_thread(self.reload)
            return
        self.app.call_from_thread(self.notify, said.message, severity=said.severity,
                                  markup=False)
        if frees and said.changed:
            self.app.call_from_thread(offer_freed_time, self, self.backend, row.appointment,
                                      "cancelled")
        if then_move and said.changed:
            appt = row.appointment
            self.app.call_from_thread(self._open_move, appt.local_start.date(),
                                      appt.location_id, appt.id)
            return
        self.app.call_from_thread(self.reload)

    def _open_move(self, day: date, location_id: int, visit_id: int) -> None:
        self._writing = False
        self.post_message(ShowDay(day, location_id, poll_seconds=self.poll_seconds,
                                  visit_id=visit_id, move=True))

    def action_shift_day(self, step: int) -> None:
        if self.day is not None:
            self._go(self.day + timedelta(days=step))

    def action_go_to(self) -> None:
        def chosen(day: date | None) -> None:
            if day is not None:
                self._go(day)

        self.app.push_screen(GoToDialog(today=self.backend.today()), chosen)

    def _go(self, day: date) -> None:
        self.day = day
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
            SystemCommand("Confirmations: refresh", "Read the list again now",
                          self.action_refresh),
            SystemCommand("Confirmations: next location", "Show the next location's list",
                          lambda: self.action_cycle_location(1)),
            SystemCommand("Back", "Leave the confirmation list", self.action_back),
        ]

