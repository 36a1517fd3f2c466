"""A call from F2 to its log entry: identify the caller, the reason, a note, how it ended —
the draft saved on every change and offered for resume after a crash. Asserted on the
database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, col, func, select
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Select, Static

from frontdesk.db.models import Call, Patient
from frontdesk.domain.calls import CallReason
from frontdesk.services import calls
from frontdesk.services.calls import CallView
from frontdesk.services.context import Context
from frontdesk.ui.app import FrontDeskApp
from frontdesk.ui.backend.door import Backend, Opened
from frontdesk.ui.call.dialogs import OutcomeDialog, ResumeDialog
from frontdesk.ui.call.draft import elapsed
from frontdesk.ui.call.new_patient import NewPatientDialog
from frontdesk.ui.call.screen import CallScreen
from tests.conftest import FrozenClock
from tests.practice import Practice
from tests.ui.conftest import settled

SLOW = 60.0


def stored_calls(ctx: Context) -> list[Call]:
    with Session(ctx.engine) as session:
        return list(session.exec(select(Call).order_by(col(Call.id))).all())


def patients(ctx: Context) -> int:
    with Session(ctx.engine) as session:
        return int(session.exec(select(func.count()).select_from(Patient)).one())


async def quiet(pilot: Pilot[None]) -> None:
    """Let debounce timers fire and every worker (searches, saves) finish."""
    for _ in range(3):
        await pilot.pause(0.6)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def on_call(pilot: Pilot[None]) -> CallScreen:
    await settled(pilot)
    await pilot.press("f2")
    await quiet(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, CallScreen)
    return screen


def text(screen: Any, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


def app_for(ctx: Context) -> FrontDeskApp:
    return FrontDeskApp(context=ctx, poll_seconds=SLOW)


async def test_a_whole_call_is_saved_as_it_goes_and_logged_at_the_end(
    sqlite_ctx: Context, practice: Practice, clock: FrozenClock
) -> None:
    async with app_for(sqlite_ctx).run_test(size=(80, 24)) as pilot:
        screen = await on_call(pilot)
        assert text(screen, "#call-title") == "Call · 00:00 · caller not identified"
        [draft] = stored_calls(sqlite_ctx)
        assert (draft.status, draft.patient_id) == ("open", None)

        await pilot.press(*"tescase")  # misheard over the phone
        await quiet(pilot)
        assert [p.last_name for p in screen.found] == ["Testcase"]
        assert "1 found: confirm the date of birth" in text(screen, "#call-hint")
        await pilot.press("enter")  # the one found: this is the caller
        await quiet(pilot)
        assert text(screen, "#call-caller").startswith(
            "✓ Testcase, Casey · born 17 May 1970 · (918) 555-0111 · Test Clinic")
        assert stored_calls(sqlite_ctx)[0].patient_id == practice.patient_id

        await pilot.press("5")  # a question about a treatment: no pathway, on to the note
        await pilot.press(*"asks about rfa")
        await quiet(pilot)
        saved = stored_calls(sqlite_ctx)[0]
        assert (saved.reason, saved.note, saved.answers["search"]) == (
            "treatment-question", "asks about rfa", "tescase")
        clock.advance(seconds=95)
        screen._tick()
        assert text(screen, "#call-title").startswith("Call · 01:35 · Testcase, Casey")

        await pilot.press("ctrl+f")
        await pilot.pause()
        assert isinstance(pilot.app.screen, OutcomeDialog)
        await pilot.press("down", "down", "down", "enter")  # transferred to the clinical team
        await quiet(pilot)
        assert not isinstance(pilot.app.screen, CallScreen)
    [logged] = stored_calls(sqlite_ctx)
    assert (logged.status, logged.outcome, logged.note, logged.patient_id) == (
        "closed", "transferred", "asks about rfa", practice.patient_id)
    assert logged.ended_at is not None


async def test_an_unfinished_call_is_offered_for_resume_with_nothing_lost(
    sqlite_ctx: Context, practice: Practice
) -> None:
    """As after a killed terminal: the draft is in the database, the app starts afresh."""
    draft = calls.start_call(sqlite_ctx, staff="desk")
    calls.save_draft(sqlite_ctx, staff="desk", call_id=draft.id, expected_version=1,
                     patient_id=practice.other_patient_id, reason=CallReason.NEW_PROBLEM,
                     answers={"search": "sample"}, note="back pain for 3 weeks")
    async with app_for(sqlite_ctx).run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        await pilot.press("f2")
        await quiet(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, ResumeDialog)
        first = dialog.query_one(OptionList).get_option_at_index(0).prompt
        assert str(first) == "Call from Wed 09:00 · Sample, J. · New pain problem"
        await pilot.press("enter")
        await quiet(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, CallScreen)
        assert screen.call.id == draft.id
        assert screen.query_one("#call-search", Input).value == "sample"
        assert screen.query_one("#call-note", Input).value == "back pain for 3 weeks"
        assert text(screen, "#call-caller").startswith("✓ Sample, Jordan · born 2 Nov 1982")
        assert screen.query_one("#call-reason", OptionList).highlighted == 0
        await pilot.press("escape")  # leave it open again
        await pilot.pause()
        assert not isinstance(pilot.app.screen, CallScreen)
    assert [c.status for c in stored_calls(sqlite_ctx)] == ["open"]


async def test_starting_afresh_instead_of_resuming_opens_a_second_call(
    sqlite_ctx: Context, practice: Practice
) -> None:
    calls.start_call(sqlite_ctx, staff="desk")
    async with app_for(sqlite_ctx).run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        await pilot.press("f2")
        await quiet(pilot)
        await pilot.press("down", "enter")  # "Start a new call"
        await quiet(pilot)
        assert isinstance(pilot.app.screen, CallScreen)
    assert [c.status for c in stored_calls(sqlite_ctx)] == ["open", "open"]


async def test_a_new_caller_is_added_with_each_problem_next_to_its_field(
    sqlite_ctx: Context, practice: Practice
) -> None:
    before = patients(sqlite_ctx)
    async with app_for(sqlite_ctx).run_test(size=(80, 30)) as pilot:
        screen = await on_call(pilot)
        await pilot.press(*"Morgan Reyes")
        await quiet(pilot)
        assert "Nobody found" in text(screen, "#call-hint")
        await pilot.press("ctrl+n")
        await pilot.pause()
        dialog = pilot.app.screen
        assert isinstance(dialog, NewPatientDialog)
        assert dialog.query_one("#name", Input).value == "Morgan Reyes"  # carried over
        await pilot.press(*"12/1/2030", "enter")  # a birth date in the future, no phone
        await quiet(pilot)
        assert text(dialog, "#phone-error") == "Ask for a phone number."
        assert text(dialog, "#dob-error") == "Date of birth is in the future"  # at once
        assert dialog.focused is dialog.query_one("#dob")  # the first problem
        dialog.query_one("#phone", Input).value = "555"
        await pilot.press("enter")
        await quiet(pilot)
        assert text(dialog, "#dob-error") == "Date of birth is in the future"
        assert text(dialog, "#phone-error") == ("Not a valid phone number: check the area "
                                                "code and the number of digits, e.g. "
                                                "918-555-0142")
        dialog.query_one("#dob", Input).value = "4/2/1961"
        await pilot.press("enter")
        await quiet(pilot)
        assert not dialog.query_one("#dob-error").display
        assert text(dialog, "#phone-error") == ("Not a valid phone number: check the area "
                                                "code and the number of digits, e.g. "
                                                "918-555-0142")
        assert patients(sqlite_ctx) == before  # nothing saved half-way
        dialog.query_one("#phone", Input).value = "918-555-0177"
        dialog.query_one("#location", Select).value = "Test Clinic"
        await pilot.press("enter")
        await quiet(pilot)
        assert pilot.app.screen is screen
        assert text(screen, "#call-caller").startswith(
            "✓ Reyes, Morgan · born 2 Apr 1961 · (918) 555-0177 · Test Clinic")
    assert patients(sqlite_ctx) == before + 1
    [call] = stored_calls(sqlite_ctx)
    with Session(sqlite_ctx.engine) as session:
        added = session.get(Patient, call.patient_id)
        assert added is not None
        assert (added.first_name, added.last_name, added.dob) == ("Morgan", "Reyes",
                                                                  date(1961, 4, 2))


async def test_the_new_callers_payer_is_found_in_the_payer_list_as_it_is_typed(
    sqlite_ctx: Context, practice: Practice
) -> None:
    async with app_for(sqlite_ctx).run_test(size=(80, 30)) as pilot:
        screen = await on_call(pilot)
        await pilot.press(*"Morgan Reyes")
        await quiet(pilot)
        await pilot.press("ctrl+n")
        await pilot.pause()
        dialog = pilot.app.screen
        assert isinstance(dialog, NewPatientDialog)
        dialog.query_one("#dob", Input).value = "4/2/1961"
        dialog.query_one("#phone", Input).value = "918-555-0177"
        dialog.query_one("#payer", Input).focus()
        await pilot.press(*"Medcare")
        await quiet(pilot)
        assert text(dialog, "#payer-matches") == "In the list: Medicare Part B (Novitas)"
        await pilot.press("enter")
        await quiet(pilot)
        assert text(dialog, "#payer-error") == (
            "'Medcare' is not in the practice's payer list; did you mean Medicare Part B "
            "(Novitas)?")
        assert pilot.app.screen is dialog  # nothing saved
        dialog.query_one("#payer", Input).value = ""
        await pilot.press(*"humana")
        await quiet(pilot)
        await pilot.press("right")  # takes the completion offered
        assert dialog.query_one("#payer", Input).value == "humana Medicare Advantage"
        dialog.query_one("#member_id", Input).value = "H1234 5678"
        await pilot.press("enter")
        await quiet(pilot)
        assert pilot.app.screen is screen
        assert text(screen, "#call-caller").endswith(" · Humana Medicare Advantage")
    [call] = stored_calls(sqlite_ctx)
    with Session(sqlite_ctx.engine) as session:
        added = session.get(Patient, call.patient_id)
        assert added is not None
        assert (added.payer_key, added.member_id) == ("humana-ma", "H1234 5678")


def test_the_call_timer_reads_minutes_and_seconds() -> None:
    from datetime import UTC, datetime, timedelta

    start = datetime(2027, 3, 10, 15, 0, tzinfo=UTC)
    assert elapsed(start, start) == "00:00"
    assert elapsed(start, start + timedelta(seconds=125)) == "02:05"
    assert elapsed(start, start + timedelta(hours=1, seconds=7)) == "1:00:07"
    assert elapsed(start, start - timedelta(seconds=3)) == "00:00"


class TestCallSnapshots:
    def test_identified_caller_at_80x24(self, snap_compare: Any, sqlite_ctx: Context,
                                        practice: Practice) -> None:
        async def identified(pilot: Pilot[None]) -> None:
            await on_call(pilot)
            await pilot.press(*"testcase")
            await quiet(pilot)
            await pilot.press("enter", "down")
            await quiet(pilot)

        assert snap_compare(app_for(sqlite_ctx), terminal_size=(80, 24), run_before=identified)

    def test_new_patient_at_80x24(self, snap_compare: Any, sqlite_ctx: Context,
                                  practice: Practice) -> None:
        async def adding(pilot: Pilot[None]) -> None:
            await on_call(pilot)
            await pilot.press(*"Morgan Reyes")
            await quiet(pilot)
            await pilot.press("ctrl+n")
            await pilot.pause()
            await pilot.press("enter")
            await quiet(pilot)

        assert snap_compare(app_for(sqlite_ctx), terminal_size=(80, 24), run_before=adding)


@dataclass(frozen=True)
class DownBackend(Backend):
    """The database does not answer while ``failing`` is set."""

    failing: list[bool] = field(default_factory=lambda: [True])

    def open_calls(self) -> list[CallView]:
        if self.failing[0]:
            raise OSError("disk I/O error")
        return super().open_calls()


async def test_f2_says_when_the_database_does_not_answer_and_works_once_it_does(
    sqlite_ctx: Context, practice: Practice
) -> None:
    backend = DownBackend.create(sqlite_ctx)
    app = FrontDeskApp(connect=lambda _report: Opened(backend), poll_seconds=SLOW)
    async with app.run_test(notifications=True) as pilot:
        await settled(pilot)
        await pilot.press("f2")
        await quiet(pilot)
        assert not isinstance(pilot.app.screen, CallScreen)
        said = [n.message for n in pilot.app._notifications]
        assert said == ["Could not start the call: the database did not answer. Try F2 again."]
        assert stored_calls(sqlite_ctx) == []
        backend.failing[0] = False
        screen = await on_call(pilot)
        assert isinstance(screen, CallScreen)
        assert len(stored_calls(sqlite_ctx)) == 1

