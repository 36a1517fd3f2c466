"""Every list a person picks from acts on the first Enter on the highlighted row: ↓ from a
search field moves to its results with the first row highlighted, and the field being worked on
stays in view. Asserted on the screens' state and the database."""

from __future__ import annotations

from sqlmodel import Session, col, select
from textual.widget import Widget
from textual.widgets import Input, OptionList

from frontdesk.db.models import Call
from frontdesk.services.context import Context
from frontdesk.services.views import AppointmentView
from frontdesk.ui.call.screen import CallScreen
from tests.exports import add_patient
from tests.practice import Practice
from tests.ui.call_helpers import app_for, quiet
from tests.ui.conftest import settled
from tests.ui.test_day_actions import open_booking, search


def in_view(widget: Widget, within: Widget) -> bool:
    """The widget's lines are drawn inside ``within`` (not scrolled out of it)."""
    shown, box = widget.region, within.region
    return shown.height > 0 and box.y <= shown.y and shown.bottom <= box.bottom


def call_patient(ctx: Context) -> int | None:
    with Session(ctx.engine) as session:
        return session.exec(select(Call).order_by(col(Call.id).desc())).first().patient_id  # type: ignore[union-attr]


async def test_down_then_one_enter_identifies_the_caller_and_keeps_the_field_in_view(
    sqlite_ctx: Context, practice: Practice
) -> None:
    for first in ("Alex", "Blair", "Corey", "Devon", "Emery", "Finley", "Gray"):  # namesakes
        add_patient(sqlite_ctx, first, "Testcase")
    async with app_for(sqlite_ctx).run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        await pilot.press("f2")
        await quiet(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, CallScreen)
        await pilot.press(*"testcase")
        await quiet(pilot)
        assert len(screen.found) == 8
        body = screen.query_one("#call-body")
        assert body.max_scroll_y > 0  # the call is taller than the screen: ↓ could scroll it
        field = screen.query_one("#call-search", Input)

        await pilot.press("down")
        candidates = screen.query_one("#call-candidates", OptionList)
        assert pilot.app.focused is candidates
        assert candidates.highlighted == 0
        assert in_view(field, body)

        await pilot.press("enter")  # one Enter: this is the caller
        await quiet(pilot)
        assert screen.patient is not None
        assert screen.patient.id == screen.found[0].id
        assert in_view(field, body)
    assert call_patient(sqlite_ctx) == screen.found[0].id


async def test_up_or_typing_on_the_candidates_goes_back_to_the_search(
    sqlite_ctx: Context, practice: Practice
) -> None:
    async with app_for(sqlite_ctx).run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        await pilot.press("f2")
        await quiet(pilot)
        screen = pilot.app.screen
        await pilot.press(*"testcase")
        await quiet(pilot)
        await pilot.press("down", "up", "e")  # back to the field: the next key is typed
        await quiet(pilot)
        field = screen.query_one("#call-search", Input)
        assert pilot.app.focused is field
        assert field.value == "testcasee"
        await pilot.press("backspace")
        await quiet(pilot)
        await pilot.press("down", "y")  # typed on the list: it goes to the field too
        await quiet(pilot)
        assert pilot.app.focused is field
        assert field.value == "testcasey"
        assert screen.patient is None  # type: ignore[attr-defined]
    assert call_patient(sqlite_ctx) is None


async def test_day_view_b_dialog_picks_the_patient_with_down_and_one_enter(
    sqlite_ctx: Context, practice: Practice, booked: list[AppointmentView]
) -> None:
    async with app_for(sqlite_ctx).run_test(size=(80, 24)) as pilot:
        dialog = await open_booking(pilot, *["down"] * 10)  # 11:30, Dr. Able
        await search(pilot, dialog, "sample")
        await pilot.press("down")
        assert dialog.query_one("#book-patients", OptionList).highlighted == 0
        await pilot.press("enter")  # one Enter: Sample
        assert dialog.patient is not None
        assert dialog.patient.id == practice.other_patient_id
        visits = dialog.query_one("#book-visits", OptionList)
        assert pilot.app.focused is visits
        assert visits.highlighted == 0  # the next Enter books the first visit type
