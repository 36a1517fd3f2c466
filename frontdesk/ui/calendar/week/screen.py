"""The week view: a week of one location or one provider, a column per day, kept live."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.widgets import Static

from frontdesk.ui.calendar.cells import cycle
from frontdesk.ui.calendar.visit_filter import VisitChoice, VisitFilter
from frontdesk.ui.calendar.week.grid import WeekGridView
from frontdesk.ui.calendar.week.layout import Mode, WeekBoard, monday_of, summary
from frontdesk.ui.live import LiveScreen
from frontdesk.ui.navigation import ShowDay
from frontdesk.ui.text import format_day
from frontdesk.ui.widgets.back import name_the_way_back
from frontdesk.ui.widgets.footer import KeyFooter
from frontdesk.ui.widgets.go_to import GoToDialog
from frontdesk.ui.widgets.pickers import LocationPicker, Picked, ProviderPicker
from frontdesk.ui.widgets.title import TitleRow

if TYPE_CHECKING:
    from frontdesk.services.week import WeekGrid
    from frontdesk.ui.backend.door import Backend

WEEK = Binding.Group("Week", compact=True)
WHO = Binding.Group("Next", compact=True)


class WeekViewScreen(LiveScreen[WeekBoard, None]):
    """Reads its week every few seconds like the day view and redraws only on change."""

    LIVE_GROUP = "week-grid"
    SUMMARY = "#week-summary"
    PICTURE = "#week-grid"
    READ_WHAT = "the week"
    FIXED_SUMMARY = True
    PLACE_NAME = "Week"
    FOOTER_ORDER = ("week.open_day", "week.previous_week", "week.back", "week.next_subject",
                    "week.toggle_mode", "week.this_week", "week.go_to", "week.pick_location",
                    "week.pick_provider", "week.visit_filter", "app.call")

    BINDINGS: ClassVar[list[BindingType]] = [
        # labelled on mount with where it goes back to (the board, or a day view)
        Binding("escape,backspace", "back", "Back", id="week.back", key_display="esc",
                tooltip="Back to where the week was opened from"),
        Binding("left,pageup", "shift_week(-1)", "Previous week", id="week.previous_week",
                key_display="←", tooltip="Show the previous week", priority=True, group=WEEK),
        Binding("right,pagedown", "shift_week(1)", "Next week", id="week.next_week",
                key_display="→", tooltip="Show the next week", priority=True, group=WEEK),
        Binding("t", "this_week", "This week", id="week.this_week", tooltip="Back to this week"),
        Binding("enter", "open_day", "Open", id="week.open_day",
                tooltip="The selected day as a time grid, a column per provider"),
        Binding("m", "toggle_mode", "Mode", id="week.toggle_mode",
                tooltip="Switch between one location's week and one provider's week"),
        Binding("p", "pick_location", "Place", id="week.pick_location",
                tooltip="Pick a location from a list and show its week"),
        Binding("P", "pick_provider", "Provider", id="week.pick_provider",
                tooltip="Pick a provider from a list and show their week"),
        Binding("g", "go_to", "Go to", id="week.go_to",
                tooltip="Go to the week of a date typed in everyday words"),
        Binding("v", "filter_visits", "Visit type", id="week.visit_filter",
                tooltip="Show only one visit type"),
        Binding("l,right_square_bracket", "cycle(1)", "Next", id="week.next_subject",
                key_display="l", group=WHO, tooltip="Next location or provider (also ])"),
        Binding("L,left_square_bracket", "cycle(-1)", "Previous", id="week.previous_subject",
                key_display="L", group=WHO, tooltip="Previous location or provider (also [)"),
        Binding("r", "refresh_week", "Refresh", id="week.refresh", show=False,
                tooltip="Read the week again now (it also refreshes by itself)"),
    ]

    def __init__(self, backend: Backend, *, day: date | None = None,
                 location_id: int | None = None, poll_seconds: float = 2.0,
                 mode: Mode = Mode.LOCATION, subject: int | None = None) -> None:
        """``location_id``: the location's week; or ``mode`` and ``subject`` (provider id)."""
        super().__init__(backend, poll_seconds=poll_seconds)
        self.monday: date = monday_of(day or self.today)
        self.mode = mode
        # None: the first location or provider, chosen by a read
        self.subject = location_id if mode is Mode.LOCATION and subject is None else subject
        self.visit: VisitChoice = VisitChoice(None)  # the visit-type filter

    def compose(self) -> ComposeResult:
        yield TitleRow(title_id="week-title")
        yield Static("Loading…", id="week-summary", markup=False)
        yield WeekGridView(id="week-grid")
        yield Static(id="week-detail", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        name_the_way_back(self, "week.back")

    # ------------------------------------------------------------------ actions

    def action_back(self) -> None:
        self.dismiss()

    def action_shift_week(self, weeks: int) -> None:
        self._go(self.monday + timedelta(weeks=weeks), self.mode, self.subject)

    def action_this_week(self) -> None:
        self.today = self.backend.today()
        self._go(monday_of(self.today), self.mode, self.subject)

    def action_toggle_mode(self) -> None:
        """Provider mode starts on the first provider; location mode on the first location."""
        board = self.board
        if board is None:
            return
        if self.mode is Mode.LOCATION:
            self._go(self.monday, Mode.PROVIDER, cycle([p.id for p in board.providers], None, 1))
        else:
            self._go(self.monday, Mode.LOCATION, cycle([p.id for p in board.locations], None, 1))

    def action_cycle(self, step: int) -> None:
        board = self.board
        if board is not None:
            ids = [p.id for p in (board.providers if self.mode is Mode.PROVIDER
                                  else board.locations)]
            self._go(self.monday, self.mode, cycle(ids, self.subject, step))

    def action_go_to(self) -> None:
        def chosen(day: date | None) -> None:
            if day is not None:
                self._go(monday_of(day), self.mode, self.subject)

        self.app.push_screen(GoToDialog(today=self.today), chosen)

    def action_pick_location(self) -> None:
        def picked(choice: Picked | None) -> None:
            if choice is not None and choice.id is not None:
                self._go(self.monday, Mode.LOCATION, choice.id)

        places = self.board.locations if self.board else ()
        current = self.subject if self.mode is Mode.LOCATION else None
        self.app.push_screen(LocationPicker(places, current, everything=None), picked)

    def action_pick_provider(self) -> None:
        def picked(choice: Picked | None) -> None:
            if choice is not None and choice.id is not None:
                self._go(self.monday, Mode.PROVIDER, choice.id)

        people = self.board.providers if self.board else ()
        current = self.subject if self.mode is Mode.PROVIDER else None
        self.app.push_screen(ProviderPicker(people, current), picked)

    def action_filter_visits(self) -> None:
        def chosen(choice: VisitChoice | None) -> None:
            if choice is not None and choice != self.visit:
                self.visit = choice
                self._paint()

        self.app.push_screen(VisitFilter(self.backend.visit_types, self.visit.code), chosen)

    def action_open_day(self) -> None:
        chosen = self.query_one(WeekGridView).selected_day
        if chosen is not None:
            self.post_message(ShowDay(chosen.day, chosen.location_id,
                                      poll_seconds=self.poll_seconds))

    def action_refresh_week(self) -> None:
        self.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Cycling shows greyed out until there is more than one location or provider."""
        if action in ("pick_location", "pick_provider"):
            board = self.board
            return True if board is not None and (board.locations or board.providers) else None
        if action == "cycle":
            board = self.board
            many = board is not None and len(board.providers if self.mode is Mode.PROVIDER
                                              else board.locations) > 1
            return True if many else None
        return True

    def palette_commands(self) -> list[SystemCommand]:
        return [
            SystemCommand("Week view: this week", "Show this week", self.action_this_week),
            SystemCommand("Week view: location or provider", "Switch what the week shows",
                          self.action_toggle_mode),
            SystemCommand("Week view: choose location", "Pick a location's week",
                          self.action_pick_location),
            SystemCommand("Week view: choose provider", "Pick a provider's week",
                          self.action_pick_provider),
            SystemCommand("Week view: go to a date", "The week of a date typed in words",
                          self.action_go_to),
            SystemCommand("Week view: visit type", "Show only one visit type",
                          self.action_filter_visits),
            SystemCommand("Week view: back", "Leave the week view", self.action_back),
        ]

    # ------------------------------------------------------------------ reading

    @property
    def shown(self) -> tuple[date, Mode, int | None]:
        return self.monday, self.mode, self.subject

    def shows(self, board: WeekBoard) -> tuple[date, Mode, int | None]:
        return board.monday, board.mode, board.subject

    def read(self, shown: tuple[date, Mode, int | None]) -> WeekBoard:
        from frontdesk.services import directory  # services load in the worker
        from frontdesk.services.week import week_grid

        monday, mode, subject = shown
        ctx = self.backend.ctx
        places, people = tuple(directory.locations(ctx)), tuple(directory.providers(ctx))
        ids = [p.id for p in (people if mode is Mode.PROVIDER else places)]
        chosen = subject if subject in ids else (ids[0] if ids else None)
        if chosen is None:
            return WeekBoard(monday, mode, None, places, people, None)
        if mode is Mode.PROVIDER:
            grid = week_grid(ctx, monday=monday, provider_id=chosen)
        else:
            grid = week_grid(ctx, monday=monday, location_id=chosen)
        return WeekBoard(monday, mode, chosen, places, people, grid)

    def _accept(self, board: WeekBoard) -> bool:
        """The first read chooses the location or provider when none was given."""
        if (board.monday, board.mode) != (self.monday, self.mode):
            return False
        if self.subject is None:
            self.subject = board.subject
        return board.subject == self.subject

    def _places(self, board: WeekBoard) -> object:
        return board.locations, board.providers

    def _new_day(self, before: date) -> bool:
        """At midnight the new today is marked; the week stays."""
        self._paint()
        return False

    def _go(self, monday: date, mode: Mode, subject: int | None) -> None:
        if (monday, mode, subject) == (self.monday, self.mode, self.subject):
            return
        self.monday, self.mode, self.subject = monday, mode, subject
        self.refresh_bindings()
        self._switch()

    # ------------------------------------------------------------------ painting

    def _show_title(self) -> None:
        when = f"Week of {format_day(self.monday)}"
        if self.monday == monday_of(self.today):
            when += " (this week)"
        grid = self.board.grid if self.board else None
        same = grid is not None and self.board is not None and (
            self.board.mode, self.board.subject) == (self.mode, self.subject)
        who = grid.name if same and grid is not None else "…"
        only = f" · {self.visit.label}" if self.visit.code is not None else ""
        self.query_one("#week-title", Static).update(f"{when} · {self.mode.value}: {who}{only}",
                                                     layout=False)  # one fixed line

    def _paint(self) -> None:
        board = self.board
        if board is None:
            return
        self._show_title()
        grid = self.query_one(WeekGridView)
        now = None
        if board.grid is not None:
            now = self.backend.ctx.now().astimezone(board.grid.zone).time()
        grid.show(self._filtered(board), self.today, now)
        grid.remove_class("-stale")
        note = self.query_one("#week-summary", Static)
        note.remove_class("-error")
        note.update(summary(board), layout=False)  # one fixed line

    def _filtered(self, board: WeekBoard) -> WeekGrid | None:
        """The week with only the chosen visit type's visits (all of them with no filter)."""
        code, grid = self.visit.code, board.grid
        if code is None or grid is None:
            return grid
        return replace(grid, days=tuple(
            replace(d, appointments=tuple(a for a in d.appointments if a.visit_type_code == code))
            for d in grid.days))

    @on(WeekGridView.Highlighted)
    def _highlighted(self, event: WeekGridView.Highlighted) -> None:
        self.query_one("#week-detail", Static).update(event.description, layout=False)
