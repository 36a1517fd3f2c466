"""The app's first screen: it paints at once, then opens the database in a worker (migrations,
demo seeding) and says what it is doing — or, when the database cannot open, why, in plain
words the person can act on."""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Center, Middle
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual.worker import Worker, WorkerState

if TYPE_CHECKING:
    from frontdesk.ui.backend.door import Backend, Opened

Report = Callable[[str], object]
Connect = Callable[[Report], "Opened"]


class Progress(Message, bubble=False):
    """Posted from the opening worker to the start screen: what it is doing now, in plain
    words."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class StartScreen(Screen[None]):
    """A centred message; ``fail`` turns it into a plain error the person can act on."""

    class Ready(Message):
        """The database is open: ``backend`` is ready for whoever signs in."""

        def __init__(self, backend: Backend) -> None:
            super().__init__()
            self.backend = backend

    def __init__(self, connect: Connect, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self._connect = connect

    def compose(self) -> ComposeResult:
        with Middle(), Center():
            yield Static("Opening the database…", id="start-message", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.call_after_refresh(self._open)  # paint first, then open the database

    def say(self, message: str) -> None:
        self.query_one("#start-message", Static).update(message)

    def fail(self, message: str) -> None:
        note = self.query_one("#start-message", Static)
        note.add_class("-error")
        note.update(f"{message}\n\nCheck --db or FRONTDESK_DB, then start frontdesk again. "
                    "Press q to quit.")

    @work(thread=True, exclusive=True, group="open", exit_on_error=False)
    def _open(self) -> Opened:
        return self._connect(lambda text: self.post_message(Progress(text)))

    @on(Progress)
    def _progress(self, event: Progress) -> None:
        self.say(event.text)

    @on(Worker.StateChanged)
    def _opened(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "open":
            return
        if event.state == WorkerState.ERROR:
            self.fail(f"Cannot open the database ({type(event.worker.error).__name__}).")
        elif event.state == WorkerState.SUCCESS:
            opened: Opened | None = event.worker.result
            if opened is None:
                return
            if opened.problems:  # file, key and reason only: nothing about patients
                self.notify("\n".join(opened.problems), title="Settings: defaults used for",
                            severity="warning", timeout=20, markup=False)
            if opened.warnings:  # file names and modes only
                self.notify("\n".join(opened.warnings), title="Patient data not private",
                            severity="warning", timeout=30, markup=False)
            if opened.backend is None:
                self.fail(opened.error)
            else:
                self.post_message(self.Ready(opened.backend))


def freeze_startup_objects() -> None:
    """What start-up built (Textual, SQLAlchemy, the mappers) lives as long as the app: keep the
    garbage collector from walking it again on every later collection (the repaint tails)."""
    gc.freeze()
