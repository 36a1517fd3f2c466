"""The today board driven by keys, on a migrated SQLite database with the tiny practice."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import DataTable

from frontdesk.domain.settings import Settings
from frontdesk.services import scheduling
from frontdesk.services.context import Context
from frontdesk.services.views import AppointmentView
from frontdesk.ui.app import FrontDeskApp, make_app
from frontdesk.ui.backend.boards import DayBoard
from frontdesk.ui.backend.door import Backend, Opened
from frontdesk.ui.calendar.board.layout import CELL_PADDING
from frontdesk.ui.calendar.board.screen import TodayScreen
from frontdesk.ui.calendar.board.table import DayTable
from frontdesk.ui.widgets.pickers import LocationPicker
from tests.conftest import FrozenClock
from tests.practice import Practice
from tests.ui.conftest import THU_TEN, add_location, book, settled, shown, text_of


def patients(rows: list[dict[str, str]]) -> list[str]:
    return [r["patient"] for r in rows]


async def test_the_board_opens_on_today_with_short_names_and_statuses(
    sqlite_ctx: Context, booked: list[AppointmentView]
) -> None:
    async with FrontDeskApp(context=sqlite_ctx).run_test(size=(80, 24)) as pilot:
        screen = await settled(pilot)
        assert text_of(screen, "#board-title") == "Wed 10 Mar 2027 (today) · All locations"
        assert text_of(screen, "#board-summary") == "2 visits"
        rows = shown(screen)
        assert patients(rows) == ["Testcase, C.", "Sample, J."]
        assert [r["status"] for r in rows] == ["B booked", "B booked"]
        assert [r["time"] for r in rows] == ["10:00", "10:00"]
        everything = " ".join(" ".join(r.values()) for r in rows)
        assert "Casey" not in everything  # first names, birth dates, phones stay off the board
        table = screen.query_one(DayTable)
        assert sum(c.width + CELL_PADDING for c in table.columns.values()) <= 80


async def test_arrows_change_the_day_and_t_comes_back_to_today(
    sqlite_ctx: Context, practice: Practice, booked: list[AppointmentView]
) -> None:
    book(sqlite_ctx, practice, patient=practice.other_patient_id, visit="follow-up",
         provider=practice.able, start=THU_TEN)
    async with FrontDeskApp(context=sqlite_ctx).run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        await pilot.press("right")
        screen = await settled(pilot)
        assert text_of(screen, "#board-title") == "Thu 11 Mar 2027 · All locations"
        assert patients(shown(screen)) == ["Sample, J."]
        await pilot.press("left", "left")
        screen = await settled(pilot)
        assert text_of(screen, "#board-title").startswith("Tue 9 Mar 2027")
        assert not screen.query_one(DayTable).display
        assert text_of(screen, "#board-empty") == (
            "No appointments on Tue 9 Mar 2027 at any location. Next visits: Wed 10 Mar 2027 "
            "(2 visits) — press → for the next day, or g to go to a date.")
        await pilot.press("t")
        screen = await settled(pilot)
        assert text_of(screen, "#board-title").startswith("Wed 10 Mar 2027 (today)")
        assert patients(shown(screen)) == ["Testcase, C.", "Sample, J."]


async def test_l_and_shift_l_cycle_through_all_locations_and_each_one(
    sqlite_ctx: Context, practice: Practice, booked: list[AppointmentView]
) -> None:
    owasso = add_location(sqlite_ctx, practice, "Owasso")
    book(sqlite_ctx, practice, patient=practice.patient_id, visit="follow-up",
         provider=practice.baker, start=datetime(2027, 3, 10, 23, tzinfo=UTC), location=owasso)
    async with FrontDeskApp(context=sqlite_ctx).run_test(size=(80, 24)) as pilot:
        screen = await settled(pilot)
        assert [r["location"] for r in shown(screen)] == ["Test Clinic", "Test Clinic", "Owasso"]
        assert text_of(screen, "#board-summary") == "3 visits · Test Clinic 2 · Owasso 1"
        titles = []
        for key in ("l", "l", "l", "L"):
            await pilot.press(key)
            screen = await settled(pilot)
            titles.append(text_of(screen, "#board-title").split(" · ")[1])
            if screen.location_id == owasso:
                assert patients(shown(screen)) == ["Testcase, C."]
                assert "location" not in shown(screen)[0]
        assert titles == ["Test Clinic", "Owasso", "All locations", "Owasso"]


async def test_the_location_picker_chooses_or_backs_out(
    sqlite_ctx: Context, practice: Practice, booked: list[AppointmentView]
) -> None:
    owasso = add_location(sqlite_ctx, practice, "Owasso")
    async with FrontDeskApp(context=sqlite_ctx).run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        await pilot.press("p")
        assert isinstance(pilot.app.screen, LocationPicker)
        await pilot.press("escape")
        screen = await settled(pilot)
        assert screen.location_id is None
        await pilot.press("p", "down", "down", "enter")
        screen = await settled(pilot)
        assert screen.location_id == owasso
        assert text_of(screen, "#board-empty") == (
            "No appointments on Wed 10 Mar 2027 at Owasso.")


async def test_cancelled_visits_are_marked_and_can_be_hidden(
    sqlite_ctx: Context, practice: Practice, booked: list[AppointmentView]
) -> None:
    scheduling.cancel(sqlite_ctx, staff="desk", appointment_id=booked[0].id,
                      reason="patient called")
    async with FrontDeskApp(context=sqlite_ctx).run_test(size=(80, 24)) as pilot:
        screen = await settled(pilot)
        rows = shown(screen)
        assert [r["status"] for r in rows] == ["X cancelled", "B booked"]
        time_cell = screen.query_one(DayTable).get_row_at(0)[0]
        assert any("dim" in str(span.style) for span in time_cell.spans)
        assert text_of(screen, "#board-summary") == "1 visit · 1 cancelled"
        await pilot.press("c")
        assert patients(shown(screen)) == ["Sample, J."]
        await pilot.press("c")
        assert patients(shown(screen)) == ["Testcase, C.", "Sample, J."]


async def test_a_booking_made_elsewhere_shows_up_without_a_key_press(
    sqlite_ctx: Context, practice: Practice, booked: list[AppointmentView]
) -> None:
    async with FrontDeskApp(context=sqlite_ctx).run_test(size=(80, 24)) as pilot:
        screen = await settled(pilot)
        assert len(shown(screen)) == 2
        # Another receptionist (another process, as far as the board knows) books now.
        book(sqlite_ctx, practice, patient=practice.other_patient_id, visit="follow-up",
             provider=practice.able, start=datetime(2027, 3, 10, 19, tzinfo=UTC))
        began = time.monotonic()
        while len(shown(screen)) < 3 and time.monotonic() - began < 5:
            await pilot.pause(0.05)
        assert patients(shown(screen)) == ["Testcase, C.", "Sample, J.", "Sample, J."]
        assert time.monotonic() - began < 3.5


async def test_the_cursor_stays_on_its_appointment_across_refreshes(
    sqlite_ctx: Context, practice: Practice, booked: list[AppointmentView]
) -> None:
    async with FrontDeskApp(context=sqlite_ctx, poll_seconds=0.1).run_test() as pilot:
        screen = await settled(pilot)
        table = screen.query_one(DayTable)
        await pilot.press("down")
        assert table.selected_id == booked[1].id
        book(sqlite_ctx, practice, patient=practice.patient_id, visit="follow-up",
             provider=practice.baker, start=datetime(2027, 3, 10, 14, tzinfo=UTC))
        began = time.monotonic()
        while table.row_count < 3 and time.monotonic() - began < 5:
            await pilot.pause(0.05)
        assert patients(shown(screen))[0] == "Testcase, C."  # 08:00 booking went first
        assert table.selected_id == booked[1].id


async def test_the_tables_cells_draw_as_the_data_tables_own(
    sqlite_ctx: Context, booked: list[AppointmentView]
) -> None:
    """DayTable draws its cells without DataTable's generic layers: segment for segment the
    same, zebra rows, cursor and hover included, at a narrow and a wide terminal."""
    scheduling.cancel(sqlite_ctx, staff="desk", appointment_id=booked[1].id, reason="called")
    for size in ((80, 24), (160, 50)):
        async with FrontDeskApp(context=sqlite_ctx).run_test(size=size) as pilot:
            screen = await settled(pilot)
            table = screen.query_one(DayTable)
            assert table.row_count == 2
            styles = [table.rich_style, *(table._get_row_style(r, table.rich_style)
                                          for r in range(2))]
            for row in range(table.row_count):
                for index, column in enumerate(table.ordered_columns):
                    width = column.get_render_width(table)
                    for style, cursor, hover in [(s, c, h) for s in styles
                                                 for c in (False, True) for h in (False, True)]:
                        table._cell_render_cache.clear()
                        theirs = DataTable._render_cell(table, row, index, style, width, cursor,
                                                        hover)
                        table._cell_render_cache.clear()
                        assert table._render_cell(row, index, style, width, cursor,
                                                  hover) == theirs


async def test_a_day_and_back_before_the_read_shows_the_day_again(
    sqlite_ctx: Context, booked: list[AppointmentView]
) -> None:
    """→ then ← at once: the read brings the day already shown, and the board says its
    summary (not "Loading…", had the read been slow) with its rows."""
    async with FrontDeskApp(context=sqlite_ctx).run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        await pilot.press("right", "left")
        screen = await settled(pilot)
        assert text_of(screen, "#board-title") == "Wed 10 Mar 2027 (today) · All locations"
        assert text_of(screen, "#board-summary") == "2 visits"
        assert patients(shown(screen)) == ["Testcase, C.", "Sample, J."]


async def test_the_board_follows_midnight_when_it_shows_today(
    sqlite_ctx: Context, clock: FrozenClock, booked: list[AppointmentView]
) -> None:
    async with FrontDeskApp(context=sqlite_ctx, poll_seconds=0.05).run_test() as pilot:
        screen = await settled(pilot)
        clock.advance(days=1)
        began = time.monotonic()
        while screen.day != THU_TEN.date() and time.monotonic() - began < 5:
            await pilot.pause(0.05)
        screen = await settled(pilot)
        assert text_of(screen, "#board-title") == "Thu 11 Mar 2027 (today) · All locations"


async def test_location_keys_are_greyed_out_without_locations(tmp_path: Path,
                                                              clock: FrozenClock) -> None:
    app = make_app(str(tmp_path / "empty.db"), clock=clock, settings=Settings(), staff="admin")
    async with app.run_test() as pilot:
        screen = await settled(pilot)
        assert screen.check_action("cycle_location", (1,)) is None
        assert screen.check_action("shift_day", (1,)) is True
        await pilot.press("l")
        assert screen.location_id is None


@dataclass(frozen=True)
class FlakyBackend(Backend):
    """Fails to read while ``failing`` is set, like a database that went away for a moment."""

    failing: list[bool] = field(default_factory=lambda: [True])

    def load_day(self, day: date, location_id: int | None) -> DayBoard:
        if self.failing[0]:
            raise OSError("disk I/O error")
        return super().load_day(day, location_id)


async def test_a_failed_read_says_so_and_recovers_by_itself(
    sqlite_ctx: Context, booked: list[AppointmentView]
) -> None:
    backend = FlakyBackend(sqlite_ctx)
    app = FrontDeskApp(connect=lambda _report: Opened(backend), poll_seconds=0.05)
    async with app.run_test() as pilot:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        failing = pilot.app.screen
        assert isinstance(failing, TodayScreen)
        assert text_of(failing, "#board-summary") == (
            "Could not read the appointments (disk I/O error); trying again.")
        backend.failing[0] = False
        screen = await settled(pilot)
        assert text_of(screen, "#board-summary") == "2 visits"


async def test_a_day_read_ahead_is_read_again_when_shown(
    sqlite_ctx: Context, practice: Practice, booked: list[AppointmentView]
) -> None:
    """Going to a day reads the days around it ahead; a visit booked elsewhere meanwhile on
    the next day still shows once → has painted the day read ahead (it is read again)."""
    async with FrontDeskApp(context=sqlite_ctx, poll_seconds=3600).run_test() as pilot:
        await settled(pilot)
        await pilot.press("right")  # Thursday, then Wednesday and Friday ahead
        await settled(pilot)
        await pilot.press("left")  # Wednesday, read ahead; then Tuesday and Thursday
        screen = await settled(pilot)
        assert patients(shown(screen)) == ["Testcase, C.", "Sample, J."]
        assert (THU_TEN.date(), None) in screen._ahead
        book(sqlite_ctx, practice, patient=practice.other_patient_id, visit="follow-up",
             provider=practice.able, start=THU_TEN)
        await pilot.press("right")
        screen = await settled(pilot)
        assert text_of(screen, "#board-title") == "Thu 11 Mar 2027 · All locations"
        assert patients(shown(screen)) == ["Sample, J."]


async def test_each_poll_reads_the_days_either_side_again(
    sqlite_ctx: Context, practice: Practice, booked: list[AppointmentView]
) -> None:
    """With no key pressed since the board opened, the next day is read ahead by the polls,
    and read again by each: a visit booked meanwhile is in what → paints at once."""
    async with FrontDeskApp(context=sqlite_ctx, poll_seconds=0.1).run_test() as pilot:
        screen = await settled(pilot)
        for _ in range(100):
            if (THU_TEN.date(), None) in screen._ahead:
                break
            await pilot.pause(0.02)
        board, _cells = screen._ahead[(THU_TEN.date(), None)]
        assert board.appointments == ()
        book(sqlite_ctx, practice, patient=practice.other_patient_id, visit="follow-up",
             provider=practice.able, start=THU_TEN)
        for _ in range(100):
            board, _cells = screen._ahead[(THU_TEN.date(), None)]
            if board.appointments:
                break
            await pilot.pause(0.02)
        assert [a.start for a in board.appointments] == [THU_TEN]


@dataclass(frozen=True)
class GatedBackend(Backend):
    """Reads a day other than ``free_day`` only once ``gate`` is open: a slow database."""

    free_day: date = date(2027, 3, 10)
    gate: threading.Event = field(default_factory=threading.Event)

    def load_day(self, day: date, location_id: int | None) -> DayBoard:
        if day != self.free_day:
            self.gate.wait(timeout=10)
        return super().load_day(day, location_id)


async def test_a_slow_read_dims_the_old_day_and_says_loading_until_it_comes(
    sqlite_ctx: Context, booked: list[AppointmentView]
) -> None:
    backend = GatedBackend(sqlite_ctx)
    app = FrontDeskApp(connect=lambda _report: Opened(backend), poll_seconds=3600)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await settled(pilot)
        table = screen.query_one(DayTable)
        await pilot.press("right")
        assert text_of(screen, "#board-title") == "Thu 11 Mar 2027 · All locations"
        for _ in range(200):  # after DIM_AFTER
            if table.has_class("-stale"):
                break
            await pilot.pause(0.05)
        assert table.has_class("-stale")
        assert text_of(screen, "#board-summary") == "Loading…"
        assert not screen.up_to_date
        assert screen.selected is None  # no key acts on Wednesday's rows
        backend.gate.set()
        screen = await settled(pilot)
        assert not table.has_class("-stale")
        assert text_of(screen, "#board-summary") == "0 visits"


class TestTodaySnapshots:
    """Reviewed pictures: the board on Wednesday at 09:00, two visits at 10:00 and a cancel."""

    @staticmethod
    async def board(pilot: Pilot[None]) -> None:
        await settled(pilot)

    def test_at_80x24(self, snap_compare: Any, sqlite_ctx: Context,
                      booked: list[AppointmentView], practice: Practice) -> None:
        scheduling.cancel(sqlite_ctx, staff="desk", appointment_id=booked[1].id,
                          reason="called")
        assert snap_compare(FrontDeskApp(context=sqlite_ctx), terminal_size=(80, 24),
                            run_before=self.board)

    def test_at_160x50(self, snap_compare: Any, sqlite_ctx: Context,
                       booked: list[AppointmentView]) -> None:
        assert snap_compare(FrontDeskApp(context=sqlite_ctx), terminal_size=(160, 50),
                            run_before=self.board)
