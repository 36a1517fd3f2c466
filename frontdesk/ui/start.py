"""The app's first screens while the database opens behind them (migrations, demo seeding):
the start screen, which says what is happening — or, when the database cannot open, why, in
plain words the person can act on — and the :class:`Opening` the sign-in form waits on, so that
the form is on screen and taking keys before any database code has loaded."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Center, Middle
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static

if TYPE_CHECKING:
    from frontdesk.ui.backend.door import Backend, Opened

Report = Callable[[str], object]
Connect = Callable[[Report], "Opened"]


class Progress(Message, bubble=False):
    """Posted from the opening worker to the app: what it is doing now, in plain words."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class NotOpen(Exception):
    """The database could not be opened (the start screen says why)."""


class Opening:
    """The backend being opened in a worker. ``wait()`` (from another worker thread: it blocks)
    gives it once it is open, or raises :class:`NotOpen`."""

    def __init__(self) -> None:
        self._done = threading.Event()
        self._backend: Backend | None = None
        self._error = ""

    @property
    def ready(self) -> bool:
        return self._done.is_set()

    def opened(self, backend: Backend) -> None:
        self._backend = backend
        self._done.set()

    def failed(self, reason: str) -> None:
        self._error = reason
        self._done.set()

    def wait(self) -> Backend:
        self._done.wait()
        if self._backend is None:
            raise NotOpen(self._error)
        return self._backend


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


def freeze_startup_objects() -> None:
    """What start-up built (Textual, SQLAlchemy, the mappers) lives as long as the app: keep the
    garbage collector from walking it again on every later collection (the repaint tails)."""
    gc.freeze()
