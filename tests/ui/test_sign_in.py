"""Signing in on start, wrong passwords, the lockout, and the idle lock over a call in progress:
on the demo practice, whose accounts have documented demo passwords."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from threading import Event
from time import monotonic
from typing import Any

import pytest
from sqlmodel import Session, col, select
from textual.events import Key
from textual.pilot import Pilot
from textual.widgets import Input, Static
from textual.widgets._toast import Toast

from frontdesk.db.models import AuditEvent, Call, Staff
from frontdesk.domain.settings import Settings, SignInSettings
from frontdesk.services.context import Context
from frontdesk.services.origin import Origin
from frontdesk.ui import app as app_module
from frontdesk.ui.account.sign_in import LockScreen, SignInScreen
from frontdesk.ui.app import FrontDeskApp, make_app
from frontdesk.ui.backend import door
from frontdesk.ui.backend.door import Opened, open_backend
from frontdesk.ui.backend.early import EarlyBackend
from frontdesk.ui.calendar.board.screen import TodayScreen
from frontdesk.ui.call.screen import CallScreen
from frontdesk.ui.start import Report, StartScreen
from frontdesk.ui.visit.details import DetailsScreen
from tests.conftest import FrozenClock
from tests.ui.call_helpers import SLOW, quiet, shown, workers_done

RITA = "rita-demo-2027"


async def wait_for(pilot: Pilot[None], kind: type[Any]) -> Any:
    for _ in range(200):
        await workers_done(pilot)
        await pilot.pause()
        if isinstance(pilot.app.screen, kind):
            return pilot.app.screen
    raise AssertionError(f"never reached {kind.__name__}; at {type(pilot.app.screen).__name__}")


async def type_into(pilot: Pilot[None], selector: str, text: str) -> None:
    pilot.app.screen.query_one(selector, Input).focus()
    await pilot.press(*text, "enter")
    await quiet(pilot)


def audit_actions(ctx: Context) -> list[str]:
    with Session(ctx.engine) as session:
        return [e.action for e in session.exec(
            select(AuditEvent).where(col(AuditEvent.action).startswith("staff."))
            .order_by(col(AuditEvent.id)))]


def visible_text(screen: Any) -> str:
    return "\n".join(str(s.render()) for s in screen.query(Static))


class TestSignIn:
    @pytest.mark.parametrize("between", ["enter", "tab"])
    async def test_keys_typed_right_after_enter_go_to_the_password_never_the_username(
            self, demo_url: str, clock: FrozenClock, demo: Context, between: str) -> None:
        """A fast typist or a password manager sends the whole line at once: every key after
        Enter (or Tab) is the password's, and none of it shows in the username box."""
        app = make_app(demo_url, clock=clock, settings=Settings(), poll_seconds=SLOW)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await wait_for(pilot, SignInScreen)
            for key in (*"rita", between, *"not-her-password"):
                app.post_message(Key(key, key if len(key) == 1 else None))  # no pause between
            await pilot.pause()
            await quiet(pilot)
            assert screen.query_one("#signin-user", Input).value == "rita"
            assert screen.query_one("#signin-password", Input).value == "not-her-password"
            assert "not-her" not in visible_text(screen)

    async def test_an_account_without_a_password_is_told_how_it_gets_one(
            self, demo_url: str, clock: FrozenClock, demo: Context) -> None:
        """An account a practice file made has no password yet: the refusal is the same as for
        a wrong password (it never tells which usernames exist), and the note says how the
        first password is given."""
        with Session(demo.engine) as session:
            session.add(Staff(name="Erin Newhire", username="erin", role="receptionist"))
            session.commit()
        app = make_app(demo_url, clock=clock, settings=Settings(), poll_seconds=SLOW)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await wait_for(pilot, SignInScreen)
            assert not screen.query_one("#signin-note").display
            await type_into(pilot, "#signin-user", "erin")
            await type_into(pilot, "#signin-password", "anything-at-all")
            assert shown(screen, "#signin-error") == "Wrong username or password."
            assert screen.query_one("#signin-note").display
            assert shown(screen, "#signin-note").startswith(
                "A new account has no password until an admin gives it one: frontdesk staff "
                "reset-password USERNAME")

    async def test_start_asks_who_is_there_and_a_wrong_password_says_so(
            self, demo_url: str, clock: FrozenClock, demo: Context) -> None:
        app = make_app(demo_url, clock=clock, settings=Settings(), poll_seconds=SLOW)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await wait_for(pilot, SignInScreen)
            await type_into(pilot, "#signin-user", "rita")
            await type_into(pilot, "#signin-password", "not-her-password")
            assert isinstance(pilot.app.screen, SignInScreen)
            assert shown(screen, "#signin-error") == "Wrong username or password."
            assert screen.query_one("#signin-error").display  # and on screen, not hidden
            assert screen.query_one("#signin-password", Input).value == ""
            await type_into(pilot, "#signin-password", RITA)
            board = await wait_for(pilot, TodayScreen)
            assert board.backend.staff == "rita"
        assert audit_actions(demo) == ["staff.sign_in_failed", "staff.sign_in"]

    async def test_repeated_failures_lock_the_account(
            self, demo_url: str, clock: FrozenClock, demo: Context) -> None:
        app = make_app(demo_url, clock=clock, settings=Settings(), poll_seconds=SLOW)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await wait_for(pilot, SignInScreen)
            await type_into(pilot, "#signin-user", "sam")
            for _ in range(Settings().signin.max_failures):
                await type_into(pilot, "#signin-password", "guess-guess-guess")
            assert "locked until" in shown(screen, "#signin-error")
            assert screen.query_one("#signin-error").display
            await type_into(pilot, "#signin-password", "sam-demo-2027")
            assert isinstance(pilot.app.screen, SignInScreen)  # even the right one, for now
            assert "locked until" in shown(screen, "#signin-error")
        with Session(demo.engine) as session:
            sam = session.exec(select(Staff).where(Staff.username == "sam")).one()
            assert sam.locked_until is not None
        assert "staff.locked" in audit_actions(demo)


class TestFormBeforeTheDatabase:
    """The sign-in form is the first screen and takes keys while the database is still opening
    (what a person waits for at start: issue 19); a password typed before it is open is
    checked as soon as it is, and a database that cannot open replaces the form with why."""

    @staticmethod
    def held_open(demo_url: str, clock: FrozenClock,
                  result: Callable[[], Opened] | None = None) -> tuple[FrontDeskApp, Event]:
        gate = Event()

        def connect(_report: Report) -> Opened:
            assert gate.wait(30)
            if result is not None:
                return result()
            return open_backend(demo_url, clock=clock, settings=Settings(), sign_in=True)

        app = FrontDeskApp(connect=connect, sign_in=True, form_first=True, poll_seconds=SLOW)
        return app, gate

    async def test_keys_typed_while_the_database_opens_sign_in_once_it_is_open(
            self, demo_url: str, clock: FrozenClock, demo: Context) -> None:
        app, gate = self.held_open(demo_url, clock)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            screen = pilot.app.screen
            assert isinstance(screen, SignInScreen)  # on screen before the database is open
            assert not app.opening.ready
            assert screen.focused is screen.query_one("#signin-user", Input)
            await pilot.press(*"rita", "enter", *RITA, "enter")
            await pilot.pause()
            assert shown(screen, "#signin-progress") == (
                "Opening the database… you are signed in as soon as it is open.")
            password = screen.query_one("#signin-password", Input)
            assert password.held  # checked once the database is open; typing waits
            await pilot.press(*"again?q", "tab", *"more")  # typed again, as if slow
            assert screen.focused is password
            assert password.value == RITA
            assert screen.query_one("#signin-user", Input).value == "rita"
            assert pilot.app.is_running  # q did not quit
            gate.set()
            board = await wait_for(pilot, TodayScreen)
            assert board.backend.staff == "rita"
            assert app.backend is not None
            assert app.backend.staff == "rita"
        assert audit_actions(demo) == ["staff.sign_in"]

    async def test_a_wrong_password_typed_early_is_refused_once_the_database_is_open(
            self, demo_url: str, clock: FrozenClock, demo: Context) -> None:
        app, gate = self.held_open(demo_url, clock)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            screen = pilot.app.screen
            await pilot.press(*"rita", "enter", *"not-her-password", "enter")
            gate.set()
            await workers_done(pilot)
            await quiet(pilot)
            assert pilot.app.screen is screen
            assert shown(screen, "#signin-error") == "Wrong username or password."
            assert not screen.query_one("#signin-progress").display  # open now: nothing to wait
        assert audit_actions(demo) == ["staff.sign_in_failed"]

    async def test_a_database_that_cannot_open_replaces_the_form_with_why(
            self, demo_url: str, clock: FrozenClock) -> None:
        app, gate = self.held_open(demo_url, clock,
                                   lambda: Opened(None, error="Cannot open the database x.db."))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert isinstance(pilot.app.screen, SignInScreen)
            await pilot.press(*"rita", "enter", *RITA, "enter")
            gate.set()
            for _ in range(100):
                await pilot.pause()
                if isinstance(pilot.app.screen, StartScreen):
                    break
            screen = pilot.app.screen
            assert isinstance(screen, StartScreen)
            assert shown(screen, "#start-message").startswith("Cannot open the database x.db.")
            assert pilot.app.backend is None

    def test_make_app_puts_the_form_first_unless_an_ssh_login_may_sign_in_by_os_user(
            self, demo_url: str) -> None:
        assert make_app(demo_url).form_first  # this test runs in no SSH login
        assert not make_app(demo_url, staff="rita").form_first  # nobody to ask


class TestEarlyBoard:
    """In an SSH login whose OS user is mapped, the board shows before the database stack has
    loaded (signed in the light way, one ``staff.sign_in`` event), and goes on with the full
    backend once it is open (issue 19)."""

    @staticmethod
    def ssh_app(demo_url: str, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
                ) -> tuple[FrontDeskApp, Event]:
        """The app in an SSH login mapped to rita, its full backend held until ``gate`` is
        set."""
        gate = Event()
        real_open = door.open_backend

        def held(*args: Any, **kwargs: Any) -> Opened:
            assert gate.wait(30)
            return real_open(*args, **kwargs)

        monkeypatch.setattr(door, "open_backend", held)
        monkeypatch.setattr(app_module, "app_origin", lambda _env: Origin("ssh", "desk-os"))
        mapped = Settings(signin=replace(SignInSettings(), os_users={"desk-os": "rita"}))
        return make_app(demo_url, clock=clock, settings=mapped, poll_seconds=SLOW), gate

    @staticmethod
    async def settled_board(pilot: Pilot[None]) -> TodayScreen:
        """The board, its picture read — waiting on nothing else (the full backend is held)."""
        for _ in range(300):
            await pilot.pause(0.02)
            screen = pilot.app.screen
            if isinstance(screen, TodayScreen) and screen.up_to_date:
                return screen
        raise AssertionError(f"no board; at {type(pilot.app.screen).__name__}")

    async def test_the_board_shows_and_turns_before_the_full_backend_is_open(
            self, demo_url: str, clock: FrozenClock, demo: Context,
            monkeypatch: pytest.MonkeyPatch) -> None:
        app, gate = self.ssh_app(demo_url, clock, monkeypatch)
        assert not app.form_first
        async with app.run_test(size=(100, 30)) as pilot:
            board = await self.settled_board(pilot)
            assert app.backend is None  # the full backend is still opening
            assert board.backend.staff == "rita"
            early_rows = shown(board, "#board-summary")
            assert " visits · " in early_rows
            await pilot.press("right")
            await self.settled_board(pilot)
            assert board.day == date(2027, 3, 11)
            assert "Thu 11 Mar 2027" in shown(board, "#board-title")
            gate.set()
            for _ in range(200):
                await pilot.pause(0.02)
                if app.backend is not None:
                    break
            assert app.backend is not None
            assert app.backend.staff == "rita"
            assert pilot.app.screen is board  # the same board goes on
            await pilot.press("left")
            await self.settled_board(pilot)
            assert shown(board, "#board-summary") == early_rows  # the full way reads the same
        assert audit_actions(demo) == ["staff.sign_in"]

    async def test_keys_that_need_the_full_backend_wait_for_it_and_never_freeze_the_board(
            self, demo_url: str, clock: FrozenClock, demo: Context,
            monkeypatch: pytest.MonkeyPatch) -> None:
        """Enter, v, x and F2 on the early board, before the full backend is open, do nothing
        (their keys show greyed); the board still answers, and once the backend is open they
        work. Nothing waits for the backend on the event loop."""
        app, gate = self.ssh_app(demo_url, clock, monkeypatch)
        async with app.run_test(size=(100, 30)) as pilot:
            board = await self.settled_board(pilot)
            assert board.selected is not None  # a visit is highlighted: Enter would open it
            for key in ("enter", "v", "x", "f2", "f3", "d"):
                await pilot.press(key)
                await pilot.pause(0.05)
                assert pilot.app.screen is board, key
            assert board.check_action("details", ()) is None  # greyed, not hidden
            await pilot.press("right")
            await self.settled_board(pilot)  # the board itself still answers
            gate.set()
            for _ in range(200):
                await pilot.pause(0.02)
                if app.backend is not None:
                    break
            assert board.check_action("details", ()) is True
            await pilot.press("enter")
            await wait_for(pilot, DetailsScreen)

    async def test_quitting_while_the_database_opens_ends_the_app(
            self, demo_url: str, clock: FrozenClock) -> None:
        """Whatever waits for the database (the form's question "can anyone sign in?") is woken
        when the app closes, so quitting early never leaves the process running."""
        gate = Event()

        def connect(_report: Report) -> Opened:
            gate.wait(3)
            return open_backend(demo_url, clock=clock, settings=Settings(), sign_in=True)

        app = FrontDeskApp(connect=connect, sign_in=True, form_first=True, poll_seconds=SLOW)
        began = monotonic()
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert isinstance(pilot.app.screen, SignInScreen)
            await pilot.press("ctrl+q")
        gate.set()
        assert monotonic() - began < 20

    async def test_the_early_board_draws_the_day_read_with_the_sign_in_without_waiting(
            self, demo_url: str, clock: FrozenClock, demo: Context,
            monkeypatch: pytest.MonkeyPatch) -> None:
        """The glance reads today's board with the sign-in; the board draws it at once, before
        its own first read comes back (held here), and never says Loading…."""
        held = Event()
        real_open, real_load = door.open_backend, EarlyBackend.load_day

        def slow_open(*args: Any, **kwargs: Any) -> Opened:
            assert held.wait(30)
            return real_open(*args, **kwargs)

        def slow_load(backend: EarlyBackend, *args: Any) -> Any:
            assert held.wait(30)
            return real_load(backend, *args)

        monkeypatch.setattr(door, "open_backend", slow_open)
        monkeypatch.setattr(EarlyBackend, "load_day", slow_load)
        monkeypatch.setattr(app_module, "app_origin", lambda _env: Origin("ssh", "desk-os"))
        mapped = Settings(signin=replace(SignInSettings(), os_users={"desk-os": "rita"}))
        app = make_app(demo_url, clock=clock, settings=mapped, poll_seconds=SLOW)
        async with app.run_test(size=(100, 30)) as pilot:
            for _ in range(300):
                await pilot.pause(0.02)
                if isinstance(pilot.app.screen, TodayScreen) and pilot.app.screen.board:
                    break
            board = pilot.app.screen
            assert isinstance(board, TodayScreen)
            assert board.board is not None
            assert board.board.appointments  # Wed 10 Mar 2027 at the demo practice
            assert shown(board, "#board-summary").startswith(
                f"{len(board.board.rows(show_cancelled=False))} visits · ")
            held.set()

    async def test_an_os_user_not_mapped_is_asked_to_sign_in(
            self, demo_url: str, clock: FrozenClock, demo: Context,
            monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(app_module, "app_origin", lambda _env: Origin("ssh", "desk-os"))
        app = make_app(demo_url, clock=clock, settings=Settings(), poll_seconds=SLOW)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, SignInScreen)
        assert audit_actions(demo) == []


class TestIdleLock:
    async def _call_in_progress(self, pilot: Pilot[None]) -> CallScreen:
        await wait_for(pilot, TodayScreen)
        await pilot.press("f2")
        screen = await wait_for(pilot, CallScreen)
        screen.query_one("#call-note", Input).value = "asks about parking"
        await pilot.pause(0.8)  # the note is saved half a second after the last key
        await quiet(pilot)
        return screen  # type: ignore[no-any-return]

    async def test_the_lock_hides_everything_and_the_same_person_finds_the_call_as_it_was(
            self, demo: Context) -> None:
        app = FrontDeskApp(context=demo, poll_seconds=SLOW)
        async with app.run_test(size=(80, 24)) as pilot:
            call = await self._call_in_progress(pilot)
            app._last_input = monotonic() - 6 * 60  # five minutes idle, and then some
            app._check_idle()
            lock = await wait_for(pilot, LockScreen)
            assert not lock.query("#call-note")  # nothing of the call underneath shows
            assert "parking" not in visible_text(lock)
            await type_into(pilot, "#lock-password", "wrong-password-1")
            assert isinstance(pilot.app.screen, LockScreen)
            assert shown(lock, "#lock-error") == "Wrong password."  # only the password was asked
            assert lock.query_one("#lock-error").display
            await type_into(pilot, "#lock-password", RITA)
            assert pilot.app.screen is call
            assert call.query_one("#call-note", Input).value == "asks about parking"
        assert audit_actions(demo)[-3:] == ["staff.screen_lock", "staff.sign_in_failed",
                                            "staff.unlock"]

    async def test_nothing_behind_the_lock_can_be_reached(self, demo: Context) -> None:
        """Over the lock, the keys that work everywhere do nothing: no call (and its patient
        search), no treatments, no report, no palette, no list of keys; nor does running
        their actions; and the idle check does not stack a second lock."""
        app = FrontDeskApp(context=demo, staff="maria", poll_seconds=SLOW)  # sees the report
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await wait_for(pilot, TodayScreen)
            app.notify("Said-during-the-lock", timeout=60)
            await pilot.press("ctrl+l")
            lock = await wait_for(pilot, LockScreen)
            before = list(app.screen_stack)
            for key in ("f2", "f3", "f4", "ctrl+p", "f1"):
                await pilot.press(key)
                await quiet(pilot)
                assert app.screen_stack == before, key
            for action in ("start_call", "treatments", "daily_report", "keys_anywhere",
                           "command_palette"):
                await app.run_action(action)
                await quiet(pilot)
                assert app.screen_stack == before, action
            assert "Said-during-the-lock" not in app.export_screenshot()
            app._last_input = monotonic() - 60 * 60
            app._check_idle()
            await quiet(pilot)
            assert app.screen_stack == before
            await type_into(pilot, "#lock-password", "maria-demo-2027")
            assert isinstance(pilot.app.screen, TodayScreen)
            await pilot.press("f4")  # unlocked: the keys work again
            await quiet(pilot)
            assert type(pilot.app.screen).__name__ == "ReportScreen"
        assert lock not in app.screen_stack

    async def test_a_screen_closing_itself_under_the_list_of_keys_takes_the_list_along(
            self, demo: Context) -> None:
        """The list of keys is over a screen that closes itself (a call logged by its worker,
        an unlock): the screen closes, and the list with it, never the list in its stead;
        a screen opening under the list closes it first."""
        app = FrontDeskApp(context=demo, poll_seconds=SLOW)
        async with app.run_test(size=(80, 24)) as pilot:
            board = await wait_for(pilot, TodayScreen)
            await pilot.press("f3")
            treatments = pilot.app.screen
            assert treatments is not board
            await pilot.press("f1")
            await quiet(pilot)
            assert type(pilot.app.screen).__name__ == "KeysScreen"
            treatments.dismiss(None)  # as a worker closing its screen would
            await quiet(pilot)
            assert pilot.app.screen is board
            await pilot.press("f1")
            await quiet(pilot)
            app.push_screen(LockScreen(app.backend, name="Rita"))  # type: ignore[arg-type]
            await quiet(pilot)
            assert [type(s).__name__ for s in app.screen_stack[-2:]] == ["TodayScreen",
                                                                          "LockScreen"]

    @pytest.mark.parametrize(("change", "said"), [
        ("UPDATE staff SET active = 0 WHERE username = 'rita'",
         "This account has been disabled; ask a manager."),
        ("UPDATE staff SET password_hash = NULL WHERE username = 'rita'",
         "This account has no password any more; ask an admin to give it one."),
    ])
    async def test_the_lock_says_why_the_person_s_own_account_is_refused(
            self, demo: Context, change: str, said: str) -> None:
        """On the lock screen the account is known (the locked person's own): a disabled
        account, or one whose password was taken away, is not called a wrong password."""
        app = FrontDeskApp(context=demo, poll_seconds=SLOW)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, TodayScreen)
            await pilot.press("ctrl+l")
            lock = await wait_for(pilot, LockScreen)
            with demo.engine.begin() as connection:
                connection.exec_driver_sql(change)
            await type_into(pilot, "#lock-password", RITA)
            assert isinstance(pilot.app.screen, LockScreen)
            assert shown(lock, "#lock-error") == said

    async def test_the_lock_says_how_long_a_lockout_lasts(
            self, demo: Context, clock: FrozenClock) -> None:
        app = FrontDeskApp(context=demo, poll_seconds=SLOW)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, TodayScreen)
            await pilot.press("ctrl+l")
            lock = await wait_for(pilot, LockScreen)
            for n in range(1, 5):
                await type_into(pilot, "#lock-password", f"wrong-password-{n}")
                assert shown(lock, "#lock-error") == "Wrong password."
            await type_into(pilot, "#lock-password", "wrong-password-5")  # the fifth in a row
            assert shown(lock, "#lock-error") == (
                "This account is locked out after too many tries; try again in 15 min.")
            clock.advance(minutes=10, seconds=30)
            await type_into(pilot, "#lock-password", RITA)  # even the right one, meanwhile
            assert isinstance(pilot.app.screen, LockScreen)
            assert shown(lock, "#lock-error") == (
                "This account is locked out after too many tries; try again in 5 min.")

    async def test_no_notification_shows_over_the_lock_or_reaches_the_next_person(
            self, demo: Context) -> None:
        app = FrontDeskApp(context=demo, poll_seconds=SLOW)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await wait_for(pilot, TodayScreen)
            app.notify("Said before the lock", timeout=60)
            await pilot.pause()
            await pilot.press("ctrl+l")
            lock = await wait_for(pilot, LockScreen)
            assert list(app._notifications) == []  # gone, not just out of sight
            app.notify("Said-during-the-lock", timeout=60)
            await pilot.pause()
            assert lock.query(Toast)  # it waits for whoever unlocks ...
            assert "Said-during-the-lock" not in app.export_screenshot()  # ... unseen
            await pilot.press("ctrl+o")
            await type_into(pilot, "#lock-user", "sam")
            await type_into(pilot, "#lock-password", "sam-demo-2027")
            board = await wait_for(pilot, TodayScreen)
            await pilot.pause()
            assert [n.message for n in app._notifications] == []
            assert not board.query(Toast)

    async def test_someone_else_signing_in_ends_the_first_session_and_keeps_the_draft(
            self, demo: Context) -> None:
        app = FrontDeskApp(context=demo, poll_seconds=SLOW)
        async with app.run_test(size=(80, 24)) as pilot:
            call = await self._call_in_progress(pilot)
            await pilot.press("ctrl+l")
            await wait_for(pilot, LockScreen)
            await pilot.press("ctrl+o")
            await type_into(pilot, "#lock-user", "sam")
            await type_into(pilot, "#lock-password", "sam-demo-2027")
            board = await wait_for(pilot, TodayScreen)
            assert board.backend.staff == "sam"
            assert app.backend is not None
            assert app.backend.staff == "sam"
            assert not any(isinstance(s, CallScreen) for s in app.screen_stack)
        with Session(demo.engine) as session:
            draft = session.get(Call, call.call.id)
            assert draft is not None
            assert draft.status == "open"  # kept for rita to resume
            assert draft.note == "asks about parking"
        assert audit_actions(demo)[-2:] == ["staff.screen_lock", "staff.sign_in"]

    async def test_a_call_read_while_the_screen_locks_stays_shut_until_f2_after_unlock(
            self, demo: Context, monkeypatch: pytest.MonkeyPatch) -> None:
        """F2, and the lock comes before the call is read: no call (with its patient's
        details) opens over the lock, nor does any other screen but a password one; after
        the unlock, F2 offers the call kept as a draft."""
        from frontdesk.ui.backend.door import Backend
        from frontdesk.ui.call.dialogs import ResumeDialog
        from frontdesk.ui.treatments.screen import TreatmentScreen
        from frontdesk.ui.widgets.keys import KeysScreen

        locked = Event()
        reading = Backend.open_calls

        def after_the_lock(backend: Backend) -> Any:
            locked.wait(5)
            return reading(backend)

        monkeypatch.setattr(Backend, "open_calls", after_the_lock)
        app = FrontDeskApp(context=demo, poll_seconds=SLOW)
        async with app.run_test(size=(80, 24)) as pilot:
            board = await wait_for(pilot, TodayScreen)
            await pilot.press("f2")
            await pilot.press("ctrl+l")
            lock = await wait_for(pilot, LockScreen)
            locked.set()
            await workers_done(pilot)
            await quiet(pilot)
            assert app.screen_stack[-2:] == [board, lock]
            assert app._calls is not None
            assert not app._calls.busy
            backend = app.backend
            assert backend is not None
            for screen in (TreatmentScreen(backend), KeysScreen(board)):
                app.push_screen(screen)  # a worker's screen, a list of keys: refused
                await quiet(pilot)
                assert app.screen_stack[-2:] == [board, lock]
            second = LockScreen(backend, name="Rita")
            app.push_screen(second)  # a password screen still may
            await quiet(pilot)
            assert app.screen is second
            second.dismiss(None)
            await quiet(pilot)
            await type_into(pilot, "#lock-password", RITA)
            assert pilot.app.screen is board
            await pilot.press("f2")
            dialog = await wait_for(pilot, ResumeDialog)
            assert dialog.drafts
