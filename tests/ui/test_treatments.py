"""The treatment lookup: its own area (F3), and beside a call, where it leaves the call, its
timer and its draft alone and books its visit in that call."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select
from textual.pilot import Pilot
from textual.widgets import Input

from frontdesk.db.models import Call
from frontdesk.services.context import Context
from frontdesk.ui.call.booking import CallBookingDialog, ReadBackDialog
from frontdesk.ui.call.screen import CallScreen
from frontdesk.ui.treatments.screen import TreatmentScreen
from frontdesk.ui.widgets.booking import ProcedureDialog
from frontdesk.ui.widgets.treatment_lookup import TreatmentPanel
from tests.conftest import FrozenClock
from tests.practice import Practice
from tests.ui.call_helpers import app_for, quiet, shown, steady_cursor
from tests.ui.conftest import settled


def calls(ctx: Context) -> list[Call]:
    with Session(ctx.engine) as session:
        return list(session.exec(select(Call).order_by(col(Call.id))).all())


async def test_f3_opens_the_answers_with_the_disclaimer_and_the_phone(
    sqlite_ctx: Context, practice: Practice
) -> None:
    async with app_for(sqlite_ctx).run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        await pilot.press("f3")
        await quiet(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, TreatmentScreen)
        notice = shown(screen, "#lookup-notice")
        assert notice.startswith("For educational purposes only, not medical advice")
        assert notice.endswith("Practice: (918) 742-7030.")
        await pilot.press(*"burn the nerve")
        await quiet(pilot)
        panel = screen.query_one(TreatmentPanel)
        assert panel.shown is not None
        assert panel.shown.key == "rfa"
        text = shown(screen, "#lookup-text")
        assert "Never answer at the desk: pass to the clinical team" in text
        assert panel.check_action("book", ()) is False  # no call to book in
        await pilot.press("escape")
        await quiet(pilot)
        assert not isinstance(pilot.app.screen, TreatmentScreen)


async def test_the_panel_in_a_call_books_its_visit_with_the_call_intact(
    sqlite_ctx: Context, practice: Practice, clock: FrozenClock
) -> None:
    async with app_for(sqlite_ctx).run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        await pilot.press("f2")
        await quiet(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, CallScreen)
        await pilot.press(*"9185550111")
        await quiet(pilot)
        await pilot.press("enter")
        await quiet(pilot)
        await pilot.press("5")  # a question about a treatment
        await pilot.press(*"asks about trigger points")
        await quiet(pilot)
        [before] = calls(sqlite_ctx)
        clock.advance(seconds=30)

        await pilot.press("f3")
        await quiet(pilot)
        lookup = screen.query_one(TreatmentPanel)
        assert lookup.display
        assert not screen.query_one("#call-body").display  # 80 columns: over the call
        screen._tick()  # the timer runs on, as it does every second
        assert shown(screen, "#call-title").startswith("Call · 00:30 · Testcase, Casey")
        await pilot.press(*"trigger")
        await quiet(pilot)
        assert lookup.shown is not None
        assert lookup.shown.key == "trigger-point"
        [during] = calls(sqlite_ctx)
        assert (during.version, during.note, during.patient_id) == (
            before.version, before.note, before.patient_id)  # the draft untouched
        assert screen.query_one("#call-note", Input).value == "asks about trigger points"

        await pilot.press("ctrl+b")
        await quiet(pilot)
        details = pilot.app.screen  # the call has no region or side for it: asked first
        assert isinstance(details, ProcedureDialog)
        assert shown(details, "#procedure-title") == (
            "Trigger point injection: where is it done?")
        assert shown(details, "#procedure-ask") == "Which part of the spine will be injected?"
        await pilot.press("down", "enter")  # neck (cervical); no levels for a trigger point
        assert shown(details, "#procedure-ask") == "Which side?"
        await pilot.press("down", "down", "enter", "enter")  # right, then book it
        await quiet(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, CallBookingDialog)
        assert dialog.booking.visit_type == "trigger-point"
        assert (dialog.booking.region, dialog.booking.levels, dialog.booking.side) == (
            "cervical", None, "right")
        assert shown(dialog, "#callbook-title").startswith("Trigger point injection")
        await pilot.press("enter")
        await quiet(pilot)
        await pilot.press("enter")
        await quiet(pilot)
        assert isinstance(pilot.app.screen, ReadBackDialog)
        await pilot.press("enter")
        await quiet(pilot)
    [logged] = calls(sqlite_ctx)
    assert (logged.status, logged.outcome, logged.note) == (
        "closed", "booked", "asks about trigger points")
    assert logged.appointment_id is not None


async def test_f3_again_puts_the_call_back(sqlite_ctx: Context, practice: Practice) -> None:
    async with app_for(sqlite_ctx).run_test(size=(160, 50)) as pilot:
        await settled(pilot)
        await pilot.press("f2")
        await quiet(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, CallScreen)
        await pilot.press("f3")
        await quiet(pilot)
        assert screen.query_one("#call-body").display  # wide: beside the call
        assert screen.query_one(TreatmentPanel).display
        await pilot.press("f3")
        await quiet(pilot)
        assert not screen.query_one(TreatmentPanel).display
        assert pilot.app.focused is screen.query_one("#call-search", Input)


class TestLookupSnapshots:
    @staticmethod
    async def _in_call(pilot: Pilot[None]) -> None:
        await settled(pilot)
        await pilot.press("f2")
        await quiet(pilot)
        await pilot.press(*"9185550111")
        await quiet(pilot)
        await pilot.press("enter")
        await quiet(pilot)
        await pilot.press("f3")
        await quiet(pilot)
        await pilot.press(*"numbing shot")
        await quiet(pilot)
        await steady_cursor(pilot)

    def test_in_a_call_at_80x24(self, snap_compare: Any, sqlite_ctx: Context,
                                practice: Practice) -> None:
        assert snap_compare(app_for(sqlite_ctx), terminal_size=(80, 24),
                            run_before=self._in_call)

    def test_beside_a_call_at_160x50(self, snap_compare: Any, sqlite_ctx: Context,
                                     practice: Practice) -> None:
        assert snap_compare(app_for(sqlite_ctx), terminal_size=(160, 50),
                            run_before=self._in_call)
