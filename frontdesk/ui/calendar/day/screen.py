"""The day view: one location's day as a time grid, a column per provider, kept live.

Acting on the grid goes through the services like the board: the appointment keys (details,
cancel, check in, done, no-show, confirm) come from ``AppointmentKeys``; ``m`` picks a visit up
and Enter puts it down on the cursor's time and provider; ``s`` offers free slots to move it to;
``b`` books a patient on a free cell.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.widgets import Static

from frontdesk.domain.permissions import Permission
from frontdesk.domain.text import printable
from frontdesk.ui.backend.boards import GridBoard
from frontdesk.ui.calendar.cells import location_label
from frontdesk.ui.calendar.day.grid import CalendarGrid
from frontdesk.ui.calendar.day.layout import Kind, next_location, summary
from frontdesk.ui.calendar.day.moving import MoveAndBook
from frontdesk.ui.calendar.visit_filter import VisitChoice, VisitFilter
from frontdesk.ui.navigation import EditHours, ShowAttention, ShowWeek
from frontdesk.ui.text import format_day
from frontdesk.ui.widgets.back import name_the_way_back
from frontdesk.ui.widgets.footer import KeyFooter
from frontdesk.ui.widgets.go_to import GoToDialog
from frontdesk.ui.widgets.pickers import LocationPicker, Picked, ProviderPicker
from frontdesk.ui.widgets.title import TitleRow

if TYPE_CHECKING:
    from frontdesk.services.views import AppointmentView
    from frontdesk.ui.backend.door import Backend

DAY = Binding.Group("Day", compact=True)
PLACE = Binding.Group("Location", compact=True)
MOVE = Binding.Group("Move", compact=True)


class DayViewScreen(MoveAndBook):
    """Reads its day every few seconds like the today board and redraws only on change."""

    LIVE_GROUP = "day-grid"
    SUMMARY = "#day-summary"
    PICTURE = "#day-grid"
    READ_WHAT = "the day"
    FIXED_SUMMARY = True
    DIM_AFTER = 0.15
    FOOTER_ACTIONS = (*MoveAndBook.FOOTER_ACTIONS, ("move_visit", ()), ("offer_slots", ()),
                      ("book_here", ()), ("cycle_location", ()), ("back", ()))
    PLACE_NAME = "Day view"
    #: A scheduler's day: the visit in hand, booking and moving, the next day, the way back.
    FOOTER_ORDER = ("app.call", "board.details", "day.book", "day.move", "day.previous_day",
                    "board.check_in", "day.back", "board.cancel", "day.week_view", "day.go_to",
                    "day.today", "day.next_location", "day.pick_location", "day.pick_provider",
                    "day.visit_filter", "day.edit_schedule", "app.treatments", "app.report",
                    "app.quit")

    BINDINGS: ClassVar[list[BindingType]] = [  # after the appointment keys
        Binding("m", "move_visit", "Move", id="day.move", group=MOVE,
                tooltip="Pick the selected visit up; Enter puts it on the cursor's time"),
        Binding("s", "offer_slots", "Slots", id="day.offer_slots", group=MOVE,
                tooltip="Move the selected visit to one of the offered free times"),
        Binding("b", "book_here", "Book", id="day.book",
                tooltip="Book a patient on the free time under the cursor"),
        Binding("left", "shift_day(-1)", "Previous day", id="day.previous_day", key_display="←",
                tooltip="Show the previous day", priority=True, group=DAY),
        Binding("right", "shift_day(1)", "Next day", id="day.next_day", key_display="→",
                tooltip="Show the next day", priority=True, group=DAY),
        Binding("escape,backspace", "back", "Back", id="day.back", key_display="esc",
                tooltip="Back to where the day view was opened from (or stop moving a visit)"),
        Binding("pageup", "shift_day(-7)", "Week back", id="day.previous_week", show=False,
                tooltip="The same weekday a week earlier", priority=True),
        Binding("pagedown", "shift_day(7)", "Week on", id="day.next_week", show=False,
                tooltip="The same weekday a week later", priority=True),
        Binding("t", "today", "Today", id="day.today", tooltip="Back to today"),
        Binding("g", "go_to", "Go to", id="day.go_to",
                tooltip="Go to a date typed in everyday words (next tue, 12/3, in 2 weeks)"),
        Binding("l", "cycle_location(1)", "Next location", id="day.next_location",
                tooltip="Next location", group=PLACE),
        Binding("L", "cycle_location(-1)", "Previous location", id="day.previous_location",
                tooltip="Previous location", group=PLACE),
        Binding("p", "pick_location", "Place", id="day.pick_location",
                tooltip="Pick the location from a list"),
        Binding("P", "pick_provider", "Provider", id="day.pick_provider",
                tooltip="Pick a provider: the cursor goes to their column, or to their week"),
        Binding("v", "filter_visits", "Visit type", id="day.visit_filter",
                tooltip="Show one visit type plainly, the others faint"),
        Binding("w", "week_view", "Week", id="day.week_view",
                tooltip="This location's week"),
        Binding("e", "edit_schedule", "Hours", id="day.edit_schedule",
                tooltip="The cursor's provider: weekly hours and closures"),
        Binding("r", "refresh_grid", "Refresh", id="day.refresh", show=False,
                tooltip="Read the day again now (it also refreshes by itself)"),
        Binding("exclamation_mark", "needs_attention", "Attention", id="day.needs_attention",
                key_display="!", show=False, tooltip="Schedulers: the visits marked ! "
                "(outside working time), holds about to lapse and overdue callbacks"),
    ]

    def __init__(self, backend: Backend, *, day: date | None = None,
                 location_id: int | None = None, poll_seconds: float = 2.0,
                 visit_id: int | None = None, move: bool = False) -> None:
        """``visit_id``: the cursor goes to that visit once the day is read (picked up to
        move when ``move``: how the needs-attention list hands a visit over)."""
        super().__init__(backend, poll_seconds=poll_seconds)
        self.day: date = day or self.today
        self.location_id = location_id  # None: the first location, chosen by the first read
        self._wanted: tuple[int, bool] | None = (visit_id, move) if visit_id else None
        self.visit: VisitChoice = VisitChoice(None)  # the visit-type filter
        self.moving: AppointmentView | None = None  # picked up with m, put down with Enter
        self.acting = False

    def compose(self) -> ComposeResult:
        yield TitleRow(title_id="day-title")
        yield Static("Loading…", id="day-summary", markup=False)
        yield CalendarGrid(id="day-grid")
        yield Static(id="day-detail", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        name_the_way_back(self, "day.back", also=" (or stop moving a visit)")

    # ------------------------------------------------------------------ actions

    def action_back(self) -> None:
        if self.moving is not None:
            self._stop_moving("Move stopped; nothing was changed.")
        else:
            self.dismiss()

    def action_shift_day(self, days: int) -> None:
        self._go(self.day + timedelta(days=days), self.location_id)

    def action_today(self) -> None:
        self.today = self.backend.today()
        self._go(self.today, self.location_id)

    def action_go_to(self) -> None:
        def chosen(day: date | None) -> None:
            if day is not None:
                self._go(day, self.location_id)

        self.app.push_screen(GoToDialog(today=self.today), chosen)

    def action_cycle_location(self, step: int) -> None:
        places = self.board.locations if self.board else ()
        self._go(self.day, next_location(places, self.location_id, step))

    def action_pick_location(self) -> None:
        def picked(choice: Picked | None) -> None:
            if choice is not None and choice.id is not None:
                self._go(self.day, choice.id)

        places = self.board.locations if self.board else ()
        self.app.push_screen(LocationPicker(places, self.location_id, everything=None), picked)

    def action_pick_provider(self) -> None:
        """Their column here when they work here that day, else their week."""
        self._pick_provider()

    @work(thread=True, exclusive=True, group="providers", exit_on_error=False)
    def _pick_provider(self) -> None:
        from frontdesk.services import directory

        people = directory.providers(self.backend.ctx)
        self.app.call_from_thread(self._show_provider_picker, people)

    def _show_provider_picker(self, people: list[object]) -> None:
        from frontdesk.services.views import ProviderView

        found = [p for p in people if isinstance(p, ProviderView)]
        grid = self.query_one(CalendarGrid)
        here = grid.cursor_cell[1].provider_id if grid.cursor_cell else None

        def picked(choice: Picked | None) -> None:
            if choice is None or choice.id is None:
                return
            if not grid.to_provider(choice.id):
                self.notify("Not working here this day: showing their week.", markup=False)
                self.post_message(ShowWeek(self.day, provider_id=choice.id,
                                           poll_seconds=self.poll_seconds))

        self.app.push_screen(ProviderPicker(found, here), picked)

    def action_filter_visits(self) -> None:
        def chosen(choice: VisitChoice | None) -> None:
            if choice is not None and choice != self.visit:
                self.visit = choice
                self.query_one(CalendarGrid).only(choice.code)
                self._show_title()

        self.app.push_screen(VisitFilter(self.backend.visit_types, self.visit.code), chosen)

    def action_week_view(self) -> None:
        self.post_message(ShowWeek(self.day, location_id=self.location_id,
                                   poll_seconds=self.poll_seconds))

    def action_edit_schedule(self) -> None:
        cell = self.query_one(CalendarGrid).cursor_cell
        self.post_message(EditHours(cell[1].provider_id if cell else None))

    def action_refresh_grid(self) -> None:
        self.reload()

    def action_needs_attention(self) -> None:
        if self.check_action("needs_attention", ()):
            self.post_message(ShowAttention(self.location_id, poll_seconds=self.poll_seconds))

    # ------------------------------------------------------------------ appointment keys

    @property
    def selected(self) -> AppointmentView | None:
        """The visit under the cursor, as the grid last showed it."""
        cell = self.query_one(CalendarGrid).cursor_cell
        if cell is None or cell[0].kind is not Kind.VISIT or not self.up_to_date:
            return None
        return cell[0].appt

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys show greyed out until they apply to what the cursor is on (the services still
        have the last word). None, never False: a footer whose keys come and go is rebuilt on
        every move, which costs more than the rest of a repaint."""
        if action == "cycle_location":
            return True if self.board is not None and len(self.board.locations) > 1 else None
        if self.moving is not None:  # only putting down, looking around and stopping
            return True if action in ("details", "back", "shift_day", "today", "go_to",
                                      "cycle_location", "pick_location", "refresh_grid") else None
        if action in ("move_visit", "offer_slots"):
            appt = self.selected
            movable = appt is not None and appt.status.value in ("booked", "confirmed")
            return True if movable and self.backend.staff and not self.acting else None
        if action == "book_here":
            usable = self.free_cell is not None and self.backend.staff and not self.acting
            return True if usable else None
        if action in ("edit_schedule", "needs_attention"):
            return True if self.backend.may(Permission.SCHEDULE) else None
        return super().check_action(action, parameters)

    def palette_commands(self) -> list[SystemCommand]:
        return [
            SystemCommand("Day view: today", "Show today's grid", self.action_today),
            SystemCommand("Day view: go to a date", "Type a date in everyday words",
                          self.action_go_to),
            SystemCommand("Day view: choose location", "Pick the location from a list",
                          self.action_pick_location),
            SystemCommand("Day view: choose provider", "Go to a provider's column or week",
                          self.action_pick_provider),
            SystemCommand("Day view: visit type", "Show one visit type plainly",
                          self.action_filter_visits),
            SystemCommand("Day view: week", "This location's week", self.action_week_view),
            *([SystemCommand("Day view: weekly hours and closures",
                             "Edit the cursor's provider's templates and closures",
                             self.action_edit_schedule)]
              if self.backend.may(Permission.SCHEDULE) else []),
            *([SystemCommand("Needs attention", "Visits outside working time, holds about "
                             "to lapse, overdue callbacks", self.action_needs_attention)]
              if self.backend.may(Permission.SCHEDULE) else []),
            SystemCommand("Back to the board", "Leave the day view", self.action_back),
        ]

    # ------------------------------------------------------------------ reading

    @property
    def shown(self) -> tuple[date, int | None]:
        return self.day, self.location_id

    def shows(self, board: GridBoard) -> tuple[date, int | None]:
        return board.day, board.location_id

    def read(self, shown: tuple[date, int | None]) -> GridBoard:
        return self.backend.load_grid(*shown)

    def _accept(self, board: GridBoard) -> bool:
        """The first read chooses the location when none was given."""
        if board.day != self.day:
            return False
        if self.location_id is None:
            self.location_id = board.location_id
        return board.location_id == self.location_id

    def _places(self, board: GridBoard) -> object:
        return board.locations

    def _places_changed(self) -> None:
        self.sync_bindings()

    def _new_day(self, before: date) -> bool:
        """Showing today at midnight: go on to the new today."""
        if self.day != before:
            return False
        self._go(self.today, self.location_id)
        return True

    def _tick(self) -> None:
        """The now line moves even when nothing else changed."""
        if self.board is not None:
            self.query_one(CalendarGrid).show(self.board.grid, self.backend.ctx.now(),
                                              marks=self.board.marks)

    def _go(self, day: date, location_id: int | None) -> None:
        if (day, location_id) == (self.day, self.location_id):
            return
        self.day, self.location_id = day, location_id
        self._switch()

    # ------------------------------------------------------------------ painting

    def _show_title(self) -> None:
        places = self.board.locations if self.board else ()
        when = format_day(self.day) + (" (today)" if self.day == self.today else "")
        where = location_label(places, self.location_id) if self.location_id else "…"
        only = f" · {self.visit.label}" if self.visit.code is not None else ""
        self.query_one("#day-title", Static).update(f"Day view · {when} · {where}{only}",
                                                    layout=False)  # one fixed line

    def _paint(self) -> None:
        board = self.board
        if board is None:
            return
        self._show_title()
        grid = self.query_one(CalendarGrid)
        grid.show(board.grid, self.backend.ctx.now(), keep=self.moving is not None,
                  marks=board.marks)
        grid.remove_class("-stale")
        note = self.query_one("#day-summary", Static)
        note.remove_class("-error")
        if self.moving is None:
            note.update(summary(board), layout=False)  # a fixed line: no relayout
        if self._wanted is not None:
            self._go_to_wanted(*self._wanted)
        self.sync_bindings()

    def _go_to_wanted(self, visit_id: int, move: bool) -> None:
        """The cursor on the visit the day view was opened for; picked up when asked."""
        self._wanted = None
        if not self.query_one(CalendarGrid).to_visit(visit_id):
            self.notify("That visit is no longer here as it was (changed meanwhile?).",
                        severity="warning", markup=False)
            return
        if move and self.check_action("move_visit", ()):
            self.action_move_visit()

    @on(CalendarGrid.Highlighted)
    def _highlighted(self, event: CalendarGrid.Highlighted) -> None:
        detail = event.description
        cell = self.query_one(CalendarGrid).cursor_cell
        if self.moving is not None and cell is not None:
            local = cell[2].astimezone(self.moving.local_start.tzinfo)
            here = detail.rsplit(" · ", 1)[-1] if cell[0].kind is not Kind.VISIT else "a visit"
            detail = (f"Enter: move {printable(self.moving.patient_short)} to {local:%H:%M} with "
                      f"{cell[1].name} · here now: {here}")
        self.query_one("#day-detail", Static).update(detail, layout=False)  # two fixed lines
        self.sync_bindings()
