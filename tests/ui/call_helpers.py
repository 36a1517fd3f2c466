"""Helpers the call tests share: an app on a test database, waiting for its workers, reading
a Static's text."""

from __future__ import annotations

import contextlib
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input, Static
from textual.worker import WorkerCancelled, WorkerFailed

from frontdesk.services.context import Context
from frontdesk.ui.app import FrontDeskApp

SLOW = 60.0  # the board's poll, out of the way


def app_for(ctx: Context, *, staff: str | None = None) -> FrontDeskApp:
    """The app signed in as ``staff`` (None: the first receptionist)."""
    return FrontDeskApp(context=ctx, poll_seconds=SLOW, staff=staff)


async def quiet(pilot: Pilot[None]) -> None:
    """Let the search's debounce fire and every worker (searches, saves, advice) finish,
    including the ones a finished worker starts."""
    for _ in range(2):
        await pilot.pause(0.2)
        await workers_done(pilot)
        await pilot.pause()


async def workers_done(pilot: Pilot[None]) -> None:
    """Wait for every worker to end. One that failed is not the test's failure: the screens
    handle their workers' errors (a refused password is a worker raising SignInRefused), and
    one may still be listed when the machine is slow."""
    for worker in list(pilot.app.workers):
        with contextlib.suppress(WorkerFailed, WorkerCancelled):
            await worker.wait()


def shown(screen: Any, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def steady_cursor(pilot: Pilot[None]) -> None:
    """Stop the text cursors blinking before a snapshot: a blink half a second after the last
    key would otherwise decide whether the cursor is drawn."""
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause()
