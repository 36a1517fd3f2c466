"""Issue 20, the keys: ``?`` lists every key of the screen it was opened from (read from the
bindings, so it cannot go stale); footers fit whole keys, the most needed first, with ``?``
always there; ``esc`` is labelled with where it goes; the title line says who is signed in; an
empty day says where the next visits are; the demo's sign-in names its accounts."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, Static
from textual.widgets._footer import FooterKey

from frontdesk.domain.model import Role
from frontdesk.domain.settings import Settings
from frontdesk.services import scheduling
from frontdesk.services.context import Context
from frontdesk.services.demo.content import DEMO_STAFF, demo_password
from frontdesk.services.views import AppointmentView, StaffView
from frontdesk.ui.account.sign_in import DEMO_ACCOUNTS, LockScreen, SignInScreen
from frontdesk.ui.app import FrontDeskApp, make_app
from frontdesk.ui.calendar.board.screen import TodayScreen
from frontdesk.ui.calendar.day.screen import DayViewScreen
from frontdesk.ui.calendar.week.screen import WeekViewScreen
from frontdesk.ui.call.screen import CallScreen
from frontdesk.ui.report.screen import ReportScreen
from frontdesk.ui.widgets.footer import KeyFooter
from frontdesk.ui.widgets.keys import CURSOR, EVERYWHERE, HERE, KeysScreen
from frontdesk.ui.widgets.title import SignedIn, who_text
from tests.conftest import FrozenClock
from tests.practice import Practice
from tests.ui.call_helpers import SLOW, quiet
from tests.ui.conftest import book, settled, text_of

MONDAY_TEN = datetime(2027, 3, 15, 15, 0, tzinfo=UTC)  # Mon 15 Mar 2027 10:00 in Tulsa (CDT)


async def until(pilot: Pilot[None], kind: type[Screen[Any]]) -> Any:
    for _ in range(200):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if isinstance(pilot.app.screen, kind):
            return pilot.app.screen
    raise AssertionError(f"{kind.__name__} never came to the front")


def listed(keys: KeysScreen, section: str) -> dict[str, tuple[str, ...]]:
    """The help screen's rows of one section: description -> keys."""
    return {row.description: row.keys for s in keys.sections if s.title == section
            for row in s.rows}


def own_bindings(screen: Screen[Any]) -> set[str]:
    """The descriptions of every binding the screen itself holds (shown in its footer or
    not) whose action is not switched off here (``check_action`` False), leaving out a key
    the focused list or field takes first (the grid's tab, a field's ctrl+c)."""
    app = screen.app
    active = screen.active_bindings
    return {b.description for key, b in screen._bindings
            if b.description and not b.system
            and app._check_action_state(b.action, screen) is not False
            and (key not in active or active[key].node is screen)}


def app_bindings(app: FrontDeskApp) -> set[str]:
    return {b.description for _, b in app._bindings
            if b.description and not b.system
            and app._check_action_state(b.action, app) is not False}


async def open_keys(pilot: Pilot[None], key: str = "question_mark") -> KeysScreen:
    under = pilot.app.screen
    await pilot.press(key)
    keys = await until(pilot, KeysScreen)
    assert pilot.app.screen_stack[-2] is under
    return keys


async def assert_lists_the_screen_s_bindings(pilot: Pilot[None], *, known: str,
                                             hidden: str) -> KeysScreen:
    """``?`` on the screen in front lists exactly its own bindings under "This screen" and
    the app's under "Everywhere"; ``known`` (in its footer) and ``hidden`` (never in its
    footer) among them. ``?`` again closes the list."""
    screen = pilot.app.screen
    app = pilot.app
    assert isinstance(app, FrontDeskApp)
    shown_in_footer = {b.description for _, b in screen._bindings if b.show}
    assert hidden not in shown_in_footer
    keys = await open_keys(pilot)
    assert set(listed(keys, HERE)) == own_bindings(screen)
    assert known in listed(keys, HERE)
    assert hidden in listed(keys, HERE)
    everywhere = listed(keys, EVERYWHERE)
    assert set(everywhere) | set(listed(keys, HERE)) | set(listed(keys, CURSOR)) >= (
        app_bindings(app) - {d for _, b in screen._bindings for d in [b.description]})
    assert "Lock" in everywhere  # never in a footer: ctrl+l
    assert everywhere["Keys"] == ("?", "f1")
    await pilot.press("question_mark")
    await pilot.pause()
    assert pilot.app.screen is screen
    return keys


def footer_keys(screen: Screen[Any]) -> dict[str, FooterKey]:
    return {k.key: k for k in screen.query_one(KeyFooter).query(FooterKey)}


def assert_footer_fits(screen: Screen[Any]) -> None:
    """Every key in the footer is whole: inside the footer, clear of the ``?`` on the right,
    and its label drawn in full; and ``?`` is there."""
    footer = screen.query_one(KeyFooter)
    keys = footer_keys(screen)
    help_key = keys.get("question_mark") or keys.get("f1")
    assert help_key is not None
    assert help_key.description == "Keys"
    right = help_key.region.x
    assert help_key.region.right <= footer.region.right
    for child in footer.children:
        if child is help_key or not child.display:
            continue
        region = child.region
        assert region.width > 0
        assert footer.region.x <= region.x, child
        assert region.right <= right, child
    for key in keys.values():
        drawn = key.render().plain
        assert key.description in drawn
        assert key.region.width >= len(drawn.rstrip())


# ------------------------------------------------------------------ the ? screen


async def test_question_mark_on_the_board_lists_its_keys(
        sqlite_ctx: Context, booked: list[AppointmentView]) -> None:
    async with FrontDeskApp(context=sqlite_ctx).run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        keys = await assert_lists_the_screen_s_bindings(pilot, known="Day view",
                                                        hidden="Refresh")
        here = listed(keys, HERE)
        assert here["Details"] == ("⏎",)
        assert here["Week"] == ("w",)
        assert listed(keys, EVERYWHERE)["Lock"] == ("^l",)
        # the same key as text, closing it: esc and q too
        for close in ("escape", "q"):
            await open_keys(pilot)
            await pilot.press(close)
            await pilot.pause()
            assert isinstance(pilot.app.screen, TodayScreen)
        assert pilot.app.is_running  # q closed the list, it did not quit


async def test_question_mark_on_the_day_and_week_views(
        sqlite_ctx: Context, booked: list[AppointmentView]) -> None:
    async with FrontDeskApp(context=sqlite_ctx).run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        await pilot.press("d")
        await until(pilot, DayViewScreen)
        keys = await assert_lists_the_screen_s_bindings(pilot, known="Book", hidden="Week on")
        assert listed(keys, HERE)["Board"] == ("esc", "⌫")
        await pilot.press("w")
        await until(pilot, WeekViewScreen)
        await assert_lists_the_screen_s_bindings(pilot, known="Mode", hidden="Refresh")


async def test_question_mark_on_the_report(sqlite_ctx: Context, practice: Practice,
                                           booked: list[AppointmentView]) -> None:
    app = FrontDeskApp(context=sqlite_ctx, staff=practice.manager, poll_seconds=SLOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        await pilot.press("f4")
        report = await until(pilot, ReportScreen)
        await quiet(pilot)
        assert_footer_fits(report)
        keys = await assert_lists_the_screen_s_bindings(pilot, known="Export",
                                                        hidden="Refresh")
        assert listed(keys, HERE)["Board"] == ("esc", "⌫")  # where F4 came from


async def test_on_the_call_screen_question_mark_is_text_and_f1_lists_the_keys(
        sqlite_ctx: Context, practice: Practice) -> None:
    async with FrontDeskApp(context=sqlite_ctx, poll_seconds=SLOW).run_test(
            size=(80, 24)) as pilot:
        await settled(pilot)
        await pilot.press("f2")
        call = await until(pilot, CallScreen)
        await quiet(pilot)
        search = call.query_one("#call-search", Input)
        assert call.focused is search
        await pilot.press("question_mark")
        await pilot.pause()
        assert pilot.app.screen is call
        assert search.value.endswith("?")
        assert "f1" in footer_keys(call)  # the footer says which key lists them here
        assert_footer_fits(call)
        keys = await open_keys(pilot, "f1")
        assert set(listed(keys, HERE)) == own_bindings(call)
        assert "End call" in listed(keys, HERE)
        assert listed(keys, EVERYWHERE)["Keys"] == ("f1",)  # ? is text here
        await pilot.press("escape")
        await pilot.pause()
        assert pilot.app.screen is call


async def test_question_mark_on_a_dialog_lists_its_keys_and_the_ones_that_work_there(
        sqlite_ctx: Context, booked: list[AppointmentView]) -> None:
    async with FrontDeskApp(context=sqlite_ctx).run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        await pilot.press("p")  # the location picker, a modal list
        await pilot.pause()
        picker = pilot.app.screen
        keys = await open_keys(pilot)
        assert set(listed(keys, HERE)) == own_bindings(picker)
        everywhere = listed(keys, EVERYWHERE)
        assert "Call" in everywhere  # F2 works over a dialog too
        assert everywhere["Quit"] == ("^q",)  # q does not: the dialog shuts it out


# ------------------------------------------------------------------ footers


def test_every_footer_order_names_real_keys() -> None:
    """A screen's FOOTER_ORDER names only bindings it (or the app) has: a renamed key cannot
    silently fall to the end of its footer."""
    from frontdesk.ui.calendar.all_locations.screen import AllLocationsScreen
    from frontdesk.ui.schedule.screen import ScheduleEditorScreen

    app_ids = {b.id for _, b in FrontDeskApp._merged_bindings or ()}
    for screen in (TodayScreen, DayViewScreen, WeekViewScreen, AllLocationsScreen, CallScreen,
                   ReportScreen, ScheduleEditorScreen):
        own = {b.id for _, b in screen._merged_bindings or ()}
        assert set(screen.FOOTER_ORDER) <= own | app_ids, screen.__name__


async def test_the_board_footer_at_80_and_160_columns(
        sqlite_ctx: Context, booked: list[AppointmentView]) -> None:
    for size, wanted, left_out in (((80, 24), ["f2", "enter", "x", "d", "w"], ["a", "q"]),
                                   ((160, 50), ["f2", "enter", "g", "t", "a", "v"], [])):
        async with FrontDeskApp(context=sqlite_ctx).run_test(size=size) as pilot:
            screen = await settled(pilot)
            await pilot.pause()
            assert_footer_fits(screen)
            keys = footer_keys(screen)
            assert set(wanted) <= set(keys)
            assert not set(left_out) & set(keys)
            order = [k.key for k in screen.query_one(KeyFooter).query(FooterKey)]
            assert order[:2] == ["f2", "enter"]  # a call, then the visit in hand


async def test_the_footer_fits_again_after_a_resize(
        sqlite_ctx: Context, booked: list[AppointmentView]) -> None:
    async with FrontDeskApp(context=sqlite_ctx).run_test(size=(160, 50)) as pilot:
        screen = await settled(pilot)
        assert "a" in footer_keys(screen)
        await pilot.resize_terminal(80, 24)
        for _ in range(5):
            await pilot.pause()
        assert_footer_fits(screen)
        assert "a" not in footer_keys(screen)


async def test_day_and_week_footers_fit_at_80_columns(
        sqlite_ctx: Context, booked: list[AppointmentView]) -> None:
    async with FrontDeskApp(context=sqlite_ctx).run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        await pilot.press("d")
        day = await until(pilot, DayViewScreen)
        await pilot.pause()
        assert_footer_fits(day)
        await pilot.press("w")
        week = await until(pilot, WeekViewScreen)
        await pilot.pause()
        assert_footer_fits(week)


def back_label(screen: Screen[Any]) -> str:
    return next(b.description for _, b in screen._bindings if b.id == "week.back")


async def test_the_week_view_s_esc_is_labelled_with_where_it_goes(
        sqlite_ctx: Context, booked: list[AppointmentView]) -> None:
    async with FrontDeskApp(context=sqlite_ctx).run_test(size=(80, 24)) as pilot:
        board = await settled(pilot)
        await pilot.press("w")
        week = await until(pilot, WeekViewScreen)
        await pilot.pause()
        assert back_label(week) == "Board"
        assert footer_keys(week)["escape"].description == "Board"
        await pilot.press("escape")
        await pilot.pause()
        assert pilot.app.screen is board

        await pilot.press("d")
        day = await until(pilot, DayViewScreen)
        await pilot.press("w")
        week = await until(pilot, WeekViewScreen)
        await pilot.pause()
        assert back_label(week) == "Day view"
        assert footer_keys(week)["escape"].description == "Day view"
        await pilot.press("escape")
        await pilot.pause()
        assert pilot.app.screen is day


# ------------------------------------------------------------------ who is signed in


def test_who_text_gives_the_name_alone_when_narrow() -> None:
    rita = StaffView(id=1, name="Rita Fairbanks", username="rita", role=Role.RECEPTIONIST)
    assert who_text(rita) == "Rita Fairbanks · receptionist"
    assert who_text(rita, 20) == "Rita Fairbanks"
    assert who_text(None) == ""


async def test_the_title_line_names_who_is_signed_in_and_changes_with_them(
        demo: Context) -> None:
    app = FrontDeskApp(context=demo, poll_seconds=SLOW)
    async with app.run_test(size=(80, 24)) as pilot:
        board = await until(pilot, TodayScreen)
        await pilot.pause()
        assert str(board.query_one(SignedIn).render()) == "Rita Fairbanks · receptionist"
        await pilot.press("d")
        day = await until(pilot, DayViewScreen)
        assert str(day.query_one(SignedIn).render()).startswith("Rita Fairbanks")
        await pilot.press("ctrl+l")
        lock = await until(pilot, LockScreen)
        assert not lock.query(SignedIn)  # the lock says nothing more than its own note
        await pilot.press("ctrl+o")
        for field, text in (("#lock-user", "sam"), ("#lock-password", demo_password("sam"))):
            lock.query_one(field, Input).focus()
            await pilot.press(*text, "enter")
            await quiet(pilot)
        board = await until(pilot, TodayScreen)
        await pilot.pause()
        assert str(board.query_one(SignedIn).render()) == "Sam Holloway · scheduler"


# ------------------------------------------------------------------ first minutes


async def test_an_empty_saturday_says_where_the_next_visits_are(
        sqlite_ctx: Context, practice: Practice, booked: list[AppointmentView]) -> None:
    monday = book(sqlite_ctx, practice, patient=practice.patient_id, visit="follow-up",
                  provider=practice.baker, start=MONDAY_TEN)
    cancelled = book(sqlite_ctx, practice, patient=practice.other_patient_id,
                     visit="follow-up", provider=practice.baker, start=MONDAY_TEN)
    scheduling.cancel(sqlite_ctx, staff="desk", appointment_id=cancelled.id, reason="called")
    assert scheduling.next_visit_day(sqlite_ctx, after=date(2027, 3, 12)) == (
        monday.start.date(), 1)  # the cancelled one does not count
    assert scheduling.next_visit_day(sqlite_ctx, after=date(2027, 3, 15)) is None
    async with FrontDeskApp(context=sqlite_ctx).run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        await pilot.press("right", "right", "right")  # Sat 13 Mar
        screen = await settled(pilot)
        assert text_of(screen, "#board-empty") == (
            "No appointments on Sat 13 Mar 2027 at any location. Next visits: Mon 15 Mar 2027 "
            "(1 visit) — press → for the next day, or g to go to a date.")


async def test_the_demo_on_a_weekend_points_to_monday(demo: Context) -> None:
    monday = date(2027, 3, 15)
    visits = sum(a.status in scheduling.VISITS
                 for a in scheduling.appointments_on(demo, day=monday))
    assert visits > 10
    async with FrontDeskApp(context=demo, poll_seconds=SLOW).run_test(size=(80, 24)) as pilot:
        await until(pilot, TodayScreen)
        await pilot.press("right", "right", "right")
        screen = await settled(pilot)
        assert f"Next visits: Mon 15 Mar 2027 ({visits} visits)" in text_of(
            screen, "#board-empty")


async def demo_hint(app: FrontDeskApp) -> list[str]:
    """The demo accounts hint the sign-in form shows once the database is open."""
    async with app.run_test(size=(80, 24)) as pilot:
        form = await until(pilot, SignInScreen)
        await quiet(pilot)
        return [str(s.render()) for s in form.query(Static)
                if s.id == "signin-demo" and s.display]


async def test_the_demo_s_sign_in_names_its_accounts(demo: Context, demo_url: str,
                                                     clock: FrozenClock) -> None:
    for username, role in ((u, r) for _, u, r in DEMO_STAFF):
        assert f"{username} ({role.value})" in DEMO_ACCOUNTS
    assert demo_password("rita") in DEMO_ACCOUNTS
    assert demo_password("rita") == f"rita{DEMO_ACCOUNTS.split('followed by ')[1][:10]}"
    assert await demo_hint(make_app(demo_url, demo=True, clock=clock, settings=Settings(),
                                    poll_seconds=SLOW)) == [DEMO_ACCOUNTS]
    for flag in (True, False):
        app = FrontDeskApp(context=demo, sign_in=True, demo=flag)
        assert await demo_hint(app) == ([DEMO_ACCOUNTS] if flag else [])


async def test_a_practice_s_database_opened_with_the_demo_flag_names_no_accounts(
        sqlite_url: str, sqlite_ctx: Context, practice: Practice, clock: FrozenClock) -> None:
    """``frontdesk --demo --db real.db``: the database is not the demo's (the demo never
    seeded it), so its sign-in form publishes no account nor password pattern."""
    assert await demo_hint(make_app(sqlite_url, demo=True, clock=clock, settings=Settings(),
                                    poll_seconds=SLOW)) == []
    assert await demo_hint(FrontDeskApp(context=sqlite_ctx, sign_in=True, demo=True)) == []


class TestKeysSnapshots:
    """Reviewed pictures: the board's ``?`` list, and an empty Saturday's board with its footer
    (Wed 10 Mar 2027 at 09:00; the next visits on Mon 15 Mar)."""

    @staticmethod
    async def keys(pilot: Pilot[None]) -> None:
        await settled(pilot)
        await pilot.press("question_mark")
        await until(pilot, KeysScreen)

    @staticmethod
    async def saturday(pilot: Pilot[None]) -> None:
        await settled(pilot)
        await pilot.press("right", "right", "right")
        await settled(pilot)
        await pilot.pause()

    def test_keys_at_80x24(self, snap_compare: Any, sqlite_ctx: Context,
                           booked: list[AppointmentView]) -> None:
        assert snap_compare(FrontDeskApp(context=sqlite_ctx), terminal_size=(80, 24),
                            run_before=self.keys)

    def test_keys_at_160x50(self, snap_compare: Any, sqlite_ctx: Context,
                            booked: list[AppointmentView]) -> None:
        assert snap_compare(FrontDeskApp(context=sqlite_ctx), terminal_size=(160, 50),
                            run_before=self.keys)

    def test_empty_saturday_at_80x24(self, snap_compare: Any, sqlite_ctx: Context,
                                     practice: Practice, booked: list[AppointmentView]) -> None:
        book(sqlite_ctx, practice, patient=practice.patient_id, visit="follow-up",
             provider=practice.baker, start=MONDAY_TEN)
        assert snap_compare(FrontDeskApp(context=sqlite_ctx), terminal_size=(80, 24),
                            run_before=self.saturday)

    def test_empty_saturday_at_160x50(self, snap_compare: Any, sqlite_ctx: Context,
                                      practice: Practice, booked: list[AppointmentView]
                                      ) -> None:
        book(sqlite_ctx, practice, patient=practice.patient_id, visit="follow-up",
             provider=practice.baker, start=MONDAY_TEN)
        assert snap_compare(FrontDeskApp(context=sqlite_ctx), terminal_size=(160, 50),
                            run_before=self.saturday)
