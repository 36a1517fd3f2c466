"""One location's column on the all-locations board: its name as the border title, counts,
who works, and the next open slot per visit type. Focusable so keys can move between panels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message
from textual.widgets import Static

from frontdesk.ui.calendar.all_locations.layout import PANEL_WIDTH, panel_lines

if TYPE_CHECKING:
    from datetime import date

    from textual.events import Focus

    from frontdesk.services.board import LocationSummary


class LocationPanel(Static, can_focus=True):
    DEFAULT_CSS = f"""
    LocationPanel {{
        width: {PANEL_WIDTH}; height: 1fr; padding: 0;
        border: round $panel-lighten-2; border-title-color: $text; border-title-style: bold;
    }}
    LocationPanel:focus {{ border: round $primary; background: $boost; }}
    """

    @dataclass
    class Focused(Message):
        """The panel got the focus (the screen scrolls it into view and remembers it)."""

        panel: LocationPanel

    def __init__(self, location_id: int, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self.location_id = location_id
        self.shown: tuple[LocationSummary, date, int] | None = None

    def show(self, summary: LocationSummary, day: date, *, horizon_days: int) -> None:
        """Repaint only when the summary or its day changed."""
        if self.shown == (summary, day, horizon_days):
            return
        self.shown = (summary, day, horizon_days)
        self.border_title = summary.location.name
        self.update("\n".join(panel_lines(summary, day, horizon_days=horizon_days)))

    @property
    def text(self) -> str:
        """The body as plain text (tests read it)."""
        return str(self.render())

    def on_focus(self, _event: Focus) -> None:
        self.post_message(self.Focused(self))
