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
