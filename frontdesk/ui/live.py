"""The base of every screen that shows what other people change (the calendar's board, day,
week and all-locations views): written once, so each screen only says what it shows.

The screen names what it should show (``shown``: a day and location, a week and subject), how
to read that in a thread (``read``) and what a read holds (``shows``). The base reads it when
the screen mounts, again every ``poll_seconds`` (following midnight), and whenever the screen
goes elsewhere; it repaints only when a read differs from the last, marks the picture stale
and says "Loading…" while a new one is read (at once, or only once the read proves slow:
``DIM_AFTER``), and "Could not read …; trying again" when a read fails. ``up_to_date`` says
when the picture is the one the title names.
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Hashable
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from textual import events, on
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import Worker, WorkerState

if TYPE_CHECKING:
    from textual.timer import Timer

    from frontdesk.ui.backend.door import Backend

BoardT = TypeVar("BoardT")
AFTER_WAIT = 0.25  # seconds at most a read waits for its ``after`` (see ``reload``)
ResultT = TypeVar("ResultT")


class LiveScreen(Screen[ResultT], Generic[BoardT, ResultT]):
    """Keeps ``board`` (the last read) current; subclasses say what to show and how to draw it."""

    #: The read's worker group (one read at a time: a new one cancels the one on its way).
    LIVE_GROUP: ClassVar[str]
    #: The ``Static`` that sums up the picture, and says "Loading…" or why a read failed.
    SUMMARY: ClassVar[str]
    #: The widget that dims (class ``-stale``) while the picture is not the one named.
    PICTURE: ClassVar[str]
    #: What a failed read could not read: "the appointments", "the week".
    READ_WHAT: ClassVar[str]
    #: The summary is one fixed line: updating it needs no new layout.
    FIXED_SUMMARY: ClassVar[bool] = False
    #: Seconds a new picture may take to read before the old one dims and the summary says
    #: "Loading…"; None: at once. A quick read then paints once, with no dim frame before it
    #: (a whole extra repaint, and a relayout when the summary's height changes).
    DIM_AFTER: ClassVar[float | None] = None

    backend: Backend
    acting: bool = False  # a change is being written; its worker rereads the picture

    def __init__(self, backend: Backend, *, poll_seconds: float = 2.0,
                 first: BoardT | None = None) -> None:
        """``first``: a picture read already (the early board's, read with the sign-in), drawn
        at once if it is what the screen shows; it is read again at once all the same."""
        super().__init__()
        self.backend = backend
        self.poll_seconds = poll_seconds
        self.today: date = backend.today()
        self.board: BoardT | None = None
        self._first = first
        self._loading: Worker[BoardT] | None = None
        self._switched = False  # gone elsewhere; the new picture is not painted yet
        self._dim_timer: Timer | None = None

    # ------------------------------------------------------------------ what the screen says

    @property
    def shown(self) -> Hashable:
        """What the screen should show now, e.g. ``(day, location_id)``."""
        raise NotImplementedError

    def shows(self, board: BoardT) -> Hashable:
        """What ``board`` holds, in the terms of :attr:`shown`."""
        raise NotImplementedError

    def read(self, shown: Any) -> BoardT:
        """Read what ``shown`` names (runs in a worker thread)."""
        raise NotImplementedError

    def _show_title(self) -> None:
        raise NotImplementedError

    def _paint(self) -> None | Awaitable[None]:
        """Draw ``board`` (the last read)."""
        raise NotImplementedError

    def _accept(self, board: BoardT) -> bool:
        """Whether a finished read is still what the screen shows. A screen whose first read
        chooses (the first location, the first provider) takes that choice here."""
        return self.shows(board) == self.shown

    def _places(self, board: BoardT) -> object:
        """What the screen's keys depend on besides the picture (the locations to cycle)."""
        return None

    def _places_changed(self) -> None:
        self.refresh_bindings()

    def _new_day(self, before: date) -> bool:
        """The date changed (it was ``before``) while the screen showed; True when the screen
        went to the new day (which reads it)."""
        return False

    def _mark_stale(self) -> None:
        self.query_one(self.PICTURE).add_class("-stale")

    def _slow_read(self) -> None:
        """The new picture takes a while to read: the old one dims until it comes."""
        self._dim_timer = None
        if self._switched:
            self._mark_stale()
            self._say("Loading…")

    def _shown_after_switch(self) -> None:
        """The picture the screen went elsewhere for has been read (and painted, if it
        changed). A hook: the board reads the days around it ahead."""

    def _settled(self) -> None:
        """The picture read is the one the screen names (it is painted next, if it changed)."""
        self._switched = False
        self._no_slow_read()

    def _no_slow_read(self) -> None:
        if self._dim_timer is not None:
            self._dim_timer.stop()
            self._dim_timer = None

    # ------------------------------------------------------------------ reading

    @on(events.Mount)
    async def _start_reading(self) -> None:
        """After the screen's own ``on_mount``, if it has one."""
        self._show_title()
        first, self._first = self._first, None
        if first is not None and self._accept(first):
            self._places_changed()
            self.board = first
            painted = self._paint()
            if painted is not None:
                await painted
        self.reload()
        self.set_interval(self.poll_seconds, self._poll, name=f"{self.LIVE_GROUP}-poll")

    def reload(self, *, after: threading.Event | None = None) -> None:
        """Read what the screen shows, in a worker; ``after``: once that is set (a short
        wait at most), so that the read does not hold the interpreter while a frame is drawn.
        """
        self._loading = self.run_worker(partial(self._read_after, self.shown, after),
                                        name="_load", group=self.LIVE_GROUP, exclusive=True,
                                        thread=True, exit_on_error=False)

    def _read_after(self, shown: Any, after: threading.Event | None) -> BoardT:
        if after is not None:
            after.wait(timeout=AFTER_WAIT)
        return self.read(shown)

    @property
    def up_to_date(self) -> bool:
        """The picture is the one the title names (tests wait for this)."""
        board = self.board
        return (board is not None and not self._switched and self.shows(board) == self.shown
                and not self.query_one(self.PICTURE).has_class("-stale"))

    def _poll(self) -> None:
        """Follow midnight; then read again, unless a read or a change is on its way."""
        today = self.backend.today()
        if today != self.today:
            before, self.today = self.today, today
            if self._new_day(before):
                return
        self._tick()
        if not self.acting and (self._loading is None or self._loading.is_finished):
            self.reload()

    def _tick(self) -> None:
        """Every poll, read or not (the day view moves its now line)."""

    def _switch(self) -> None:
        """The screen goes elsewhere: the title says so now, the old picture dims, and the new
        one is read (with ``DIM_AFTER``, the dimming and "Loading…" wait for a slow read)."""
        self._switched = True
        self._show_title()
        if self.DIM_AFTER is None:
            self._mark_stale()
            self._say("Loading…")
        else:
            self._no_slow_read()
            self._dim_timer = self.set_timer(self.DIM_AFTER, self._slow_read)
        self.reload()

    def _say(self, text: str) -> None:
        self.query_one(self.SUMMARY, Static).update(text, layout=not self.FIXED_SUMMARY)

    @on(Worker.StateChanged)
    async def _read_done(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group != self.LIVE_GROUP or worker is not self._loading:
            return
        note = self.query_one(self.SUMMARY, Static)
        if event.state == WorkerState.ERROR:
            self._no_slow_read()  # what failed to read is no longer on its way
            if self._switched:
                self._mark_stale()
            note.add_class("-error")
            reason = str(worker.error).splitlines()[0][:120] if worker.error else "unknown error"
            note.update(f"Could not read {self.READ_WHAT} ({reason}); trying again.")
        elif event.state == WorkerState.SUCCESS:
            board: BoardT | None = worker.result
            if board is None or not self._accept(board):
                return
            if self.board is None or self._places(board) != self._places(self.board):
                self._places_changed()
            switched = self._switched
            changed = (board != self.board or note.has_class("-error") or switched
                       or self.query_one(self.PICTURE).has_class("-stale"))
            self._settled()
            self.board = board
            if changed:
                painted = self._paint()
                if painted is not None:
                    await painted
            if switched:
                self._shown_after_switch()
