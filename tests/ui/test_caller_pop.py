"""The caller pop in the app: the phone system's number opens the call screen on the caller
(one on file, several to pick from, none: the new-patient form with the number), only once
someone has signed in, never over the lock, never in place of an open call; and through the
local channel, a running app is told the same."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, col, select
from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from frontdesk.db.engine import run_write
from frontdesk.db.models import Call, Patient
from frontdesk.domain.settings import Settings
from frontdesk.services.context import Context
from frontdesk.services.pop import channel
from frontdesk.ui.account.sign_in import LockScreen, SignInScreen
from frontdesk.ui.app import FrontDeskApp, make_app
from frontdesk.ui.calendar.board.screen import TodayScreen
from frontdesk.ui.call import pop as pop_module
from frontdesk.ui.call.new_patient import NewPatientDialog
from frontdesk.ui.call.screen import CallScreen
from tests.conftest import FrozenClock
from tests.practice import Practice
from tests.ui.call_helpers import SLOW, quiet, shown, workers_done
from tests.ui.test_sign_in import TestEarlyBoard as _EarlyBoard

CASEY = "+19185550111"  # Casey Testcase's phone in the tiny practice
NOBODY = "+19185550199"
SHARED = "+19185550177"
RITA = "rita-demo-2027"


async def wait_for(pilot: Pilot[None], kind: type[Any]) -> Any:
    for _ in range(200):
        await workers_done(pilot)
        await pilot.pause()
        if isinstance(pilot.app.screen, kind):
            return pilot.app.screen
    raise AssertionError(f"never reached {kind.__name__}; at {type(pilot.app.screen).__name__}")


def share_number(ctx: Context, p: Practice, number: str, *, merged_too: bool = False) -> None:
    """Both patients of the tiny practice on ``number`` (Sample's as the mobile); with
    ``merged_too`` a third record with it, merged away into Testcase's."""

    def work(session: Session) -> None:
        first = session.get(Patient, p.patient_id)
        second = session.get(Patient, p.other_patient_id)
        assert first is not None
        assert second is not None
        first.phone = number
        second.mobile = number
        if merged_too:
            gone = Patient(first_name="Casey", last_name="Oldrecord", dob=first.dob,
                           phone=number, payer="Self-pay", created_at=first.created_at,
                           merged_into_id=p.patient_id)
            session.add(gone)

    run_write(ctx.engine, work)


def calls(ctx: Context) -> list[Call]:
    with Session(ctx.engine) as session:
        return list(session.exec(select(Call).order_by(col(Call.id))))


def toasts(app: FrontDeskApp) -> list[str]:
    return [n.message for n in app._notifications]


async def picked(pilot: Pilot[None], screen: CallScreen) -> None:
    """The one patient with the number is offered, not assumed: one Enter takes them."""
    assert screen.patient is None
    assert screen.call.patient_id is None
    assert shown(screen, "#call-hint").startswith("Caller ID matches ")
    assert "confirm name and date of birth, then Enter." in shown(screen, "#call-hint")
    listed = screen.query_one("#call-candidates", OptionList)
    assert listed.display
    assert listed.option_count == 1
    assert listed.highlighted == 0
    await pilot.press("enter")
    await quiet(pilot)


def app_for(ctx: Context, **kwargs: Any) -> FrontDeskApp:
    return FrontDeskApp(context=ctx, poll_seconds=SLOW, **kwargs)


class TestCallFrom:
    """What `frontdesk call --from` gives the app: ``make_app(pop=…)``."""

    async def test_one_patient_with_the_number_opens_the_call_on_them(
            self, sqlite_ctx: Context, practice: Practice) -> None:
        app = app_for(sqlite_ctx, pop=CASEY)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await wait_for(pilot, CallScreen)
            await quiet(pilot)
            await picked(pilot, screen)
            assert screen.patient is not None
            assert screen.patient.id == practice.patient_id
            assert "Testcase, Casey" in shown(screen, "#call-title")
        assert [c.patient_id for c in calls(sqlite_ctx)] == [practice.patient_id]

    async def test_several_with_the_number_are_listed_exactly_for_the_desk_to_pick(
            self, sqlite_ctx: Context, practice: Practice) -> None:
        share_number(sqlite_ctx, practice, SHARED, merged_too=True)
        app = app_for(sqlite_ctx, pop=SHARED)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await wait_for(pilot, CallScreen)
            await quiet(pilot)
            listed = screen.query_one("#call-candidates", OptionList)
            assert listed.display
            ids = [listed.get_option_at_index(i).id for i in range(listed.option_count)]
            # both live records, by name; never the record merged away
            assert ids == [str(practice.other_patient_id), str(practice.patient_id)]
            assert screen.query_one("#call-search", Input).value == "(918) 555-0177"
            assert "2 patients have this number" in shown(screen, "#call-hint")
            assert screen.patient is None  # the desk picks: nobody is assumed
            await pilot.press("down", "down", "enter")  # the second: Testcase
            await quiet(pilot)
            assert screen.patient is not None
            assert screen.patient.id == practice.patient_id

    async def test_nobody_with_the_number_opens_the_new_patient_form_with_it(
            self, sqlite_ctx: Context, practice: Practice) -> None:
        app = app_for(sqlite_ctx, pop=NOBODY)
        async with app.run_test(size=(80, 24)) as pilot:
            form = await wait_for(pilot, NewPatientDialog)
            assert form.query_one("#phone", Input).value == "(918) 555-0199"
            assert form.query_one("#name", Input).has_focus
            await pilot.press("escape")
            await quiet(pilot)
            screen = app.screen
            assert isinstance(screen, CallScreen)
            assert "Nobody on file has this number" in shown(screen, "#call-hint")
            assert screen.query_one("#call-search", Input).value == "(918) 555-0199"

    async def test_the_call_opens_only_once_the_person_has_signed_in(
            self, demo_url: str, clock: FrozenClock, demo: Context) -> None:
        number = demo_number(demo)
        before = len(calls(demo))
        app = make_app(demo_url, clock=clock, settings=Settings(), poll_seconds=SLOW, pop=number)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            form = await wait_for(pilot, SignInScreen)
            await quiet(pilot)
            assert not any(isinstance(s, CallScreen) for s in app.screen_stack)
            assert len(calls(demo)) == before  # nothing started for nobody
            assert "A call came in: it opens once you have signed in." in toasts(app)
            form.query_one("#signin-user", Input).value = "rita"
            form.query_one("#signin-password", Input).focus()
            await pilot.press(*RITA, "enter")
            screen = await wait_for(pilot, CallScreen)
            await quiet(pilot)
            await picked(pilot, screen)
            assert screen.patient is not None
            assert screen.patient.phone == number
            assert app.backend is not None
            assert app.backend.staff == "rita"


def demo_number(ctx: Context) -> str:
    """A phone of exactly one live demo patient."""
    with Session(ctx.engine) as session:
        phones = [p.phone for p in session.exec(
            select(Patient).where(col(Patient.merged_into_id).is_(None)))]
    return next(n for n in phones if phones.count(n) == 1)


class TestRunningApp:
    async def test_a_pop_over_the_lock_waits_until_the_person_is_back(
            self, demo: Context) -> None:
        number = demo_number(demo)
        before = len(calls(demo))
        app = app_for(demo)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await wait_for(pilot, TodayScreen)
            await pilot.press("ctrl+l")
            lock = await wait_for(pilot, LockScreen)
            assert app.caller_pop(number) == "held"
            await quiet(pilot)
            assert app.screen is lock  # nothing opened, nothing read behind the lock
            assert len(calls(demo)) == before
            assert "555" not in app.export_screenshot()  # neither the number nor a name
            assert toasts(app) == ["A call came in: it opens once you have signed in."]
            lock.query_one("#lock-password", Input).focus()
            await pilot.press(*RITA, "enter")
            screen = await wait_for(pilot, CallScreen)
            await quiet(pilot)
            await picked(pilot, screen)
            assert screen.patient is not None
            assert screen.patient.phone == number

    async def test_an_open_call_is_kept_and_f2_takes_the_new_one_after_it(
            self, sqlite_ctx: Context, practice: Practice) -> None:
        app = app_for(sqlite_ctx)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await wait_for(pilot, TodayScreen)
            await pilot.press("f2")
            first = await wait_for(pilot, CallScreen)
            await quiet(pilot)
            assert app.caller_pop(CASEY) == "queued"
            await quiet(pilot)
            assert app.screen is first  # the open call stays
            assert any(t.startswith("Call from (918) 555-0111 — F2 to take it")
                       for t in toasts(app))
            await pilot.press("escape")  # left as a draft
            await quiet(pilot)
            await pilot.press("f2")
            second = await wait_for(pilot, CallScreen)
            await quiet(pilot)
            assert second is not first
            await picked(pilot, second)
            assert second.patient is not None
            assert second.patient.id == practice.patient_id
            assert not [t for t in toasts(app) if "F2 to take it" in t]  # taken: not said
        assert len(calls(sqlite_ctx)) == 2

    async def test_a_pop_not_taken_in_time_is_said_missed(
            self, sqlite_ctx: Context, practice: Practice,
            monkeypatch: pytest.MonkeyPatch) -> None:
        app = app_for(sqlite_ctx)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await wait_for(pilot, TodayScreen)
            await pilot.press("ctrl+l")
            await wait_for(pilot, LockScreen)
            app.caller_pop(CASEY)
            assert app._pops is not None
            later = app._pops.clock() + pop_module.KEEP_SECONDS + 1
            monkeypatch.setattr(app._pops, "clock", lambda: later)
            app._pops.deliver()  # as if someone signed in
            await quiet(pilot)
            assert app._pops.pending is not None  # still locked: it waits, unsaid
            app.pop_screen()  # the lock lifted (as an unlock does)
            app._pops.deliver()
            await quiet(pilot)
            assert isinstance(app.screen, TodayScreen)
            assert "Missed while signed out: a call from (918) 555-0111." in toasts(app)
        assert not calls(sqlite_ctx)


class TestSshLogin:
    async def test_an_ssh_login_signed_in_by_its_os_user_gets_the_call_once_fully_open(
            self, demo_url: str, clock: FrozenClock, demo: Context,
            monkeypatch: pytest.MonkeyPatch) -> None:
        """The early board (the light way) cannot open a call: the pop waits, unsaid, until
        the full backend is open, then the call screen opens on the caller."""
        number = demo_number(demo)
        app, gate = _EarlyBoard.ssh_app(demo_url, clock, monkeypatch)
        app._first_pop = number
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await _EarlyBoard.settled_board(pilot)
            assert app.backend is None
            assert not any(isinstance(s, CallScreen) for s in app.screen_stack)
            assert toasts(app) == []  # signed in already: nothing to ask of anyone
            gate.set()
            screen = await wait_for(pilot, CallScreen)
            await quiet(pilot)
            await picked(pilot, screen)
            assert screen.patient is not None
            assert screen.patient.phone == number
            assert screen.backend.staff == "rita"


class TestChannel:
    async def test_a_pop_through_the_socket_reaches_the_running_app(
            self, sqlite_ctx: Context, practice: Practice, tmp_path: Path) -> None:
        where = tmp_path / "run"
        app = app_for(sqlite_ctx, listen=where, listen_as="clinic")
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, TodayScreen)
            for _ in range(50):
                if list(where.glob("pop-*.sock")):
                    break
                await pilot.pause(0.05)
            socket_file = next(where.glob("pop-*.sock"))
            assert oct(where.stat().st_mode & 0o777) == "0o700"
            assert oct(socket_file.stat().st_mode & 0o777) == "0o600"
            assert await asyncio.to_thread(channel.hand_over, CASEY, where,
                                           database="demo") is None  # another database's
            answer = await asyncio.to_thread(channel.hand_over, CASEY, where, database="clinic")
            assert answer == "shown"
            screen = await wait_for(pilot, CallScreen)
            await quiet(pilot)
            await picked(pilot, screen)
            assert screen.patient is not None
            assert screen.patient.id == practice.patient_id
            # what is not a phone number is answered so, and nothing opens
            for junk in (b"rm -rf /\n", b"9" * 200 + b"\n", b"\xff\xfe\n", b"\n",
                         b"+19185550111 1000000000\n"):  # the last: sent long ago
                reply = await asyncio.to_thread(raw_send, socket_file, junk)
                assert not reply.startswith(b"OK"), junk
            await quiet(pilot)
            assert app.screen is screen
        assert not list(where.glob("pop-*.sock"))  # closed on exit, its socket gone
        assert len(calls(sqlite_ctx)) == 1


def raw_send(path: Path, data: bytes) -> bytes:
    import socket

    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(5)
        sock.connect(str(path))
        try:
            assert sock.recv(100).startswith(b"FRONTDESK-POP 2 clinic\n")
            sock.sendall(data)
            return sock.recv(100)
        except OSError:
            return b""


def add_patients(ctx: Context, p: Practice, count: int, number: str) -> None:
    def work(session: Session) -> None:
        first = session.get(Patient, p.patient_id)
        assert first is not None
        for i in range(count):
            session.add(Patient(first_name=f"Kid{i:02d}", last_name="Zzsample", dob=first.dob,
                                phone=number, payer="Self-pay", created_at=first.created_at))

    run_write(ctx.engine, work)


async def settle(pilot: Pilot[None]) -> None:
    for _ in range(30):
        await workers_done(pilot)
        await pilot.pause()


class TestReview:
    async def test_a_caller_on_a_merged_records_old_number_is_the_kept_patient(
            self, sqlite_ctx: Context, practice: Practice) -> None:
        old = "+19185550166"

        def work(session: Session) -> None:
            kept = session.get(Patient, practice.patient_id)
            assert kept is not None
            session.add(Patient(first_name="Casey", last_name="Testcase", dob=kept.dob,
                                phone=old, payer="Self-pay", created_at=kept.created_at,
                                merged_into_id=practice.patient_id))

        run_write(sqlite_ctx.engine, work)
        app = app_for(sqlite_ctx, pop=old)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await wait_for(pilot, CallScreen)
            await quiet(pilot)
            assert not isinstance(app.screen, NewPatientDialog)
            await picked(pilot, screen)
            assert screen.patient is not None
            assert screen.patient.id == practice.patient_id

    async def test_more_than_twelve_with_the_number_says_so(
            self, sqlite_ctx: Context, practice: Practice) -> None:
        add_patients(sqlite_ctx, practice, 13, SHARED)
        app = app_for(sqlite_ctx, pop=SHARED)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await wait_for(pilot, CallScreen)
            await quiet(pilot)
            assert screen.query_one("#call-candidates", OptionList).option_count == 12
            assert shown(screen, "#call-hint").startswith(
                "More than 12 patients have this number: search by name")

    async def test_exactly_twelve_are_all_listed(
            self, sqlite_ctx: Context, practice: Practice) -> None:
        add_patients(sqlite_ctx, practice, 12, SHARED)
        app = app_for(sqlite_ctx, pop=SHARED)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await wait_for(pilot, CallScreen)
            await quiet(pilot)
            assert screen.query_one("#call-candidates", OptionList).option_count == 12
            assert "12 patients have this number: confirm" in shown(screen, "#call-hint")

    async def test_f2_just_as_the_pop_arrives_opens_one_call(
            self, sqlite_ctx: Context, practice: Practice) -> None:
        app = app_for(sqlite_ctx)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await wait_for(pilot, TodayScreen)
            assert app.caller_pop(CASEY) == "shown"
            await pilot.press("f2")  # while the pop's call is being opened
            await settle(pilot)
            assert sum(isinstance(s, CallScreen) for s in app.screen_stack) == 1
            screen = app.screen
            assert isinstance(screen, CallScreen)
            assert screen.query_one("#call-search", Input).value == "(918) 555-0111"
        assert len(calls(sqlite_ctx)) == 1

    async def test_a_pop_just_after_f2_waits_for_f2_and_opens_no_second_screen(
            self, sqlite_ctx: Context, practice: Practice) -> None:
        app = app_for(sqlite_ctx)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await wait_for(pilot, TodayScreen)
            await pilot.press("f2")  # the call is being opened
            assert app.caller_pop(CASEY) == "queued"
            await settle(pilot)
            assert sum(isinstance(s, CallScreen) for s in app.screen_stack) == 1
            assert any(t.startswith("Call from (918) 555-0111 — F2 to take it")
                       for t in toasts(app))
        assert len(calls(sqlite_ctx)) == 1

    async def test_a_second_pop_while_a_call_is_open_says_the_first_was_missed(
            self, sqlite_ctx: Context, practice: Practice) -> None:
        app = app_for(sqlite_ctx)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await wait_for(pilot, TodayScreen)
            await pilot.press("f2")
            await wait_for(pilot, CallScreen)
            await quiet(pilot)
            assert app.caller_pop(CASEY) == "queued"
            await quiet(pilot)  # two connections: their toasts shown in between
            assert app.caller_pop(NOBODY) == "queued"
            await quiet(pilot)
            said = toasts(app)
            assert any(t.startswith("Missed: a call from (918) 555-0111") for t in said)
            assert [t for t in said if "F2 to take it" in t] == [
                f"Call from (918) 555-0199{pop_module.TAKE}"]

    async def test_pops_replaced_behind_the_lock_are_said_missed_once_back(
            self, sqlite_ctx: Context, practice: Practice) -> None:
        app = app_for(sqlite_ctx)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await wait_for(pilot, TodayScreen)
            await pilot.press("ctrl+l")
            await wait_for(pilot, LockScreen)
            app.caller_pop(NOBODY)
            app.caller_pop(CASEY)
            app.caller_pop(CASEY)  # the phone system said it twice: one call, none missed
            await quiet(pilot)
            assert not any("555" in t for t in toasts(app))  # nothing said behind the lock
            app.pop_screen()  # the lock lifted (as an unlock does)
            assert app._pops is not None
            app._pops.deliver()
            screen = await wait_for(pilot, CallScreen)
            await quiet(pilot)
            assert screen.query_one("#call-search", Input).value == "(918) 555-0111"
            missed = [t for t in toasts(app) if t.startswith("Missed:")]
            assert len(missed) == 1
            assert missed[0].startswith("Missed: a call from (918) 555-0199")
