"""The day view: a location's day as a time grid, driven by keys on the tiny practice."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from sqlmodel import Session
from textual.pilot import Pilot

from frontdesk.db.engine import run_write
from frontdesk.db.models import Template
from frontdesk.services.context import Context
from frontdesk.services.views import AppointmentView
from frontdesk.ui.app import FrontDeskApp
from frontdesk.ui.calendar.day.grid import CalendarGrid
from frontdesk.ui.calendar.day.layout import GUTTER
from frontdesk.ui.calendar.day.screen import DayViewScreen
from tests.conftest import FrozenClock
from tests.practice import CHICAGO, Practice
from tests.ui.conftest import THU_TEN, add_location, book, settled, text_of


async def day_view(pilot: Pilot[None]) -> DayViewScreen:
    """Wait, bounded, until the day view shows the day and location it names."""
    for _ in range(200):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        screen = pilot.app.screen
        if isinstance(screen, DayViewScreen) and screen.up_to_date:
            return screen
    raise AssertionError("the day view never showed the requested day")


async def opened(pilot: Pilot[None]) -> DayViewScreen:
    await settled(pilot)
    await pilot.press("d")
    return await day_view(pilot)


def drawn(screen: DayViewScreen) -> str:
    return screen.query_one(CalendarGrid).plain()


async def test_d_opens_todays_grid_with_a_block_per_visit(
    sqlite_ctx: Context, booked: list[AppointmentView]
) -> None:
    async with FrontDeskApp(context=sqlite_ctx).run_test(size=(80, 24)) as pilot:
        screen = await opened(pilot)
        assert text_of(screen, "#day-title") == "Day view · Wed 10 Mar 2027 (today) · Test Clinic"
        assert text_of(screen, "#day-summary") == "2 visits · 2 providers working"
        grid = drawn(screen)
        header = grid.splitlines()[0]
        assert "Dr. Avery Able" in header
        assert "Pat Baker, PA-C" in header
        assert "B 10:00 Testcase, C." in grid
        assert "B 10:00 Sample, J." in grid
        assert "Casey" not in grid  # first names stay off the grid
        assert all(len(line) <= 80 for line in grid.splitlines())


async def test_the_cursor_starts_on_now_and_says_what_it_is_on(
    sqlite_ctx: Context, booked: list[AppointmentView]
) -> None:
    async with FrontDeskApp(context=sqlite_ctx).run_test(size=(80, 24)) as pilot:
        screen = await opened(pilot)
        grid = screen.query_one(CalendarGrid)
        assert grid.now_index == grid.row  # 09:00, the frozen clock
        assert "09:00▶" in drawn(screen)  # the now line
        assert text_of(screen, "#day-detail") == "09:00 · Dr. Avery Able · free"
        await pilot.press(*["down"] * 4)
        assert text_of(screen, "#day-detail").startswith("10:00–")
        assert "Testcase, C." in text_of(screen, "#day-detail")
        assert "B booked" in text_of(screen, "#day-detail")
        await pilot.press("tab")
        assert "Pat Baker" in text_of(screen, "#day-detail")
        await pilot.press(*["down"] * 8)
        assert text_of(screen, "#day-detail") == (
            "12:00 · Pat Baker, PA-C · not working (outside template hours)")


async def test_arrows_change_the_day_and_t_comes_back_to_today(
    sqlite_ctx: Context, practice: Practice, booked: list[AppointmentView]
) -> None:
    book(sqlite_ctx, practice, patient=practice.other_patient_id, visit="follow-up",
         provider=practice.able, start=THU_TEN)
    async with FrontDeskApp(context=sqlite_ctx).run_test(size=(80, 24)) as pilot:
        await opened(pilot)
        await pilot.press("right")
        screen = await day_view(pilot)
        assert text_of(screen, "#day-title") == "Day view · Thu 11 Mar 2027 · Test Clinic"
        assert "Sample, J." in drawn(screen)
        assert "Testcase, C." not in drawn(screen)
        await pilot.press("left", "left")
        screen = await day_view(pilot)
        assert text_of(screen, "#day-title").startswith("Day view · Tue 9 Mar 2027")
        assert text_of(screen, "#day-summary") == "0 visits · 2 providers working"
        await pilot.press("t")
        screen = await day_view(pilot)
        assert "(today)" in text_of(screen, "#day-title")
        assert "Testcase, C." in drawn(screen)


async def test_l_cycles_through_each_location_and_escape_returns_to_the_board(
    sqlite_ctx: Context, practice: Practice, booked: list[AppointmentView]
) -> None:
    owasso = add_location(sqlite_ctx, practice, "Owasso")
    book(sqlite_ctx, practice, patient=practice.patient_id, visit="follow-up",
         provider=practice.baker, start=datetime(2027, 3, 10, 23, tzinfo=UTC), location=owasso)
    async with FrontDeskApp(context=sqlite_ctx).run_test(size=(80, 24)) as pilot:
        screen = await opened(pilot)
        assert screen.location_id == practice.location_id  # 'All locations' opens the first
        await pilot.press("l")
        screen = await day_view(pilot)
        assert text_of(screen, "#day-title").endswith("· Owasso")
        grid = drawn(screen)
        assert grid.splitlines()[0].count("│") == 1  # Pat Baker only
        assert "B 17:00 Testcase, C." in grid
        await pilot.press("l")
        screen = await day_view(pilot)
        assert screen.location_id == practice.location_id
        await pilot.press("L")
        screen = await day_view(pilot)
        assert screen.location_id == owasso
        await pilot.press("right", "escape")
        board = await settled(pilot)
        assert (board.day, board.location_id) == (date(2027, 3, 11), None)  # still all places
        await pilot.press("l", "d")  # the board on Test Clinic, then its day view
        await day_view(pilot)
        await pilot.press("l", "escape")  # Owasso
        board = await settled(pilot)
        assert (board.day, board.location_id) == (date(2027, 3, 11), owasso)


async def test_a_new_booking_shows_up_by_itself(
    sqlite_ctx: Context, practice: Practice, booked: list[AppointmentView], clock: FrozenClock
) -> None:
    app = FrontDeskApp(context=sqlite_ctx, poll_seconds=0.05)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await opened(pilot)
        assert "11:00 Sample" not in drawn(screen)
        book(sqlite_ctx, practice, patient=practice.other_patient_id, visit="follow-up",
             provider=practice.able, start=datetime(2027, 3, 10, 17, tzinfo=UTC))
        for _ in range(100):
            await pilot.pause(0.05)
            if "B 11:00 Sample, J." in drawn(screen):
                break
        assert "B 11:00 Sample, J." in drawn(screen)
        clock.advance(minutes=30)
        for _ in range(100):
            await pilot.pause(0.05)
            if "09:30▶" in drawn(screen):
                break
        assert "09:30▶" in drawn(screen)


async def test_a_weekend_day_has_nobody_working(
    sqlite_ctx: Context, booked: list[AppointmentView]
) -> None:
    async with FrontDeskApp(context=sqlite_ctx).run_test(size=(80, 24)) as pilot:
        await opened(pilot)
        await pilot.press("right", "right", "right")
        screen = await day_view(pilot)
        assert screen.day == date(2027, 3, 13)
        assert text_of(screen, "#day-summary") == "0 visits · nobody works here this day"
        assert text_of(screen, "#day-detail") == ""


class TestDayViewSnapshots:
    """Reviewed pictures: the tiny practice on Wednesday at 09:00, two visits at 10:00."""

    def test_at_80x24(self, snap_compare: Any, sqlite_ctx: Context,
                      booked: list[AppointmentView]) -> None:
        assert snap_compare(FrontDeskApp(context=sqlite_ctx), terminal_size=(80, 24),
                            run_before=opened)

    def test_at_160x50(self, snap_compare: Any, sqlite_ctx: Context,
                       booked: list[AppointmentView]) -> None:
        assert snap_compare(FrontDeskApp(context=sqlite_ctx), terminal_size=(160, 50),
                            run_before=opened)

    def test_ansi_dark_at_80x24(self, snap_compare: Any, sqlite_ctx: Context,
                                booked: list[AppointmentView]) -> None:
        """The 16-colour theme: the terminal's own colours, statuses still in letters."""
        assert snap_compare(FrontDeskApp(context=sqlite_ctx, theme="ansi-dark"),
                            terminal_size=(80, 24), run_before=opened)


async def test_tab_scrolls_sideways_to_providers_that_do_not_fit(
    sqlite_ctx: Context, practice: Practice, booked: list[AppointmentView]
) -> None:
    def work(session: Session) -> None:
        session.add(Template(provider_id=practice.cole, location_id=practice.location_id,
                             rrule="FREQ=WEEKLY;BYDAY=WE", timezone=CHICAGO,
                             start_time=time(9), end_time=time(15), valid_from=date(2026, 1, 1)))

    run_write(sqlite_ctx.engine, work)
    async with FrontDeskApp(context=sqlite_ctx).run_test(size=(60, 24)) as pilot:
        screen = await opened(pilot)
        header = drawn(screen).splitlines()[0]
        assert header.startswith(" ")
        assert header[GUTTER - 1] == "▶"
        assert "Cole" not in header
        await pilot.press("tab", "tab")
        header = drawn(screen).splitlines()[0]
        assert header.startswith("◀")
        assert "Tess Cole, LMT" in header
        assert "Tess Cole, LMT" in text_of(screen, "#day-detail")
        await pilot.press("shift+tab", "shift+tab")
        assert drawn(screen).splitlines()[0].startswith(" ")
