"""The all-locations board: every location's day side by side, kept live.

``enter`` returns to the today board showing the focused location on this screen's day (the
today board keeps its keys for acting on visits, so that is where the desk goes next).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import HorizontalScroll
from textual.widgets import Static

from frontdesk.ui.calendar.all_locations.layout import AllLocations, step_focus, visits_total
from frontdesk.ui.calendar.all_locations.panel import LocationPanel
from frontdesk.ui.live import LiveScreen
from frontdesk.ui.navigation import ShowDay
from frontdesk.ui.text import format_day
from frontdesk.ui.widgets.back import name_the_way_back
from frontdesk.ui.widgets.footer import KeyFooter
from frontdesk.ui.widgets.title import TitleRow

if TYPE_CHECKING:
    from frontdesk.ui.backend.door import Backend

DAY = Binding.Group("Day", compact=True)

#: What ``enter`` gives back to the today board: the day and the location to show.
Chosen = tuple[date, int]


class AllLocationsScreen(LiveScreen[AllLocations, Chosen | None]):
    """Reads every few seconds and repaints a panel only when its summary changed."""

    LIVE_GROUP = "all-locations"
    SUMMARY = "#all-summary"
    PICTURE = "#all-panels"
    READ_WHAT = "the locations"
    PLACE_NAME = "All locations"
    FOOTER_ORDER = ("all.open", "all.day_view", "all.next_location", "all.previous_day",
                    "all.back", "all.today", "all.go_to", "app.call")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,backspace", "back", "Board", id="all.back", key_display="esc",
                tooltip="Back to the today board"),
        Binding("left", "shift_day(-1)", "Previous day", id="all.previous_day", key_display="←",
                tooltip="Show the previous day", priority=True, group=DAY),
        Binding("right", "shift_day(1)", "Next day", id="all.next_day", key_display="→",
                tooltip="Show the next day", priority=True, group=DAY),
        Binding("pageup", "shift_day(-7)", "Week back", id="all.previous_week", show=False,
                tooltip="The same weekday a week earlier", priority=True),
        Binding("pagedown", "shift_day(7)", "Week on", id="all.next_week", show=False,
                tooltip="The same weekday a week later", priority=True),
        Binding("t", "today", "Today", id="all.today", tooltip="Back to today"),
        Binding("g", "go_to", "Go to", id="all.go_to", show=False,
                tooltip="Go to a date typed in everyday words"),
        Binding("d", "day_view", "Day view", id="all.day_view",
                tooltip="The focused location's day as a time grid"),
        Binding("tab,l", "focus_panel(1)", "Next location", id="all.next_location",
                key_display="tab", tooltip="Move to the next location's panel", priority=True),
        Binding("shift+tab,L", "focus_panel(-1)", "Previous location", show=False,
                id="all.previous_location", tooltip="Move to the previous location's panel",
                priority=True),
        Binding("enter", "open_location", "Open", id="all.open",
                tooltip="The today board for this location and day"),
        Binding("r", "refresh_all", "Refresh", id="all.refresh", show=False,
                tooltip="Read every location again now (it also refreshes by itself)"),
    ]

    def __init__(self, backend: Backend, *, day: date | None = None,
                 poll_seconds: float = 2.0) -> None:
        super().__init__(backend, poll_seconds=poll_seconds)
        self.day: date = day or self.today

    def compose(self) -> ComposeResult:
        yield TitleRow(title_id="all-title")
        yield Static("Loading…", id="all-summary", markup=False)
        yield HorizontalScroll(id="all-panels", can_focus=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        name_the_way_back(self, "all.back")

    # ------------------------------------------------------------------ actions

    def action_back(self) -> None:
        self.dismiss(None)

    def action_shift_day(self, days: int) -> None:
        self._go(self.day + timedelta(days=days))

    def action_today(self) -> None:
        self.today = self.backend.today()
        self._go(self.today)

    def action_go_to(self) -> None:
        from frontdesk.ui.widgets.go_to import GoToDialog

        def chosen(day: date | None) -> None:
            if day is not None:
                self._go(day)

        self.app.push_screen(GoToDialog(today=self.today), chosen)

    def action_day_view(self) -> None:
        panel = self.focused_panel
        if panel is not None:
            self.post_message(ShowDay(self.day, panel.location_id,
                                      poll_seconds=self.poll_seconds))

    def action_focus_panel(self, step: int) -> None:
        panels = list(self.query(LocationPanel))
        current = self.focused_panel
        index = step_focus(len(panels), panels.index(current) if current else None, step)
        if index is not None:
            panels[index].focus()

    def action_open_location(self) -> None:
        panel = self.focused_panel
        if panel is not None:
            self.dismiss((self.day, panel.location_id))

    def action_refresh_all(self) -> None:
        self.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Panel keys show greyed out until there is a panel."""
        if action in ("focus_panel", "open_location", "day_view"):
            return True if self.query(LocationPanel) else None
        return True

    def palette_commands(self) -> list[SystemCommand]:
        return [
            SystemCommand("All locations: today", "Every location today", self.action_today),
            SystemCommand("Back to the board", "Leave the all-locations board",
                          self.action_back),
        ]

    @property
    def focused_panel(self) -> LocationPanel | None:
        return self.focused if isinstance(self.focused, LocationPanel) else None

    # ------------------------------------------------------------------ reading

    @property
    def shown(self) -> date:
        return self.day

    def shows(self, board: AllLocations) -> date:
        return board.day

    def read(self, shown: date) -> AllLocations:
        from frontdesk.services.board import HORIZON_DAYS, all_locations  # loads SQLModel

        summaries = all_locations(self.backend.ctx, day=shown, horizon_days=HORIZON_DAYS)
        return AllLocations(shown, tuple(summaries), HORIZON_DAYS)

    def _places_changed(self) -> None:
        """Nothing to do: the keys follow the panels, refreshed when they are mounted."""

    def _new_day(self, before: date) -> bool:
        """Showing today at midnight: go on to the new today."""
        if self.day != before:
            return False
        self._go(self.today)
        return True

    def _go(self, day: date) -> None:
        if day == self.day:
            return
        self.day = day
        self._switch()

    # ------------------------------------------------------------------ painting

    def _show_title(self) -> None:
        when = format_day(self.day) + (" (today)" if self.day == self.today else "")
        self.query_one("#all-title", Static).update(f"All locations · {when}")

    async def _paint(self) -> None:
        data = self.board
        if data is None:
            return
        self._show_title()
        row = self.query_one("#all-panels", HorizontalScroll)
        ids = [s.location.id for s in data.summaries]
        panels = list(self.query(LocationPanel))
        if [p.location_id for p in panels] != ids:
            was = self.focused_panel.location_id if self.focused_panel else None
            await row.remove_children()
            panels = [LocationPanel(i, id=f"location-{i}") for i in ids]
            await row.mount_all(panels)
            keep = next((p for p in panels if p.location_id == was), panels[0] if panels else None)
            if keep is not None:
                keep.focus()
            self.refresh_bindings()
        for panel, summary in zip(panels, data.summaries, strict=True):
            panel.show(summary, data.day, horizon_days=data.horizon_days)
        row.remove_class("-stale")
        note = self.query_one("#all-summary", Static)
        note.remove_class("-error")
        note.update(visits_total(data) if ids else "No locations yet.")
