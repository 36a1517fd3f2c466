"""The live 'today' board: one day's appointments at one location or all of them."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from functools import partial
from time import monotonic
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Static
from textual.worker import Worker, WorkerState

from frontdesk.domain.permissions import Permission
from frontdesk.ui.backend.boards import DayBoard
from frontdesk.ui.backend.early import backend_open
from frontdesk.ui.calendar.board.layout import (
    Column,
    filtered_empty_message,
    only_visit,
    plan_columns,
    summary,
)
from frontdesk.ui.calendar.board.table import Cells, DayTable, row_cells
from frontdesk.ui.calendar.cells import cycle_location, location_label
from frontdesk.ui.calendar.keys import AppointmentKeys
from frontdesk.ui.calendar.visit_filter import VisitChoice, VisitFilter
from frontdesk.ui.navigation import ShowAttention, ShowWeek
from frontdesk.ui.text import format_day
from frontdesk.ui.widgets.footer import KeyFooter
from frontdesk.ui.widgets.go_to import GoToDialog
from frontdesk.ui.widgets.pickers import LocationPicker, Picked
from frontdesk.ui.widgets.title import TitleRow

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual.events import Resize

    from frontdesk.services.views import AppointmentView
    from frontdesk.ui.backend.door import Backend

DAY = Binding.Group("Day", compact=True)
PLACE = Binding.Group("Location", compact=True)
#: The days → and ← go to, read ahead once the board has gone to a day and again each poll
#: (see ``_go``).
AHEAD = (1, -1)
#: A day read ahead is painted on → while it is no older than this many polls: each poll reads
#: it again, and the read itself takes a moment (the day shown is as old between its polls).
AHEAD_FRESH_POLLS = 1.5

Shown = tuple[date, int | None]
#: A day's rows, columns and cells as the board would paint them (made in a worker).
Prepared = tuple[list["AppointmentView"], tuple[Column, ...], Cells]


#: What the early board does before the full backend is open: moving through days and places.
EARLY_ACTIONS = frozenset({"shift_day", "today", "go_to", "cycle_location", "pick_location",
                           "toggle_cancelled", "refresh_board"})


class TodayScreen(AppointmentKeys[DayBoard]):
    """Reads its day every few seconds and repaints only when something changed (``LiveScreen``).

    The keys for the selected appointment come from ``AppointmentKeys``.
    """

    LIVE_GROUP = "board"
    SUMMARY = "#board-summary"
    PICTURE = "#board-table"
    READ_WHAT = "the appointments"
    DIM_AFTER = 0.15
    FOOTER_ACTIONS = (*AppointmentKeys.FOOTER_ACTIONS, ("cycle_location", ()),
                      ("pick_location", ()))
    PLACE_NAME = "Board"
    #: What the desk needs most, first: a call, the visit in hand, the next day, its status.
    FOOTER_ORDER = ("app.call", "board.details", "board.previous_day", "board.check_in",
                    "board.cancel", "board.day_view", "board.week_view", "board.go_to",
                    "board.today", "board.all_locations", "board.next_location",
                    "board.pick_location", "board.visit_filter", "board.toggle_cancelled",
                    "app.treatments", "app.report", "app.quit")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "shift_day(-1)", "Previous day", id="board.previous_day", key_display="←",
                tooltip="Show the previous day", priority=True, group=DAY),
        Binding("right", "shift_day(1)", "Next day", id="board.next_day", key_display="→",
                tooltip="Show the next day", priority=True, group=DAY),
        Binding("d", "day_view", "Day view", id="board.day_view",
                tooltip="This day at one location as a time grid, a column per provider"),
        Binding("a", "all_locations", "All locations", id="board.all_locations",
                tooltip="Every location this day side by side, with the next open slots"),
        Binding("g", "go_to", "Go to", id="board.go_to",
                tooltip="Go to a date typed in words: next tue, 3/15, in 2 weeks"),
        Binding("w", "week_view", "Week", id="board.week_view",
                tooltip="This week at one location, or of one provider, a column per day"),
        Binding("pageup", "shift_day(-7)", "Week back", id="board.previous_week",
                key_display="PgUp", show=False, priority=True, tooltip="Same day a week back"),
        Binding("pagedown", "shift_day(7)", "Week on", id="board.next_week",
                key_display="PgDn", show=False, priority=True, tooltip="Same day a week on"),
        Binding("t", "today", "Today", id="board.today", tooltip="Back to today"),
        Binding("l", "cycle_location(1)", "Next location", id="board.next_location",
                tooltip="Next location (All locations, then each one)", group=PLACE),
        Binding("L", "cycle_location(-1)", "Previous location", id="board.previous_location",
                tooltip="Previous location", group=PLACE),
        Binding("p", "pick_location", "Pick", id="board.pick_location",
                tooltip="Choose a location from a list"),
        Binding("c", "toggle_cancelled", "Cancelled", id="board.toggle_cancelled",
                tooltip="Show or hide cancelled visits and lapsed holds"),
        Binding("r", "refresh_board", "Refresh", id="board.refresh", show=False,
                tooltip="Read the day again now (it also refreshes by itself)"),
        Binding("v", "filter_visits", "Visit type", id="board.visit_filter",
                tooltip="Show one visit type only, or all of them"),
        Binding("exclamation_mark", "needs_attention", "Attention", id="board.needs_attention",
                key_display="!", tooltip="Schedulers: the visits marked ! (outside working "
                "time), holds about to lapse and overdue callbacks, each with its fix"),
    ]

    def __init__(self, backend: Backend, *, poll_seconds: float = 2.0,
                 first: DayBoard | None = None) -> None:
        super().__init__(backend, poll_seconds=poll_seconds, first=first)
        self.day: date = self.today
        self.location_id: int | None = None
        self.show_cancelled = True
        self.visit: VisitChoice = VisitChoice(None)  # the visit-type filter
        self.acting = False  # a change is being written; its worker rereads the day
        self._ahead: dict[Shown, tuple[DayBoard, Prepared]] = {}  # read at ``_ahead_at``
        self._prepared: Prepared | None = None  # for the next paint, if it still fits
        self._ahead_at = 0.0
        self._ahead_worker: Worker[dict[Shown, tuple[DayBoard, Prepared]]] | None = None

    def compose(self) -> ComposeResult:
        yield TitleRow(title_id="board-title")
        yield Static("Loading…", id="board-summary", markup=False)
        yield DayTable(id="board-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="board-empty", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#board-empty").display = False

    # ------------------------------------------------------------------ actions

    def action_shift_day(self, days: int) -> None:
        self._go(self.day + timedelta(days=days), self.location_id)

    def action_today(self) -> None:
        self.today = self.backend.today()
        self._go(self.today, self.location_id)

    def action_cycle_location(self, step: int) -> None:
        places = self.board.locations if self.board else ()
        self._go(self.day, cycle_location(places, self.location_id, step))

    def action_pick_location(self) -> None:
        places = self.board.locations if self.board else ()

        def picked(choice: Picked | None) -> None:
            if choice is not None:
                self._go(self.day, choice.id)

        self.app.push_screen(LocationPicker(places, self.location_id), picked)

    def action_toggle_cancelled(self) -> None:
        self.show_cancelled = not self.show_cancelled
        self._paint()

    def action_refresh_board(self) -> None:
        self.reload()

    def action_day_view(self) -> None:
        """Back from the day view, the board shows the day it ended on (and its location,
        unless the board was showing all of them)."""
        from frontdesk.ui.calendar.day.screen import DayViewScreen

        view = DayViewScreen(self.backend, day=self.day, location_id=self.location_id,
                             poll_seconds=self.poll_seconds)

        def back(_: None) -> None:
            where = self.location_id if self.location_id is None else view.location_id
            self._go(view.day, where)

        self.app.push_screen(view, back)

    def action_all_locations(self) -> None:
        """Enter on a location there comes back here showing it on the chosen day."""
        from frontdesk.ui.calendar.all_locations.screen import AllLocationsScreen, Chosen

        def chosen(choice: Chosen | None) -> None:
            if choice is not None:
                self._go(*choice)

        self.app.push_screen(AllLocationsScreen(self.backend, day=self.day,
                                                poll_seconds=self.poll_seconds), chosen)

    def action_week_view(self) -> None:
        self.post_message(ShowWeek(self.day, location_id=self.location_id,
                                   poll_seconds=self.poll_seconds))

    def action_go_to(self) -> None:
        def chosen(day: date | None) -> None:
            if day is not None:
                self._go(day, self.location_id)

        self.app.push_screen(GoToDialog(today=self.today), chosen)

    def action_needs_attention(self) -> None:
        if self.check_action("needs_attention", ()):
            self.post_message(ShowAttention(self.location_id, poll_seconds=self.poll_seconds))

    def action_filter_visits(self) -> None:
        def chosen(choice: VisitChoice | None) -> None:
            if choice is not None and choice != self.visit:
                self.visit = choice
                self._paint()

        self.app.push_screen(VisitFilter(self.backend.visit_types, self.visit.code), chosen)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Location keys show greyed out until the practice has a location; on the early board
        (an SSH login's, before the full backend is open) only its own moves are on."""
        if action not in EARLY_ACTIONS and not backend_open(self.backend):
            return None
        if action in ("cycle_location", "pick_location"):
            return True if self.board is not None and self.board.locations else None
        if action == "needs_attention":  # schedulers' work (DESIGN §4); greyed for the desk
            return True if self.backend.may(Permission.SCHEDULE) else None
        return super().check_action(action, parameters)

    def palette_commands(self) -> list[SystemCommand]:
        """Board commands for the command palette (the app adds them while this screen shows)."""
        return [
            SystemCommand("Go to today", "Show today's appointments", self.action_today),
            SystemCommand("Next day", "Show the next day", lambda: self.action_shift_day(1)),
            SystemCommand("Previous day", "Show the previous day",
                          lambda: self.action_shift_day(-1)),
            SystemCommand("Next location", "Cycle to the next location",
                          lambda: self.action_cycle_location(1)),
            SystemCommand("Choose location", "Pick a location from a list",
                          self.action_pick_location),
            SystemCommand("Show or hide cancelled", "Toggle cancelled visits on the board",
                          self.action_toggle_cancelled),
            SystemCommand("Refresh board", "Read the day again now", self.reload),
            *([SystemCommand("Needs attention", "Visits outside working time, holds about "
                             "to lapse, overdue callbacks", self.action_needs_attention)]
              if self.check_action("needs_attention", ()) else []),
        ]

    @property
    def selected(self) -> AppointmentView | None:
        """The appointment under the cursor, as the board last showed it."""
        table = self.query_one(DayTable)
        if self.board is None or not table.display or not self.up_to_date:
            return None
        wanted = table.selected_id
        return next((a for a in self.board.appointments if a.id == wanted), None)

    @on(DataTable.RowHighlighted)
    def _moved(self) -> None:
        self.sync_bindings()

    # ------------------------------------------------------------------ reading

    @property
    def shown(self) -> tuple[date, int | None]:
        return self.day, self.location_id

    def shows(self, board: DayBoard) -> tuple[date, int | None]:
        return board.day, board.location_id

    def read(self, shown: tuple[date, int | None]) -> DayBoard:
        return self.backend.load_day(*shown)

    def _places(self, board: DayBoard) -> object:
        return board.locations

    def _new_day(self, before: date) -> bool:
        """Showing today at midnight: go on to the new today."""
        if self.day != before:
            return False
        self._go(self.today, self.location_id)
        return True

    def _go(self, day: date, location_id: int | None) -> None:
        """Show another day or location. A day read ahead at the last poll or since (as fresh
        as what the board shows anyway) is painted at once, with no wait for the database,
        and read again as every poll does: it repaints if the day changed meanwhile."""
        if (day, location_id) == (self.day, self.location_id):
            return
        self.day, self.location_id = day, location_id
        found = self._ahead.get((day, location_id))
        fresh = monotonic() - self._ahead_at <= self.poll_seconds * AHEAD_FRESH_POLLS
        if found is None or self.acting or not fresh:
            self._switch()
            return
        ahead, self._prepared = found
        if self.board is None or ahead.locations != self.board.locations:
            self._places_changed()
        self._settled()
        self.board = ahead
        self._paint()
        drawn = threading.Event()
        self.reload(after=drawn)  # at once (a test waiting on workers waits for it), but
        self.call_after_refresh(drawn.set)  # reading only once the day is drawn
        self._shown_after_switch()

    def _shown_after_switch(self) -> None:
        self.call_after_refresh(self._read_ahead)  # once the day is on screen

    def _tick(self) -> None:
        """Every poll: the days either side are read again too, so that they stay as fresh
        as the day shown and → is quick after any pause (only while the board is in front)."""
        reading = self._ahead_worker is not None and not self._ahead_worker.is_finished
        if self.is_current and self.board is not None and not self._switched and not reading:
            self._read_ahead()

    def _read_ahead(self) -> None:
        """The days → and ← go to from here, read in a worker."""
        if self.acting or not self.is_attached:
            return
        day, where = self.shown
        wanted = [(day + timedelta(days=step), where) for step in AHEAD]
        plan = partial(self._plan, width=self.size.width, show_cancelled=self.show_cancelled,
                       code=self.visit.code)
        self._ahead_worker = self.run_worker(
            partial(self._read_days, wanted, plan), name="_ahead", group="board-ahead",
            exclusive=True, thread=True, exit_on_error=False)

    def _read_days(self, wanted: list[Shown], plan: Callable[[DayBoard], Prepared]
                   ) -> dict[Shown, tuple[DayBoard, Prepared]]:
        """In the worker's thread: each day, and its cells as the board would paint them."""
        return {shown: (board, plan(board)) for shown in wanted
                for board in [self.read(shown)]}

    @staticmethod
    def _plan(board: DayBoard, *, width: int, show_cancelled: bool, code: str | None
              ) -> Prepared:
        """What ``_paint`` shows of ``board`` (pure: a worker's thread may call it)."""
        board = only_visit(board, code)
        rows = board.rows(show_cancelled=show_cancelled)
        columns = plan_columns(width, rows, all_locations=board.location_id is None,
                               location_count=len(board.locations), marks=board.marks)
        return rows, columns, row_cells(rows, columns, board.marks)

    @on(Worker.StateChanged)
    def _read_ahead_done(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "board-ahead" and event.state == WorkerState.SUCCESS:
            self._ahead, self._ahead_at = event.worker.result or {}, monotonic()

    # ------------------------------------------------------------------ painting

    def on_resize(self, _event: Resize) -> None:
        self._paint()

    def _show_title(self) -> None:
        places = self.board.locations if self.board else ()
        when = format_day(self.day)
        if self.day == self.today:
            when += " (today)"
        title = f"{when} · {location_label(places, self.location_id)}"
        if self.visit.code is not None:
            title += f" · {self.visit.label}"
        self.query_one("#board-title", Static).update(title, layout=False)  # one fixed line

    def _paint(self) -> None:
        if self.board is None:
            return
        board = only_visit(self.board, self.visit.code)
        self._show_title()
        rows = board.rows(show_cancelled=self.show_cancelled)
        table = self.query_one(DayTable)
        columns = plan_columns(self.size.width, rows, all_locations=board.location_id is None,
                               location_count=len(board.locations), marks=board.marks)
        prepared, self._prepared = self._prepared, None
        fits = prepared is not None and prepared[0] == rows and prepared[1] == columns
        table.show(rows, columns, prepared[2] if prepared is not None and fits else None,
                   board.marks)
        table.remove_class("-stale")
        table.display = bool(rows)
        empty = self.query_one("#board-empty", Static)
        empty.display = not rows
        empty.update(filtered_empty_message(board, show_cancelled=self.show_cancelled,
                                            label=self.visit.label if self.visit.code else None))
        note = self.query_one("#board-summary", Static)
        note.remove_class("-error")
        note.update(summary(board))
        self.sync_bindings()
