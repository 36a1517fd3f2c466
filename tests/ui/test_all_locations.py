"""The all-locations board: every clinic's day side by side, driven by keys on the tiny practice."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from frontdesk.domain.model import Status
from frontdesk.services import scheduling
from frontdesk.services.context import Context
from frontdesk.services.views import AppointmentView
from frontdesk.ui.app import FrontDeskApp
from frontdesk.ui.calendar.all_locations.panel import LocationPanel
from frontdesk.ui.calendar.all_locations.screen import AllLocationsScreen
from frontdesk.ui.calendar.board.screen import TodayScreen
from frontdesk.ui.calendar.day.screen import DayViewScreen
from tests.practice import Practice
from tests.ui.conftest import add_location, book, settled, text_of


@pytest.fixture
def owasso(sqlite_ctx: Context, practice: Practice, booked: list[AppointmentView]) -> int:
    """A second clinic with one visit at 17:00 today, checked in."""
    where = add_location(sqlite_ctx, practice, "Owasso")
    visit = book(sqlite_ctx, practice, patient=practice.patient_id, visit="follow-up",
                 provider=practice.baker, start=datetime(2027, 3, 10, 23, tzinfo=UTC),
                 location=where)
    scheduling.set_status(sqlite_ctx, staff=practice.staff, appointment_id=visit.id,
                          status=Status.CHECKED_IN)
    return where


async def board(pilot: Pilot[None]) -> AllLocationsScreen:
    """Wait, bounded, until the all-locations board shows the day it names."""
    for _ in range(200):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        screen = pilot.app.screen
        if isinstance(screen, AllLocationsScreen) and screen.up_to_date:
            return screen
    raise AssertionError("the all-locations board never showed the requested day")


async def opened(pilot: Pilot[None]) -> AllLocationsScreen:
    await settled(pilot)
    await pilot.press("a")
    return await board(pilot)


def panels(screen: AllLocationsScreen) -> dict[str, str]:
    return {str(p.border_title): p.text for p in screen.query(LocationPanel)}


async def test_a_opens_every_location_with_counts_and_next_slots(
    sqlite_ctx: Context, owasso: int
) -> None:
    async with FrontDeskApp(context=sqlite_ctx).run_test(size=(80, 24)) as pilot:
        screen = await opened(pilot)
        assert text_of(screen, "#all-title") == "All locations · Wed 10 Mar 2027 (today)"
        assert text_of(screen, "#all-summary") == "2 locations · 3 visits"
        shown = panels(screen)
        assert list(shown) == ["Test Clinic", "Owasso"]
        assert shown["Test Clinic"].splitlines() == [
            "2 visits", "B 2 · C 0 · I 0", "D 0 · X 0 · N 0", "Dr. Avery Able, Pat Baker", "",
            "Next open slot",
            "New pt   Wed 10:30 Baker", "Follow   Wed 10:30 Baker", "Facet dx Wed 11:00 Able",
            "Facet tx Wed 11:00 Able", "RFA cons Wed 10:45 Able", "RFA      Wed 11:00 Able",
            "Trig pt  Wed 10:30 Baker", "Med mgmt Wed 10:30 Baker", "Massage  none in 60 days",
        ]
        there = shown["Owasso"].splitlines()
        assert there[:4] == ["1 visit", "B 0 · C 0 · I 1", "D 0 · X 0 · N 0", "Pat Baker"]
        assert "Follow   Wed 17:30 Baker" in there  # after the 17:00 visit
        assert "RFA cons none in 60 days" in there  # doctors only, and none work there
        assert not any(line.startswith("Facet") for line in there)  # no procedure suite
        assert isinstance(screen.focused, LocationPanel)
        assert screen.focused.location_id == screen.query(LocationPanel).first().location_id


async def test_arrows_change_the_day_and_t_comes_back(sqlite_ctx: Context, owasso: int) -> None:
    async with FrontDeskApp(context=sqlite_ctx).run_test(size=(80, 24)) as pilot:
        await opened(pilot)
        await pilot.press("right")
        screen = await board(pilot)
        assert screen.day == date(2027, 3, 11)
        assert text_of(screen, "#all-title") == "All locations · Thu 11 Mar 2027"
        assert text_of(screen, "#all-summary") == "2 locations · 0 visits"
        assert "Follow   Thu 08:00 Able" in panels(screen)["Test Clinic"].splitlines()
        assert "Follow   Thu 17:00 Baker" in panels(screen)["Owasso"].splitlines()
        await pilot.press("t")
        screen = await board(pilot)
        assert screen.day == date(2027, 3, 10)
        assert text_of(screen, "#all-summary") == "2 locations · 3 visits"


async def test_tab_and_l_move_the_focus_and_enter_opens_that_location(
    sqlite_ctx: Context, owasso: int
) -> None:
    async with FrontDeskApp(context=sqlite_ctx).run_test(size=(80, 24)) as pilot:
        screen = await opened(pilot)
        await pilot.press("right", "tab")
        screen = await board(pilot)
        assert screen.focused_panel is not None
        assert screen.focused_panel.location_id == owasso
        await pilot.press("l")
        assert screen.focused_panel.location_id != owasso  # wrapped to the first
        await pilot.press("L")
        assert screen.focused_panel.location_id == owasso
        await pilot.press("enter")
        today = await settled(pilot)
        assert (today.day, today.location_id) == (date(2027, 3, 11), owasso)
        await pilot.press("d")  # the day view follows the board's location
        await pilot.pause()
        assert isinstance(pilot.app.screen, DayViewScreen)
        assert pilot.app.screen.location_id == owasso


async def test_pagedown_g_and_d_from_the_all_locations_board(
    sqlite_ctx: Context, owasso: int
) -> None:
    async with FrontDeskApp(context=sqlite_ctx).run_test(size=(80, 24)) as pilot:
        await opened(pilot)
        await pilot.press("pagedown")
        screen = await board(pilot)
        assert screen.day == date(2027, 3, 17)
        await pilot.press("g")
        await pilot.pause()
        pilot.app.screen.query_one(Input).value = "tomorrow"
        await pilot.press("enter")
        screen = await board(pilot)
        assert screen.day == date(2027, 3, 11)
        await pilot.press("tab", "d")  # Owasso's day as a time grid
        for _ in range(100):
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
            if isinstance(pilot.app.screen, DayViewScreen) and pilot.app.screen.up_to_date:
                break
        day = pilot.app.screen
        assert isinstance(day, DayViewScreen)
        assert (day.day, day.location_id) == (date(2027, 3, 11), owasso)


async def test_escape_returns_to_the_board_unchanged(sqlite_ctx: Context, owasso: int) -> None:
    async with FrontDeskApp(context=sqlite_ctx).run_test(size=(80, 24)) as pilot:
        await opened(pilot)
        await pilot.press("right", "escape")
        today = await settled(pilot)
        assert isinstance(today, TodayScreen)
        assert (today.day, today.location_id) == (date(2027, 3, 10), None)


async def test_a_new_booking_shows_up_by_itself(
    sqlite_ctx: Context, practice: Practice, owasso: int
) -> None:
    app = FrontDeskApp(context=sqlite_ctx, poll_seconds=0.05)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await opened(pilot)
        assert "Follow   Wed 10:30 Baker" in panels(screen)["Test Clinic"].splitlines()
        book(sqlite_ctx, practice, patient=practice.other_patient_id, visit="follow-up",
             provider=practice.baker, start=datetime(2027, 3, 10, 16, 30, tzinfo=UTC))
        for _ in range(100):
            await pilot.pause(0.05)
            if text_of(screen, "#all-summary") == "2 locations · 4 visits":
                break
        assert text_of(screen, "#all-summary") == "2 locations · 4 visits"
        assert "Follow   Wed 10:30 Baker" not in panels(screen)["Test Clinic"].splitlines()


class TestAllLocationsSnapshots:
    """Reviewed pictures: two clinics on Wednesday at 09:00, frozen clock."""

    def test_at_80x24(self, snap_compare: Any, sqlite_ctx: Context, owasso: int) -> None:
        assert snap_compare(FrontDeskApp(context=sqlite_ctx), terminal_size=(80, 24),
                            run_before=opened)

    def test_at_160x50(self, snap_compare: Any, sqlite_ctx: Context, owasso: int) -> None:
        assert snap_compare(FrontDeskApp(context=sqlite_ctx), terminal_size=(160, 50),
                            run_before=opened)
