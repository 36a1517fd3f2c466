"""The week view: a location's or a provider's week, driven by keys on the tiny practice."""

from __future__ import annotations

from datetime import date
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from frontdesk.services.context import Context
from frontdesk.services.views import AppointmentView
from frontdesk.ui.app import FrontDeskApp
from frontdesk.ui.calendar.board.screen import TodayScreen
from frontdesk.ui.calendar.day.screen import DayViewScreen
from frontdesk.ui.calendar.week.grid import WeekGridView
from frontdesk.ui.calendar.week.layout import Mode
from frontdesk.ui.calendar.week.screen import WeekViewScreen
from frontdesk.ui.widgets.pickers import LocationPicker, ProviderPicker
from tests.practice import Practice
from tests.ui.conftest import THU_TEN, book, choose_visit_type, settled, text_of


async def week_view(pilot: Pilot[None]) -> WeekViewScreen:
    """Wait, bounded, until the week view shows the week and subject it names."""
    for _ in range(200):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        screen = pilot.app.screen
        if isinstance(screen, WeekViewScreen) and screen.up_to_date:
            return screen
    raise AssertionError("the week view never showed the requested week")


async def opened(pilot: Pilot[None]) -> WeekViewScreen:
    await settled(pilot)
    await pilot.press("w")
    return await week_view(pilot)


def drawn(screen: WeekViewScreen) -> list[str]:
    return screen.query_one(WeekGridView).plain().splitlines()


def column_of(lines: list[str], text: str) -> int:
    """Which day column (0: Monday) the first line holding ``text`` has it in."""
    line = next(line for line in lines if text in line)
    return line[: line.index(text)].count("│") - 1


async def test_w_opens_this_week_with_each_visit_in_its_days_column(
    sqlite_ctx: Context, practice: Practice, booked: list[AppointmentView]
) -> None:
    book(sqlite_ctx, practice, patient=practice.other_patient_id, visit="follow-up",
         provider=practice.able, start=THU_TEN)
    async with FrontDeskApp(context=sqlite_ctx).run_test(size=(80, 24)) as pilot:
        screen = await opened(pilot)
        assert text_of(screen, "#week-title") == (
            "Week of Mon 8 Mar 2027 (this week) · location: Test Clinic")
        assert text_of(screen, "#week-summary") == "3 visits this week"
        lines = drawn(screen)
        header = lines[0]
        assert [h.strip() for h in header.split("│")[1:]] == [
            "Mon 8", "Tue 9", "● Wed 10", "Thu 11", "Fri 12"]  # no weekend: nothing then
        ten = next(line for line in lines if line.startswith("10:00"))
        assert column_of(lines, "B 10:00 T… +1") == 2  # Wednesday: two at 10:00
        assert ten.split("│")[4].startswith("B 10:00 Samp")  # Thursday
        assert [cell.strip() for cell in ten.split("│")[1:]].count("") == 3
        assert all(len(line) <= 80 for line in lines)
        assert screen.query_one(WeekGridView).step == 30  # 08–17 in 30-minute rows fits 24


async def test_arrows_move_a_week_and_t_comes_back(
    sqlite_ctx: Context, booked: list[AppointmentView]
) -> None:
    async with FrontDeskApp(context=sqlite_ctx).run_test(size=(80, 24)) as pilot:
        screen = await opened(pilot)
        await pilot.press("right")
        screen = await week_view(pilot)
        assert screen.monday == date(2027, 3, 15)
        assert text_of(screen, "#week-title").startswith("Week of Mon 15 Mar 2027 ·")
        assert text_of(screen, "#week-summary") == "0 visits this week"
        assert not any("10:00 " in line[6:] for line in drawn(screen))
        await pilot.press("pageup", "pageup")
        screen = await week_view(pilot)
        assert screen.monday == date(2027, 3, 1)
        await pilot.press("t")
        screen = await week_view(pilot)
        assert "(this week)" in text_of(screen, "#week-title")
        assert any("B 10:00 T… +1" in line for line in drawn(screen))


async def test_m_shows_one_providers_week_and_l_cycles_providers(
    sqlite_ctx: Context, practice: Practice, booked: list[AppointmentView]
) -> None:
    async with FrontDeskApp(context=sqlite_ctx).run_test(size=(80, 24)) as pilot:
        screen = await opened(pilot)
        await pilot.press("m")
        screen = await week_view(pilot)
        assert (screen.mode, screen.subject) == (Mode.PROVIDER, practice.able)
        assert text_of(screen, "#week-title").endswith("· provider: Dr. Avery Able")
        assert any("B 10:00 Test…" in line for line in drawn(screen))
        assert not any("+1" in line or "Samp" in line for line in drawn(screen))
        await pilot.press("l")
        screen = await week_view(pilot)
        assert screen.subject == practice.baker
        assert any("B 10:00 Samp…" in line for line in drawn(screen))
        await pilot.press("right_square_bracket")
        screen = await week_view(pilot)
        assert screen.subject == practice.cole
        assert text_of(screen, "#week-summary") == "0 visits this week"
        await pilot.press("left_square_bracket", "L")
        screen = await week_view(pilot)
        assert screen.subject == practice.able
        await pilot.press("m")
        screen = await week_view(pilot)
        assert (screen.mode, screen.subject) == (Mode.LOCATION, practice.location_id)


async def test_enter_opens_the_day_view_for_the_selected_day_and_escape_returns(
    sqlite_ctx: Context, practice: Practice, booked: list[AppointmentView]
) -> None:
    async with FrontDeskApp(context=sqlite_ctx).run_test(size=(80, 24)) as pilot:
        screen = await opened(pilot)
        assert "Wed 10 Mar" in text_of(screen, "#week-detail")  # the cursor starts on today
        await pilot.press("tab")
        assert text_of(screen, "#week-detail").startswith("Thu 11 Mar")
        await pilot.press("enter")
        for _ in range(100):
            await pilot.pause()
            if isinstance(pilot.app.screen, DayViewScreen):
                break
        day = pilot.app.screen
        assert isinstance(day, DayViewScreen)
        assert (day.day, day.location_id) == (date(2027, 3, 11), practice.location_id)
        await pilot.press("escape")
        screen = await week_view(pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(pilot.app.screen, TodayScreen)


async def test_a_new_booking_shows_up_by_itself(
    sqlite_ctx: Context, practice: Practice, booked: list[AppointmentView]
) -> None:
    app = FrontDeskApp(context=sqlite_ctx, poll_seconds=0.05)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await opened(pilot)
        assert not any("B 10:00 Samp" in line for line in drawn(screen))
        book(sqlite_ctx, practice, patient=practice.other_patient_id, visit="follow-up",
             provider=practice.able, start=THU_TEN)
        for _ in range(100):
            await pilot.pause(0.05)
            if any("B 10:00 Samp" in line for line in drawn(screen)):
                break
        assert column_of(drawn(screen), "B 10:00 Samp") == 3
        assert text_of(screen, "#week-summary") == "3 visits this week"


class TestWeekViewSnapshots:
    """Reviewed pictures: the tiny practice, week of Wed 10 Mar 2027, a Thursday visit too."""

    def test_at_80x24(self, snap_compare: Any, sqlite_ctx: Context, practice: Practice,
                      booked: list[AppointmentView]) -> None:
        book(sqlite_ctx, practice, patient=practice.other_patient_id, visit="follow-up",
             provider=practice.able, start=THU_TEN)
        assert snap_compare(FrontDeskApp(context=sqlite_ctx), terminal_size=(80, 24),
                            run_before=opened)

    def test_at_160x50(self, snap_compare: Any, sqlite_ctx: Context, practice: Practice,
                       booked: list[AppointmentView]) -> None:
        book(sqlite_ctx, practice, patient=practice.other_patient_id, visit="follow-up",
             provider=practice.able, start=THU_TEN)
        assert snap_compare(FrontDeskApp(context=sqlite_ctx), terminal_size=(160, 50),
                            run_before=opened)


async def test_pickers_choose_a_provider_or_a_location_and_g_goes_to_a_week(
    sqlite_ctx: Context, practice: Practice, booked: list[AppointmentView]
) -> None:
    async with FrontDeskApp(context=sqlite_ctx).run_test(size=(80, 24)) as pilot:
        screen = await opened(pilot)
        await pilot.press("P")
        await pilot.pause()
        picker = pilot.app.screen
        assert isinstance(picker, ProviderPicker)
        names = [name for _, name in picker.choices]
        picker.query_one(OptionList).highlighted = names.index("Pat Baker, PA-C")
        await pilot.press("enter")
        screen = await week_view(pilot)
        assert (screen.mode, screen.subject) == (Mode.PROVIDER, practice.baker)
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(pilot.app.screen, LocationPicker)
        await pilot.press("enter")  # the only location
        screen = await week_view(pilot)
        assert (screen.mode, screen.subject) == (Mode.LOCATION, practice.location_id)
        await pilot.press("g")
        await pilot.pause()
        pilot.app.screen.query_one(Input).value = "in 3 weeks"
        await pilot.press("enter")
        screen = await week_view(pilot)
        assert screen.monday == date(2027, 3, 29)


async def test_v_shows_only_one_visit_type(
    sqlite_ctx: Context, booked: list[AppointmentView]
) -> None:
    async with FrontDeskApp(context=sqlite_ctx).run_test(size=(80, 24)) as pilot:
        screen = await opened(pilot)
        await choose_visit_type(pilot, "follow-up")
        assert text_of(screen, "#week-title").endswith("· Follow-up")
        assert any("B 10:00 Samp" in line for line in drawn(screen))
        assert not any("Test" in line for line in drawn(screen))
