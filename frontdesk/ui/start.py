"""What shows while the database opens (migrations, demo seeding) or when it cannot."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Center, Middle
from textual.screen import Screen
from textual.widgets import Footer, Static


class StartScreen(Screen[None]):
    """A centred message; ``fail`` turns it into a plain error the person can act on."""

    def compose(self) -> ComposeResult:
        with Middle(), Center():
            yield Static("Opening the database…", id="start-message", markup=False)
        yield Footer()

    def say(self, message: str) -> None:
        self.query_one("#start-message", Static).update(message)

    def fail(self, message: str) -> None:
        note = self.query_one("#start-message", Static)
        note.add_class("-error")
        note.update(f"{message}\n\nCheck --db or FRONTDESK_DB, then start frontdesk again. "
                    "Press q to quit.")
