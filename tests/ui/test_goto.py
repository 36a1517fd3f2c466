"""Going to a date typed in words, and a week at a time with PgUp/PgDn."""

from __future__ import annotations

from datetime import date

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from frontdesk.services.context import Context
from frontdesk.services.views import AppointmentView
from frontdesk.ui.app import FrontDeskApp
from frontdesk.ui.calendar.board.screen import TodayScreen
from frontdesk.ui.widgets.go_to import GoToDialog
from tests.ui.conftest import settled, shown, text_of

# The frozen clock's today is Wed 10 Mar 2027.


async def go_to(pilot: Pilot[None], words: str) -> GoToDialog:
    await settled(pilot)
    await pilot.press("g")
    dialog = pilot.app.screen
    assert isinstance(dialog, GoToDialog)
    dialog.query_one(Input).value = words
    await pilot.press("enter")
    return dialog


@pytest.mark.parametrize(("words", "expected"), [
    ("next tue", date(2027, 3, 16)),
    ("12/3", date(2027, 12, 3)),
    ("in 2 weeks", date(2027, 3, 24)),
    ("2027-04-01", date(2027, 4, 1)),
    ("tomorrow", date(2027, 3, 11)),
])
async def test_g_goes_to_a_day_typed_in_everyday_words(
    sqlite_ctx: Context, booked: list[AppointmentView], words: str, expected: date
) -> None:
    async with FrontDeskApp(context=sqlite_ctx, poll_seconds=60).run_test(
            size=(80, 24)) as pilot:
        await go_to(pilot, words)
        screen = await settled(pilot)
        assert screen.day == expected
        assert not shown(screen)


async def test_words_it_does_not_understand_keep_the_dialog_open_with_the_reason(
    sqlite_ctx: Context, booked: list[AppointmentView]
) -> None:
    async with FrontDeskApp(context=sqlite_ctx, poll_seconds=60).run_test(
            size=(80, 24)) as pilot:
        dialog = await go_to(pilot, "someday soon")
        assert pilot.app.screen is dialog
        error = dialog.query_one("#goto-error", Static)
        assert error.display
        assert str(error.render()) == (
            "Did not understand 'someday soon'; try 2027-03-15, 3/15, tomorrow or next tue.")
        await pilot.press("backspace")  # typing hides the old message
        assert not error.display
        await pilot.press("escape")
        screen = await settled(pilot)
        assert screen.day == date(2027, 3, 10)
        assert text_of(screen, "#board-title").startswith("Wed 10 Mar 2027 (today)")


async def test_typing_the_words_key_by_key_works_too(
    sqlite_ctx: Context, booked: list[AppointmentView]
) -> None:
    async with FrontDeskApp(context=sqlite_ctx, poll_seconds=60).run_test() as pilot:
        await settled(pilot)
        await pilot.press("g", *"next fri", "enter")
        screen = await settled(pilot)
        assert isinstance(screen, TodayScreen)
        assert screen.day == date(2027, 3, 12)


async def test_pgdn_and_pgup_move_a_week_at_a_time(
    sqlite_ctx: Context, booked: list[AppointmentView]
) -> None:
    async with FrontDeskApp(context=sqlite_ctx, poll_seconds=60).run_test(
            size=(80, 24)) as pilot:
        await settled(pilot)
        await pilot.press("pagedown")
        screen = await settled(pilot)
        assert text_of(screen, "#board-title") == "Wed 17 Mar 2027 · All locations"
        await pilot.press("pageup", "pageup")
        screen = await settled(pilot)
        assert screen.day == date(2027, 3, 3)
        await pilot.press("pagedown")
        screen = await settled(pilot)
        assert [r["patient"] for r in shown(screen)] == ["Testcase, C.", "Sample, J."]
