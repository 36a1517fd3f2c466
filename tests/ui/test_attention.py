"""The needs-attention list (issue 20): time off saved over booked visits marks them on the board
and the day view and lists them; Enter on one picks it up to move in the day view; the list is
read again on the way back. Checked on screen state and in the database."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from textual.pilot import Pilot
from textual.widgets import DataTable

from frontdesk.domain.model import Status
from frontdesk.services import schedule_admin as admin
from frontdesk.services import scheduling
from frontdesk.services.attention import Action, Item, Kind
from frontdesk.services.context import Context
from frontdesk.services.views import AppointmentView
from frontdesk.ui.app import FrontDeskApp
from frontdesk.ui.attention.layout import plan_columns, summary
from frontdesk.ui.attention.screen import AttentionScreen
from frontdesk.ui.calendar.board.screen import TodayScreen
from frontdesk.ui.calendar.day.grid import CalendarGrid
from frontdesk.ui.calendar.day.layout import Kind as CellKind
from frontdesk.ui.calendar.day.layout import cell_text
from frontdesk.ui.calendar.day.screen import DayViewScreen
from frontdesk.ui.schedule.dialogs import ConfirmDialog
from frontdesk.ui.schedule.screen import ScheduleEditorScreen
from tests.conftest import FrozenClock
from tests.practice import Practice
from tests.services.test_attention import book, local
from tests.ui.conftest import settled, shown, text_of
from tests.ui.test_schedule_editor import editor, fill, quiet

CHICAGO = ZoneInfo("America/Chicago")


def five_on_thursday(ctx: Context, p: Practice) -> list[AppointmentView]:
    """Dr. Able's Thursday 11 Mar: five follow-ups, the two patients in turn."""
    return [book(ctx, p, local(11, hour), patient=(p.patient_id, p.other_patient_id)[i % 2])
            for i, hour in enumerate((8, 9, 10, 11, 13))]


async def until(pilot: Pilot[None], kind: type[Any], ready: str) -> Any:
    """Wait, bounded, until the screen on top is a ``kind`` whose ``ready`` is true."""
    for _ in range(200):
        await quiet(pilot)
        screen = pilot.app.screen
        if isinstance(screen, kind) and getattr(screen, ready):
            return screen
    raise AssertionError(f"{kind.__name__} never became {ready}")


async def test_time_off_saved_over_five_visits_marks_and_lists_them_and_enter_moves_one(
    sqlite_ctx: Context, practice: Practice
) -> None:
    visits = five_on_thursday(sqlite_ctx, practice)
    fine = book(sqlite_ctx, practice, local(11, 10), provider=practice.baker,
                patient=practice.other_patient_id)  # Pat Baker works Thursday: not listed
    ids = [v.id for v in visits]
    async with FrontDeskApp(context=sqlite_ctx, staff="sched").run_test(size=(80, 24)) as pilot:
        board = await settled(pilot)
        app = pilot.app
        assert isinstance(app, FrontDeskApp)
        assert app.backend is not None
        await app.push_screen(ScheduleEditorScreen(app.backend, provider_id=practice.able))
        await editor(pilot)
        await pilot.press("c")  # time off for Dr. Able, all Thursday
        await fill(pilot, from_day="3/11", reason="Vacation")
        await pilot.press("enter")
        await quiet(pilot)
        assert isinstance(pilot.app.screen, ConfirmDialog)  # 5 visits would be stranded
        await pilot.press("y")  # saves anyway
        await editor(pilot)
        await pilot.press("escape")

        await pilot.press("right")  # the board on Thursday: the five are marked
        board = await settled(pilot)
        assert isinstance(board, TodayScreen)
        rows = [(r["time"][:5], r["provider"], r["status"]) for r in shown(board)]
        marked = [(when, status) for when, who, status in rows if "Able" in who]
        assert [when for when, _ in marked] == ["08:00", "09:00", "10:00", "11:00", "13:00"]
        assert all(status.startswith("! time off · B b") for _, status in marked)  # cut at 80
        assert [status for _, who, status in rows if "Baker" in who] == ["B booked"]
        assert board.board is not None
        assert board.board.marks == dict.fromkeys(ids, "time off")
        assert fine.id not in board.board.marks
        assert "5 need attention (!)" in text_of(board, "#board-summary")

        await pilot.press("exclamation_mark")
        listing = await until(pilot, AttentionScreen, "loaded")
        assert [(i.kind, i.appointment.id) for i in listing.items] == [
            (Kind.CLOSED, i) for i in ids]
        assert listing.query_one(DataTable).row_count == 5
        assert "Inside Dr. Avery Able's time off (Vacation). Enter: pick it up to move" in (
            text_of(listing, "#attention-detail"))

        await pilot.press("enter")  # the first: picked up in the day view
        day = await until(pilot, DayViewScreen, "up_to_date")
        assert day.moving is not None
        assert day.moving.id == ids[0]
        assert day.selected is not None
        assert day.selected.id == ids[0]
        grid = day.query_one(CalendarGrid)
        assert grid.marks == dict.fromkeys(ids, "time off")
        cell = grid.cursor_cell
        assert cell is not None
        assert cell[0].kind is CellKind.VISIT
        assert cell_text(cell[0], 20).startswith("!B 08:00 Testcase")  # '!' for the bar
        below = grid.table[grid.row + 1][grid.col]
        assert cell_text(below, 20).startswith("!time off · ")  # the word on its next line
        assert grid.description.startswith("! needs attention: time off · 08:00–08:20")
        assert text_of(day, "#day-detail").startswith("Enter: move Testcase, C. to 08:00")

        # it is moved (here straight through the service), then back to the list
        scheduling.reschedule(sqlite_ctx, staff="sched", appointment_id=ids[0],
                              start=local(11, 15), provider_id=practice.baker,
                              location_id=practice.location_id,
                              expected_version=visits[0].version,
                              accept_warnings=scheduling.WARNING_CODES)
        await pilot.press("escape")  # stops moving
        await pilot.press("escape")  # back to the list, read again
        listing = await until(pilot, AttentionScreen, "loaded")
        assert [i.appointment.id for i in listing.items] == ids[1:]

        await pilot.press("enter")  # the next one; then ! from the day view comes back here
        day = await until(pilot, DayViewScreen, "up_to_date")
        assert day.moving is not None
        assert day.moving.id == ids[1]
        await pilot.press("escape", "exclamation_mark")
        await until(pilot, AttentionScreen, "loaded")
        assert sum(isinstance(s, AttentionScreen) for s in pilot.app.screen_stack) == 1
        assert not any(isinstance(s, DayViewScreen) for s in pilot.app.screen_stack)


async def test_a_receptionist_gets_no_list(sqlite_ctx: Context, practice: Practice) -> None:
    """DESIGN §4: the list is the schedulers' (the marks are everyone's)."""
    async with FrontDeskApp(context=sqlite_ctx, staff="desk").run_test(size=(80, 24)) as pilot:
        board = await settled(pilot)
        assert board.check_action("needs_attention", ()) is None  # greyed
        await pilot.press("exclamation_mark")
        await quiet(pilot)
        assert isinstance(pilot.app.screen, TodayScreen)


async def test_enter_on_an_overdue_callback_starts_a_call(
    sqlite_ctx: Context, practice: Practice, clock: FrozenClock
) -> None:
    from frontdesk.ui.call.screen import CallScreen

    scheduling.book(sqlite_ctx, staff="desk", patient_id=practice.patient_id,
                    visit_type="facet-diagnostic", provider_id=practice.able,
                    location_id=practice.location_id, start=local(10, 10), region="lumbar",
                    levels="L4-L5", side="left")
    clock.now = local(11, 13)  # the relief report was due at 10:00
    async with FrontDeskApp(context=sqlite_ctx, staff="sched").run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        await pilot.press("exclamation_mark")
        listing = await until(pilot, AttentionScreen, "loaded")
        [item] = listing.items
        assert item.kind is Kind.CALLBACK
        assert item.callback is not None
        await pilot.press("enter")
        call = await until(pilot, CallScreen, "callbacks")  # a new call, its callbacks read
        assert call.callbacks[0].id == item.callback.id  # first in the list, to work now
        assert call.callbacks[0].overdue


async def test_k_keeps_a_lapsing_hold_longer_and_x_twice_releases_one(
    sqlite_ctx: Context, practice: Practice, clock: FrozenClock
) -> None:
    first = book(sqlite_ctx, practice, local(11, 10), hold=True)
    second = book(sqlite_ctx, practice, local(12, 10), hold=True)
    clock.advance(minutes=4)
    async with FrontDeskApp(context=sqlite_ctx, staff="sched").run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        await pilot.press("exclamation_mark")
        listing = await until(pilot, AttentionScreen, "loaded")
        assert [(i.kind, i.appointment.id) for i in listing.items if i.appointment] == [
            (Kind.HOLD, first.id), (Kind.HOLD, second.id)]
        assert ("Enter: show it in the day view; k keeps it 5 more minutes while the caller "
                "decides, x releases it.") in text_of(listing, "#attention-detail")
        await pilot.press("k")  # the first kept 5 minutes more
        listing = await until(pilot, AttentionScreen, "loaded")
        assert [i.appointment.id for i in listing.items if i.appointment] == [second.id]
        await pilot.press("x")  # asks first: the caller may still be on the line
        await quiet(pilot)
        assert "press x again to release it now" in text_of(listing, "#attention-detail")
        assert scheduling.get_appointment(sqlite_ctx, second.id).status is Status.HELD
        await pilot.press("x")  # the second let go
        listing = await until(pilot, AttentionScreen, "loaded")
        assert listing.items == ()
    kept, released = (scheduling.get_appointment(sqlite_ctx, a.id) for a in (first, second))
    assert kept.status is Status.HELD
    assert kept.hold_expires_at == clock.now + timedelta(minutes=5)
    assert released.status is Status.EXPIRED


async def test_enter_never_acts_on_a_hold_the_cursor_fell_onto(
    sqlite_ctx: Context, practice: Practice, clock: FrozenClock
) -> None:
    """The visit under the cursor is dealt with elsewhere and the list is read again: the
    cursor stays on its row (not the list's top, where holds are), and Enter on a hold only
    shows it: keeping or releasing it has its own key."""
    hold = book(sqlite_ctx, practice, local(11, 9), hold=True)
    visits = [book(sqlite_ctx, practice, local(12, hour)) for hour in (9, 10, 11)]
    clock.advance(minutes=4)
    admin.add_closure(sqlite_ctx, staff=practice.scheduler, kind="time_off",
                      start=local(12, 0), end=local(13, 0), reason="Conference",
                      provider_id=practice.able, confirm_stranded=True)
    async with FrontDeskApp(context=sqlite_ctx, staff="sched").run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        await pilot.press("exclamation_mark")
        listing = await until(pilot, AttentionScreen, "loaded")
        ids = [i.appointment.id for i in listing.items if i.appointment]
        assert ids == [hold.id, *(v.id for v in visits)]
        await pilot.press("down", "down", "down")  # the last visit
        scheduling.cancel(sqlite_ctx, staff=practice.scheduler, appointment_id=visits[2].id,
                          reason="clinic closed")
        await pilot.press("r")
        listing = await until(pilot, AttentionScreen, "loaded")
        assert listing.selected is not None
        assert listing.selected.appointment == scheduling.get_appointment(sqlite_ctx,
                                                                           visits[1].id)
        await pilot.press("up", "up")  # the hold
        await pilot.press("enter")
        await quiet(pilot)
    after = scheduling.get_appointment(sqlite_ctx, hold.id)
    assert after.hold_expires_at == hold.hold_expires_at  # shown, not kept


async def test_the_open_list_reads_itself_again_as_a_hold_nears_its_end(
    sqlite_ctx: Context, practice: Practice, clock: FrozenClock
) -> None:
    hold = book(sqlite_ctx, practice, local(11, 10), hold=True)
    async with FrontDeskApp(context=sqlite_ctx, staff="sched").run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        await pilot.press("exclamation_mark")
        listing = await until(pilot, AttentionScreen, "loaded")
        assert listing.items == ()  # five minutes to go
        clock.advance(minutes=4)
        listing._refresh_quietly()  # what its timer does every 30 seconds
        await quiet(pilot)
        assert [i.appointment.id for i in listing.items if i.appointment] == [hold.id]


def test_columns_grow_with_the_terminal() -> None:
    assert [c.key for c in plan_columns(80)] == ["when", "patient", "problem"]
    assert [c.key for c in plan_columns(160)] == ["when", "patient", "visit", "provider",
                                                  "location", "problem"]
    assert sum(c.width + 2 for c in plan_columns(80)) <= 78


class TestAttentionSnapshots:
    """Reviewed pictures: one of each kind — a hold lapsing, two visits in time off, one outside
    new hours, a callback overdue."""

    @staticmethod
    def _world(ctx: Context, p: Practice, clock: FrozenClock) -> None:
        scheduling.book(ctx, staff="desk", patient_id=p.patient_id,
                        visit_type="facet-diagnostic", provider_id=p.able,
                        location_id=p.location_id, start=local(10, 10), region="lumbar",
                        levels="L4-L5", side="left")
        for hour, patient in ((9, p.patient_id), (10, p.other_patient_id)):
            book(ctx, p, local(12, hour), patient=patient)
        admin.add_closure(ctx, staff="sched", kind="time_off", start=local(12, 0),
                          end=local(13, 0), reason="Conference", provider_id=p.able,
                          confirm_stranded=True)
        book(ctx, p, local(15, 11), provider=p.baker)
        morning = next(r for r in admin.provider_week(ctx, p.baker) if r.start_time == time(8))
        admin.save_template(ctx, staff="sched", provider_id=p.baker, template_id=morning.id,
                            weekdays=[0, 1, 2, 3, 4], start_time=time(8), end_time=time(10),
                            location_id=p.location_id, valid_from=morning.valid_from,
                            confirm_stranded=True)
        clock.now = local(11, 13)
        book(ctx, p, local(11, 15), provider=p.baker, patient=p.other_patient_id, hold=True)
        clock.advance(minutes=4)

    def _run(self, snap_compare: Any, ctx: Context, size: tuple[int, int]) -> bool:
        async def run_before(pilot: Pilot[None]) -> None:
            await settled(pilot)
            await pilot.press("exclamation_mark")
            await until(pilot, AttentionScreen, "loaded")

        return bool(snap_compare(FrontDeskApp(context=ctx, staff="sched"), terminal_size=size,
                                 run_before=run_before))

    def test_at_80x24(self, snap_compare: Any, sqlite_ctx: Context, practice: Practice,
                      clock: FrozenClock) -> None:
        self._world(sqlite_ctx, practice, clock)
        assert self._run(snap_compare, sqlite_ctx, (80, 24))

    def test_at_160x50(self, snap_compare: Any, sqlite_ctx: Context, practice: Practice,
                       clock: FrozenClock) -> None:
        self._world(sqlite_ctx, practice, clock)
        assert self._run(snap_compare, sqlite_ctx, (160, 50))


def test_the_summary_counts_each_kind_in_words() -> None:
    def item(kind: Kind) -> Any:
        return Item(kind, Action.MOVE, "why", local(12, 9))

    items = [item(Kind.HOLD), item(Kind.CLOSED), item(Kind.CLOSED), item(Kind.CALLBACK),
             item(Kind.CALLBACK)]
    assert summary(items, "All locations") == (
        "5 to look at · All locations · 1 hold · 2 closed · 2 callbacks")
