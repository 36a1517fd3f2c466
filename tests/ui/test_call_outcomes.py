"""How a call ends does what it says (issue 20): "Callback scheduled" asks when and what about,
and the callback task is written with the call's log entry and listed on the next call; a
callback for a caller nobody identified is refused where the receptionist is looking.
Asserted on the database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select
from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from frontdesk.db.models import Call, CallbackTask
from frontdesk.domain.calls import CallReason
from frontdesk.services import calls
from frontdesk.services.callbacks import CallbackView
from frontdesk.services.context import Context
from frontdesk.ui.app import FrontDeskApp
from frontdesk.ui.call.callbacks import callback_line
from frontdesk.ui.call.dialogs import CallbackDialog, OutcomeDialog, ResumeDialog
from frontdesk.ui.call.record import callback_text
from frontdesk.ui.call.screen import CallScreen
from tests.conftest import FrozenClock
from tests.practice import Practice
from tests.ui.call_helpers import shown
from tests.ui.conftest import settled

TULSA = ZoneInfo("America/Chicago")


def app_for(ctx: Context) -> FrontDeskApp:
    return FrontDeskApp(context=ctx, poll_seconds=60.0)


async def quiet(pilot: Pilot[None]) -> None:
    """Let debounce timers fire and every worker (saves, reads) finish."""
    for _ in range(3):
        await pilot.pause(0.6)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def stored(ctx: Context) -> tuple[list[Call], list[CallbackTask]]:
    with Session(ctx.engine) as session:
        return (list(session.exec(select(Call).order_by(col(Call.id))).all()),
                list(session.exec(select(CallbackTask).order_by(col(CallbackTask.id))).all()))


async def resume(pilot: Pilot[None], ctx: Context, patient_id: int | None) -> CallScreen:
    """A call already under way (the caller identified, or not): F2 resumes it."""
    draft = calls.start_call(ctx, staff="desk")
    calls.save_draft(ctx, staff="desk", call_id=draft.id, expected_version=1,
                     patient_id=patient_id, reason=CallReason.CHANGE_VISIT,
                     note="wants an earlier time")
    await settled(pilot)
    await pilot.press("f2")
    await quiet(pilot)
    assert isinstance(pilot.app.screen, ResumeDialog)
    await pilot.press("enter")
    await quiet(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, CallScreen)
    return screen


async def end_as_callback(pilot: Pilot[None]) -> CallbackDialog:
    await pilot.press("ctrl+f")
    await quiet(pilot)
    ending = pilot.app.screen
    assert isinstance(ending, OutcomeDialog)
    options = ending.query_one(OptionList)
    assert str(options.get_option_at_index(0).prompt) == "1  Callback scheduled"
    await pilot.press("1")
    await quiet(pilot)
    asked = pilot.app.screen
    assert isinstance(asked, CallbackDialog)
    return asked


async def test_callback_scheduled_asks_when_and_the_task_is_on_the_next_calls_list(
    sqlite_ctx: Context, practice: Practice, clock: FrozenClock
) -> None:
    async with app_for(sqlite_ctx).run_test(size=(80, 24)) as pilot:
        await resume(pilot, sqlite_ctx, practice.patient_id)
        asked = await end_as_callback(pilot)
        # Wed 09:00: the default is two hours on, said as a time; what about: the call's note
        assert asked.query_one("#callback-when", Input).value == "in 2 hours"
        assert shown(asked, "#callback-due") == "Due today at 11:00"
        assert asked.query_one("#callback-about", Input).value == "wants an earlier time"
        await pilot.press("enter", "enter")  # the time offered, then what it is about
        await quiet(pilot)
        assert not isinstance(pilot.app.screen, (CallScreen, CallbackDialog))
        logged, tasks = stored(sqlite_ctx)
        assert [(c.status, c.outcome) for c in logged] == [("closed", "callback")]
        [task] = tasks
        assert (task.kind, task.patient_id, task.call_id, task.status, task.note) == (
            "call-back", practice.patient_id, logged[0].id, "open", "wants an earlier time")
        assert task.due_at.replace(tzinfo=UTC) == datetime(2027, 3, 10, 11, tzinfo=TULSA)

        await pilot.press("f2")  # the next call: the callback is on its list
        await quiet(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, CallScreen)
        listing = screen.query_one("#call-callbacks", OptionList)
        assert listing.display
        assert [str(listing.get_option_at_index(n).prompt)
                for n in range(listing.option_count)] == [
            "due 11:00 · Testcase, C. · call back: wants an earlier time"]
        await pilot.press("ctrl+r", "enter")  # call them back
        await quiet(pilot)
        assert "About: wants an earlier time" in shown(screen, "#call-hint")
        assert screen.patient is not None
        assert screen.patient.id == practice.patient_id
        await pilot.press("ctrl+f")
        await quiet(pilot)
        await pilot.press("2")  # information only: logging it closes the callback
        await quiet(pilot)
    _, [task] = stored(sqlite_ctx)
    assert task.status == "done"


async def test_a_typed_time_is_read_back_as_typed_and_a_wrong_one_said_under_it(
    sqlite_ctx: Context, practice: Practice, clock: FrozenClock
) -> None:
    async with app_for(sqlite_ctx).run_test(size=(80, 24)) as pilot:
        await resume(pilot, sqlite_ctx, practice.patient_id)
        asked = await end_as_callback(pilot)
        await pilot.press(*"8am")  # typing replaces the time offered
        assert asked.query_one("#callback-when", Input).value == "8am"
        assert shown(asked, "#callback-due") == (
            "Wed 10 Mar 08:00 has passed: give a later time.")
        await pilot.press("enter")  # not taken: the time stays to be fixed
        assert asked.focused is asked.query_one("#callback-when", Input)
        await pilot.press("ctrl+u", *"someday")
        assert shown(asked, "#callback-due").startswith("Did not understand 'someday'")
        await pilot.press("ctrl+u", *"tomorrow 2pm")
        assert shown(asked, "#callback-due") == "Due Thu 11 Mar at 14:00"
        await pilot.press("enter", "ctrl+u", "enter")  # and what about: left empty
        assert shown(asked, "#callback-due") == (
            "Say what the callback is about, so whoever calls back knows.")
        assert pilot.app.screen is asked
        await pilot.press(*"send the MRI date", "enter")
        await quiet(pilot)
    _, [task] = stored(sqlite_ctx)
    assert task.due_at.replace(tzinfo=UTC) == datetime(2027, 3, 11, 14, tzinfo=TULSA)
    assert task.note == "send the MRI date"


async def test_a_callback_for_a_caller_nobody_identified_is_refused_where_they_look(
    sqlite_ctx: Context, practice: Practice
) -> None:
    async with app_for(sqlite_ctx).run_test(size=(80, 24)) as pilot:
        screen = await resume(pilot, sqlite_ctx, None)
        await pilot.press("ctrl+f")
        await quiet(pilot)
        await pilot.press("1")  # callback scheduled
        await quiet(pilot)
        assert pilot.app.screen is screen  # no time asked for: nobody to call back
        assert shown(screen, "#call-hint").startswith(
            "A callback needs the caller on file: find them here")
        assert screen.focused is screen.query_one("#call-search", Input)
    [call], tasks = stored(sqlite_ctx)
    assert (call.status, tasks) == ("open", [])


def test_a_call_back_says_what_it_is_about_in_the_list_and_the_record() -> None:
    due = datetime(2027, 3, 10, 11, tzinfo=TULSA).astimezone(UTC)
    view = CallbackView(
        id=1, patient_id=2, patient_short="Testcase, C.", phone="9185550111", kind="call-back",
        due_at=due, overdue=False, appointment_id=None, procedure=None, procedure_name=None,
        procedure_at=None, timezone="America/Chicago", region=None, levels=None, side=None,
        note="wants an earlier time")
    assert view.label == "Call back"
    assert callback_line(view, TULSA, date(2027, 3, 10)) == (
        "due 11:00 · Testcase, C. · call back: wants an earlier time")
    assert callback_text(view) == "call back due Wed 10 Mar 11:00 · wants an earlier time"
    relief = replace(view, kind="relief-report", note="no answer")
    assert relief.label == "Relief report"
    assert callback_line(relief, TULSA, date(2027, 3, 10)) == (
        "due 11:00 · Testcase, C. · relief report: no answer")
