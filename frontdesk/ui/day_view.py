"""The day view: one location's day as a time grid, a column per provider, kept live."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual.worker import Worker, WorkerState

from frontdesk.ui.board import format_day, location_label
from frontdesk.ui.grid_layout import GridBoard, next_location, summary
from frontdesk.ui.widgets.calendar_grid import CalendarGrid

if TYPE_CHECKING:
    from frontdesk.ui.backend import Backend

DAY = Binding.Group("Day", compact=True)
PLACE = Binding.Group("Location", compact=True)


class DayViewScreen(Screen[None]):
    """Polls its day every few seconds like the today board and redraws only on change."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,backspace", "back", "Board", id="day.back", key_display="esc",
                tooltip="Back to the today board"),
        Binding("left", "shift_day(-1)", "Previous day", id="day.previous_day", key_display="←",
                tooltip="Show the previous day", priority=True, group=DAY),
        Binding("right", "shift_day(1)", "Next day", id="day.next_day", key_display="→",
                tooltip="Show the next day", priority=True, group=DAY),
        Binding("t", "today", "Today", id="day.today", tooltip="Back to today"),
        Binding("l", "cycle_location(1)", "Next location", id="day.next_location",
                tooltip="Next location", group=PLACE),
        Binding("L", "cycle_location(-1)", "Previous location", id="day.previous_location",
                tooltip="Previous location", group=PLACE),
        Binding("r", "refresh_grid", "Refresh", id="day.refresh", show=False,
                tooltip="Read the day again now (it also refreshes by itself)"),
    ]

    def __init__(self, backend: Backend, *, day: date | None = None,
                 location_id: int | None = None, poll_seconds: float = 2.0) -> None:
        super().__init__()
        self.backend = backend
        self.poll_seconds = poll_seconds
        self.today: date = backend.today()
        self.day: date = day or self.today
        self.location_id = location_id  # None: the first location, chosen by the first read
        self.board: GridBoard | None = None
        self._loading: Worker[GridBoard] | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="day-title", markup=False)
        yield Static("Loading…", id="day-summary", markup=False)
        yield CalendarGrid(id="day-grid")
        yield Static(id="day-detail", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self._show_title()
        self.reload()
        self.set_interval(self.poll_seconds, self._poll, name="day-poll")

    # ------------------------------------------------------------------ actions

    def action_back(self) -> None:
        self.dismiss()

    def action_shift_day(self, days: int) -> None:
        self._go(self.day + timedelta(days=days), self.location_id)

    def action_today(self) -> None:
        self.today = self.backend.today()
        self._go(self.today, self.location_id)

    def action_cycle_location(self, step: int) -> None:
        places = self.board.locations if self.board else ()
        self._go(self.day, next_location(places, self.location_id, step))

    def action_refresh_grid(self) -> None:
        self.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Location keys show greyed out until there is more than one location."""
        if action == "cycle_location":
            return True if self.board is not None and len(self.board.locations) > 1 else None
        return True

    def palette_commands(self) -> list[SystemCommand]:
        return [
            SystemCommand("Day view: today", "Show today's grid", self.action_today),
            SystemCommand("Day view: next location", "Show the next location's day",
                          lambda: self.action_cycle_location(1)),
            SystemCommand("Back to the board", "Leave the day view", self.action_back),
        ]

    @property
    def up_to_date(self) -> bool:
        """The grid shows the day and location the title names (tests wait for this)."""
        board = self.board
        return (board is not None and (board.day, board.location_id) == (self.day, self.location_id)
                and not self.query_one(CalendarGrid).has_class("-stale"))

    # ------------------------------------------------------------------ loading

    def reload(self) -> None:
        self._loading = self._load(self.day, self.location_id)

    @work(thread=True, exclusive=True, group="day-grid", exit_on_error=False)
    def _load(self, day: date, location_id: int | None) -> GridBoard:
        from frontdesk.ui.grid_backend import load_grid  # services load in the worker

        return load_grid(self.backend, day, location_id)

    def _poll(self) -> None:
        """Follow midnight when showing today; move the now line; reread unless reading."""
        today = self.backend.today()
        if today != self.today:
            was_today, self.today = self.day == self.today, today
            if was_today:
                self._go(today, self.location_id)
                return
        if self.board is not None:  # the now line moves even when nothing else changed
            self.query_one(CalendarGrid).show(self.board.grid, self.backend.ctx.now())
        if self._loading is None or self._loading.is_finished:
            self.reload()

    def _go(self, day: date, location_id: int | None) -> None:
        if (day, location_id) == (self.day, self.location_id):
            return
        self.day, self.location_id = day, location_id
        self._show_title()
        self.query_one(CalendarGrid).add_class("-stale")
        self.query_one("#day-summary", Static).update("Loading…")
        self.reload()

    @on(Worker.StateChanged)
    def _loaded(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group != "day-grid" or worker is not self._loading:
            return
        note = self.query_one("#day-summary", Static)
        if event.state == WorkerState.ERROR:
            note.add_class("-error")
            reason = str(worker.error).splitlines()[0][:120] if worker.error else "unknown error"
            note.update(f"Could not read the day ({reason}); trying again.")
        elif event.state == WorkerState.SUCCESS:
            board: GridBoard | None = worker.result
            if board is None or board.day != self.day:
                return
            if self.location_id is None:
                self.location_id = board.location_id
            if board.location_id != self.location_id:
                return
            if self.board is None or board.locations != self.board.locations:
                self.refresh_bindings()
            changed = board != self.board or note.has_class("-error")
            self.board = board
            if changed or self.query_one(CalendarGrid).has_class("-stale"):
                self._paint()

    # ------------------------------------------------------------------ painting

    def _show_title(self) -> None:
        places = self.board.locations if self.board else ()
        when = format_day(self.day) + (" (today)" if self.day == self.today else "")
        where = location_label(places, self.location_id) if self.location_id else "…"
        self.query_one("#day-title", Static).update(f"Day view · {when} · {where}")

    def _paint(self) -> None:
        board = self.board
        if board is None:
            return
        self._show_title()
        grid = self.query_one(CalendarGrid)
        grid.show(board.grid, self.backend.ctx.now())
        grid.remove_class("-stale")
        note = self.query_one("#day-summary", Static)
        note.remove_class("-error")
        note.update(summary(board))

    @on(CalendarGrid.Highlighted)
    def _highlighted(self, event: CalendarGrid.Highlighted) -> None:
        self.query_one("#day-detail", Static).update(event.description)
