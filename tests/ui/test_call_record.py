"""The caller's record at a glance in the call screen: shown the moment the caller is
identified (read in a worker, the reading audited), and the pathway's questions it answers
filled in for one Enter to confirm — on the tiny practice, with a history built through the
services (see tests/services/test_record.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlmodel import Session, col, select
from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from frontdesk.db.models import AuditEvent
from frontdesk.services.context import Context
from frontdesk.services.errors import Busy
from frontdesk.services.record import CallerRecord
from frontdesk.ui.app import FrontDeskApp
from frontdesk.ui.backend.door import Backend, Opened
from frontdesk.ui.call.pathway import PathwayPanel
from frontdesk.ui.call.record import RecordPanel
from frontdesk.ui.call.screen import CallScreen
from tests.conftest import FrozenClock
from tests.practice import Practice
from tests.services.test_record import book, history, local, set_payer
from tests.ui.call_helpers import SLOW, app_for, quiet, shown, steady_cursor
from tests.ui.conftest import settled


def with_history(ctx: Context, p: Practice, clock: FrozenClock) -> None:
    """The services' history plus a first cervical block on Wed 10 March: two cervical and one
    lumbar block done (the lumbar one reported on), a therapeutic injection booked for Tue 16,
    a follow-up held for Wed 17; a lapsed hold and a no-show that never count. Today is Mon
    15 March."""
    book(ctx, p, local(3, 10, 11), region="cervical", levels="C5-C6", side="right")
    history(ctx, p, clock)


async def identify(pilot: Pilot[None]) -> CallScreen:
    """F2, Testcase Casey's phone, Enter to the candidates, Enter: identified."""
    await settled(pilot)
    await pilot.press("f2")
    await quiet(pilot)
    await pilot.press(*"9185550111")
    await quiet(pilot)
    await pilot.press("enter")
    await quiet(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, CallScreen)
    assert screen.patient is not None
    return screen


async def test_identifying_the_caller_shows_their_record_with_the_counts(
    sqlite_ctx: Context, practice: Practice, clock: FrozenClock,
) -> None:
    with_history(sqlite_ctx, practice, clock)
    set_payer(sqlite_ctx, practice.patient_id, "Medicare")
    async with app_for(sqlite_ctx).run_test(size=(160, 50)) as pilot:
        screen = await identify(pilot)
        record = screen.query_one(RecordPanel).record
        assert record is not None
        text = shown(screen, "#call-record")
    lines = text.splitlines()
    assert lines[:2] == [
        "Next   Tue 16 Mar 10:00 · Therapeutic facet joint injection · booked · Dr. Avery "
        "Able · Test Clinic",
        "       Wed 17 Mar 10:00 · Follow-up · held · Dr. Avery Able · Test Clinic",
    ]
    assert "Last   cervical diagnostic 12 Mar C5-C6 right: no report yet" in lines
    assert "Last   lumbar diagnostic 11 Mar L4-L5 left: 85 % for 3 hours" in lines
    assert ("Count  cervical, 12 months: diagnostic 2/4 · therapeutic 0/4 · RFA 0/2 · "
            "Medicare (Novitas)") in lines
    assert ("Count  lumbar, 12 months: diagnostic 1/4 · therapeutic 1/4 · RFA 0/2 · "
            "Medicare (Novitas)") in lines
    due = [line for line in lines if line.startswith("Open")]
    assert due == [
        "Open   relief report due Thu 11 Mar 11:00, overdue · after Diagnostic facet joint "
        "injection, cervical, 10 Mar",
        "Open   relief report due Sat 13 Mar 10:00, overdue · after Diagnostic facet joint "
        "injection, cervical, 12 Mar"]
    with Session(sqlite_ctx.engine) as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.action == "patient.open")
                              .order_by(col(AuditEvent.id))).all()
    assert [(e.entity_id, (e.after or {}).get("view")) for e in events] == [
        (practice.patient_id, "caller record")]


async def test_a_caller_with_nothing_on_file_and_no_payer_rules(
    sqlite_ctx: Context, practice: Practice,
) -> None:
    async with app_for(sqlite_ctx).run_test(size=(80, 24)) as pilot:
        screen = await identify(pilot)
        assert shown(screen, "#call-record") == (
            "Record nothing on file: no visits ahead, no procedures, no callbacks")


@dataclass(frozen=True)
class NoRecordBackend(Backend):
    """The record cannot be read (the database is busy); everything else works."""

    def caller_record(self, patient_id: int, call_id: int | None = None) -> CallerRecord:
        raise Busy("database is locked")


async def test_a_record_that_cannot_be_read_says_so_and_the_call_goes_on(
    sqlite_ctx: Context, practice: Practice, clock: FrozenClock,
) -> None:
    with_history(sqlite_ctx, practice, clock)
    backend = NoRecordBackend.create(sqlite_ctx)
    app = FrontDeskApp(connect=lambda _report: Opened(backend), poll_seconds=SLOW)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await identify(pilot)
        assert shown(screen, "#call-record") == (
            "Could not read the caller's record: ask the caller as usual.")
        await pilot.press("2", "1")
        await quiet(pilot)
        question = screen.query_one(PathwayPanel).question
        assert question is not None
        assert question.key == "region"
        assert shown(screen, "#path-question") == "Which part of the spine was injected?"


async def test_the_injections_so_far_are_filled_in_and_one_enter_confirms_them(
    sqlite_ctx: Context, practice: Practice, clock: FrozenClock,
) -> None:
    with_history(sqlite_ctx, practice, clock)  # BlueCross: no payer rules, no scale questions
    async with app_for(sqlite_ctx).run_test(size=(80, 24)) as pilot:
        screen = await identify(pilot)
        assert ("Count  cervical: diagnostic 2 · lumbar: diagnostic 1, therapeutic 1"
                in shown(screen, "#call-record").splitlines())  # nothing payer-specific
        panel = screen.query_one(PathwayPanel)
        await pilot.press("2")  # a report after an injection
        await quiet(pilot)
        await pilot.press("1")  # the diagnostic one
        await quiet(pilot)
        assert panel.question is not None
        assert panel.question.key == "region"
        assert shown(screen, "#path-question") == (
            "Which part of the spine was injected?\n"
            "On file: cervical, last diagnostic 12 Mar 2027 — Enter to confirm")
        choices = screen.query_one("#path-choices", OptionList)
        assert choices.highlighted == 1  # Neck (cervical)
        await pilot.press("enter")
        await quiet(pilot)
        await pilot.press(*"C5-C6", "enter", "3", *"85", "enter", *"3 hours", "enter")
        await quiet(pilot)
        assert panel.question is not None
        assert panel.question.key == "injections_so_far"
        assert shown(screen, "#path-question").endswith(
            "On file: 2 cervical diagnostic — Enter to confirm")
        field = screen.query_one("#path-input", Input)
        assert field.value == "2"
        assert pilot.app.focused is field
        await pilot.press("enter")  # confirmed as it stands
        await quiet(pilot)
        assert panel.answers["region"] == "cervical"
        assert panel.answers["injections_so_far"] == 2
        assert panel.question is None or panel.question.key == "wearing_off"
        # Back a question: still filled in, and typing replaces what is on file.
        await pilot.press("ctrl+b")
        await quiet(pilot)
        assert field.value == "2"
        await pilot.press("3", "enter")
        await quiet(pilot)
        assert panel.answers["injections_so_far"] == 3


@pytest.mark.parametrize(("size", "compact"), [((80, 24), True), ((200, 60), False)])
async def test_the_record_fits_80x24_and_a_large_terminal(
    sqlite_ctx: Context, practice: Practice, clock: FrozenClock, size: tuple[int, int],
    compact: bool,
) -> None:
    """Every line of the record is one row, cut where it must be; a small terminal shows the
    next visit and the callbacks in one line, a large one every visit and callback and the
    payer's name."""
    with_history(sqlite_ctx, practice, clock)
    set_payer(sqlite_ctx, practice.patient_id, "Medicare")
    async with app_for(sqlite_ctx).run_test(size=size) as pilot:
        screen = await identify(pilot)
        panel = screen.query_one(RecordPanel)
        lines = shown(screen, "#call-record").splitlines()
        assert panel.size.height == len(lines)  # one row each
        assert all(len(line) <= panel.size.width for line in lines)
    visits = [line for line in lines if line[7:10] in ("Tue", "Wed")]
    due = [line for line in lines if line.startswith("Open")]
    counts = [line for line in lines if line.startswith("Count")]
    if compact:
        assert len(visits) == 1
        assert "       +1 more visit (reason 4 lists them)" in lines
        assert due == ["Open   2 callbacks, the first due Thu 11 Mar 11:00; 2 overdue"]
        assert counts[0] == "Count  cervical, 12 mo: diagnostic 2/4 · therapeutic 0/4 · RFA 0/2"
    else:
        assert len(visits) == 2
        assert len(due) == 2
        assert counts[0] == ("Count  cervical, 12 months: diagnostic 2/4 · therapeutic 0/4 · "
                             "RFA 0/2 · Medicare (Novitas)")


class TestRecordSnapshots:
    """The tiny practice with the history above, Testcase Casey on Medicare."""

    def test_the_record_and_a_question_on_file_at_80x24(
        self, snap_compare: Any, sqlite_ctx: Context, practice: Practice, clock: FrozenClock,
    ) -> None:
        with_history(sqlite_ctx, practice, clock)
        set_payer(sqlite_ctx, practice.patient_id, "Medicare")

        async def asking(pilot: Pilot[None]) -> None:
            await identify(pilot)
            await pilot.press("2", "1")  # a report on the diagnostic injection
            await quiet(pilot)
            await steady_cursor(pilot)

        assert snap_compare(app_for(sqlite_ctx), terminal_size=(80, 24), run_before=asking)

    def test_the_record_at_160x50(
        self, snap_compare: Any, sqlite_ctx: Context, practice: Practice, clock: FrozenClock,
    ) -> None:
        with_history(sqlite_ctx, practice, clock)
        set_payer(sqlite_ctx, practice.patient_id, "Medicare")

        async def identified(pilot: Pilot[None]) -> None:
            await identify(pilot)
            await steady_cursor(pilot)

        assert snap_compare(app_for(sqlite_ctx), terminal_size=(160, 50),
                            run_before=identified)
