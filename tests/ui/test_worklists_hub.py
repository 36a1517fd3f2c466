"""F5 opens the worklists: each list with a line saying where it stands, Enter or its number
opens it, esc goes back; nothing behind a lock."""

from __future__ import annotations

from textual.pilot import Pilot

from frontdesk.services.context import Context
from frontdesk.ui.app import FrontDeskApp
from frontdesk.ui.worklists.confirmations import ConfirmationsScreen
from frontdesk.ui.worklists.hub import WorklistsScreen
from frontdesk.ui.worklists.recalls import RecallsScreen
from frontdesk.ui.worklists.reminders import RemindersScreen
from frontdesk.ui.worklists.waitlist import WaitlistScreen
from tests.practice import Practice
from tests.ui.call_helpers import workers_done
from tests.ui.conftest import settled
from tests.ui.test_confirmations import four_on_thursday


async def hub(pilot: Pilot[None]) -> WorklistsScreen:
    await settled(pilot)
    await pilot.press("f5")
    await workers_done(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, WorklistsScreen)
    return screen


def standing(screen: WorklistsScreen, key: str) -> str:
    table = screen.query_one("#worklists-table")
    return str(table.get_cell(key, "standing"))  # type: ignore[attr-defined]


async def test_f5_lists_the_worklists_with_where_each_stands(sqlite_ctx: Context,
                                                             practice: Practice) -> None:
    four_on_thursday(sqlite_ctx, practice)
    async with FrontDeskApp(context=sqlite_ctx, staff="desk").run_test(size=(80, 24)) as pilot:
        screen = await hub(pilot)
        assert standing(screen, "1") == "Thu 11 Mar: 0 of 4 reached · 0 confirmed · 4 to call"
        assert standing(screen, "2") == "0 waiting for an earlier time"
        assert standing(screen, "3") == "0 due · today 0 tried, 0 reached, 0 booked"
        assert standing(screen, "4") == "today 0 sent, 0 waiting, 0 failed"

        await pilot.press("enter")
        await workers_done(pilot)
        assert isinstance(pilot.app.screen, ConfirmationsScreen)
        await pilot.press("c")  # one confirmed
        await workers_done(pilot)
        await pilot.press("escape")
        await workers_done(pilot)
        assert pilot.app.screen is screen
        assert standing(screen, "1") == "Thu 11 Mar: 1 of 4 reached · 1 confirmed · 3 to call"

        await pilot.press("1")  # the number opens it too
        await workers_done(pilot)
        assert isinstance(pilot.app.screen, ConfirmationsScreen)
        await pilot.press("escape")
        await workers_done(pilot)
        for key, kind in (("2", WaitlistScreen), ("3", RecallsScreen), ("4", RemindersScreen)):
            await pilot.press(key)
            await workers_done(pilot)
            assert isinstance(pilot.app.screen, kind)
            await pilot.press("escape")
            await workers_done(pilot)
            assert pilot.app.screen is screen
        await pilot.press("f5")  # F5 again closes the worklists
        await pilot.pause()
        assert not isinstance(pilot.app.screen, WorklistsScreen)


async def test_f5_opens_nothing_over_the_lock(sqlite_ctx: Context, practice: Practice) -> None:
    async with FrontDeskApp(context=sqlite_ctx, staff="desk").run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        await pilot.press("ctrl+l")
        await pilot.pause()
        locked = pilot.app.screen
        await pilot.press("f5")
        await pilot.pause()
        assert pilot.app.screen is locked
