"""The app's first screens while the database opens behind them (migrations, demo seeding):
the start screen, which says what is happening — or, when the database cannot open, why, in
plain words the person can act on — and the :class:`Opening` the sign-in form waits on, so that
the form is on screen and taking keys before any database code has loaded."""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Center, Middle
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from frontdesk.ui.backend.opening import NotOpen, Opening

__all__ = ["Connect", "Early", "NotOpen", "Opening", "Progress", "Report", "StartScreen",
           "freeze_startup_objects"]

if TYPE_CHECKING:
    from frontdesk.ui.backend.door import Opened
    from frontdesk.ui.backend.early import Glance


class Progress(Message, bubble=False):
    """Posted from the opening worker to the app: what it is doing now, in plain words."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class Early(Message, bubble=False):
    """Posted from the opening worker to the app: the SSH login signed in the light way, so the
    board can show before the full backend is open (:mod:`frontdesk.ui.backend.early`)."""

    def __init__(self, seen: Glance) -> None:
        super().__init__()
        self.glance = seen


class Report:
    """How the opening worker tells the app what it is doing (``report("…")``) and that the
    board can show early (``report.early(glance)``, which returns once the person has left the
    keys alone for a moment: the database stack then loads without slowing their first keys)."""

    def __init__(self, post: Callable[[Message], object],
                 quiet: Callable[[], object] = lambda: None) -> None:
        self._post = post
        self._quiet = quiet

    def __call__(self, text: str) -> None:
        self._post(Progress(text))

    def early(self, seen: Glance) -> None:
        self._post(Early(seen))
        self._quiet()


Connect = Callable[[Report], "Opened"]


class StartScreen(Screen[None]):
    """A centred message; ``fail`` turns it into a plain error the person can act on."""

    def compose(self) -> ComposeResult:
        with Middle(), Center():
            yield Static("Opening the database…", id="start-message", markup=False)

    def say(self, message: str) -> None:
        self.query_one("#start-message", Static).update(message)

    def fail(self, message: str) -> None:
        note = self.query_one("#start-message", Static)
        note.add_class("-error")
        note.update(f"{message}\n\nCheck --db or FRONTDESK_DB, then start frontdesk again. "
                    "Press q to quit.")


def freeze_startup_objects() -> None:
    """What start-up built (Textual, SQLAlchemy, the mappers) lives as long as the app: keep the
    garbage collector from walking it again on every later collection (the repaint tails)."""
    gc.freeze()
