"""The backend being opened in a worker, and what waits for it: the sign-in form (a password
typed before the database is open is checked once it is) and the early board
(:mod:`frontdesk.ui.backend.early`)."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from frontdesk.ui.backend.door import Backend


class NotOpen(Exception):
    """The database could not be opened (the start screen says why)."""


class Opening:
    """The backend being opened in a worker. ``wait()`` (from another worker thread: it blocks)
    gives it once it is open, or raises :class:`NotOpen`.

    The opening worker itself settles it (:meth:`opened` or :meth:`failed`), never the event
    loop: a waiter must not depend on the loop, which may be busy or gone. The first word
    stands; :meth:`failed` after it changes nothing (the app closing wakes every waiter)."""

    def __init__(self) -> None:
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._backend: Backend | None = None
        self._error = ""

    @property
    def ready(self) -> bool:
        """Settled: open, or failed."""
        return self._done.is_set()

    @property
    def open(self) -> bool:
        return self._done.is_set() and self._backend is not None

    def opened(self, backend: Backend) -> None:
        with self._lock:
            if not self._done.is_set():
                self._backend = backend
                self._done.set()

    def failed(self, reason: str) -> None:
        with self._lock:
            if not self._done.is_set():
                self._error = reason
                self._done.set()

    def wait(self) -> Backend:
        self._done.wait()
        if self._backend is None:
            raise NotOpen(self._error)
        return self._backend
