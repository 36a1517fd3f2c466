"""The recalls worklist on screen (issue 21 part 4) at 80x24: outcomes recorded from the keys
move or hide the item (checked in the database), Enter opens a call on the patient, and a visit
booked in that call is recorded for the recall on the way back."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session, col, select
from textual.pilot import Pilot
from textual.widgets import DataTable, Input

from frontdesk.db.models import AuditEvent, Call, Outreach
from frontdesk.domain.recalls import RecallKind
from frontdesk.services.context import Context
from frontdesk.ui.app import FrontDeskApp
from frontdesk.ui.call.screen import CallScreen
from frontdesk.ui.widgets.keys import HERE
from frontdesk.ui.worklists.recalls import RecallsScreen
from frontdesk.ui.worklists.recalls.dialogs import AskDialog
from frontdesk.ui.worklists.recalls.layout import plan_columns
from tests.practice import Practice
from tests.services.recall_helpers import at, callback, medicare_patient, visit
from tests.ui.call_helpers import app_for, quiet, shown
from tests.ui.conftest import settled
from tests.ui.test_keys import listed, open_keys


def _recalls(ctx: Context, p: Practice) -> tuple[str, str, str]:
    first = visit(ctx, p, p.patient_id, "facet-diagnostic", date(2027, 3, 1))
    second = visit(ctx, p, medicare_patient(ctx), "facet-diagnostic", date(2027, 3, 3))
    block = visit(ctx, p, p.other_patient_id, "facet-diagnostic", date(2027, 3, 8))
    task = callback(ctx, p.other_patient_id, block, due=at(date(2027, 3, 9)))
    return f"follow-up:{first}", f"follow-up:{second}", f"relief:{task}"


async def _listed(pilot: Pilot[None]) -> RecallsScreen:
    for _ in range(100):
        await quiet(pilot)
        screen = pilot.app.screen
        if isinstance(screen, RecallsScreen) and screen.loaded:
            return screen
    raise AssertionError("the recalls list never loaded")


def _outreach(ctx: Context) -> list[tuple[str, str]]:
    with Session(ctx.engine) as session:
        return [(r.subject, r.outcome) for r in session.exec(select(Outreach)
                                                             .order_by(Outreach.id)).all()]


async def _open(pilot: Pilot[None]) -> RecallsScreen:
    await settled(pilot)
    app = pilot.app
    assert isinstance(app, FrontDeskApp)
    assert app.backend is not None
    await app.push_screen(RecallsScreen(app.backend))
    return await _listed(pilot)


async def test_outcome_keys_move_and_hide_items_and_enter_calls_the_patient(
    sqlite_ctx: Context, practice: Practice
) -> None:
    first, second, relief = _recalls(sqlite_ctx, practice)
    async with app_for(sqlite_ctx, staff="desk").run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot)
        assert [i.key for i in screen.items] == [first, second, relief]
        assert screen.query_one(DataTable).row_count == 3
        assert shown(screen, "#recalls-summary") == (
            "3 due · 1 relief · 2 follow-up · 3 not tried · today: 0 tried, 0 booked")
        assert shown(screen, "#recalls-detail").startswith(
            "Testcase, C. · (918) 555-0111 · due since Tue 2 Mar · Test Clinic\nDiagnostic block")
        pilot.app.save_screenshot("recalls.svg", path="/tmp")

        await pilot.press("n")  # no answer: the first goes after the untried ones
        screen = await _listed(pilot)
        assert [i.key for i in screen.items] == [second, relief, first]
        assert _outreach(sqlite_ctx) == [(first, "no-answer")]
        assert screen.selected is not None
        assert screen.selected.key == second  # the cursor stays on the row it was on

        await pilot.press("s")  # not now: asks the day; hidden until then
        await quiet(pilot)
        assert isinstance(pilot.app.screen, AskDialog)
        await pilot.press("enter")  # empty: says what is needed, stays open
        assert isinstance(pilot.app.screen, AskDialog)
        pilot.app.screen.query_one(Input).value = "yesterday"
        await pilot.press("enter")
        assert "after today" in shown(pilot.app.screen, "#recall-ask-error")
        pilot.app.screen.query_one(Input).value = "2027-03-20"
        await pilot.press("enter")
        screen = await _listed(pilot)
        assert [i.key for i in screen.items] == [relief, first]
        assert _outreach(sqlite_ctx)[-1] == (second, "not-now")

        await pilot.press("k")  # one kind at a time
        screen = await _listed(pilot)
        assert screen.kind is RecallKind.REPEAT
        assert screen.items == ()
        assert shown(screen, "#recalls-summary") == (
            "No repeat procedure recalls due · All locations · today: 2 tried, 0 booked.")
        for _ in range(3):
            await pilot.press("k")
        screen = await _listed(pilot)
        assert screen.kind is None

        # Enter on a follow-up recall: a call on its patient; booked there, recorded here
        await pilot.press("up", "down")
        assert screen.selected is not None
        assert screen.selected.key == first
        await pilot.press("enter")
        for _ in range(50):
            await quiet(pilot)
            if isinstance(pilot.app.screen, CallScreen):
                break
        call_screen: Any = pilot.app.screen
        assert isinstance(call_screen, CallScreen)
        assert call_screen.call.patient_id == practice.patient_id
        assert call_screen.patient is not None
        assert call_screen.patient.id == practice.patient_id
        with Session(sqlite_ctx.engine) as session:
            calls = session.exec(select(Call)).all()
            assert [c.patient_id for c in calls] == [practice.patient_id]
        booked = visit(sqlite_ctx, practice, practice.patient_id, "follow-up",
                       date(2027, 3, 15), status="booked")  # what the call booked
        await pilot.press("escape")  # the call stays a draft; back to the list
        screen = await _listed(pilot)
        assert [i.key for i in screen.items] == [relief]
        assert _outreach(sqlite_ctx)[-1] == (first, "booked")
        assert shown(screen, "#recalls-summary").endswith("today: 2 tried, 1 booked")
        with Session(sqlite_ctx.engine) as session:
            row = session.exec(select(Outreach).where(Outreach.subject == first)
                               .where(Outreach.outcome == "booked")).one()
            assert row.appointment_id == booked


async def test_a_receptionist_sees_no_recall_keys_without_an_item(
    sqlite_ctx: Context, practice: Practice
) -> None:
    async with app_for(sqlite_ctx, staff="desk").run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot)
        assert screen.items == ()
        assert shown(screen, "#recalls-summary") == (
            "No recalls due · All locations · today: 0 tried, 0 booked.")
        for action in ("call", "record", "not_now", "declined"):
            assert screen.check_action(action, ()) is None
        await pilot.press("n")
        assert _outreach(sqlite_ctx) == []

        keys = await open_keys(pilot)  # ? lists every key of the list, greyed or not
        here = listed(keys, HERE)
        for described, key in (("Call", "⏎"), ("No answer", "n"), ("Message", "m"),
                               ("Not now", "s"), ("Declined", "d"), ("Booked", "b"),
                               ("Kind", "k"), ("Location", "l"), ("Refresh", "r")):
            assert key in here[described], described


def test_the_columns_fit_80_and_use_a_wide_terminal() -> None:
    narrow = plan_columns(80)
    assert [c.key for c in narrow] == ["due", "patient", "phone", "what", "last"]
    assert sum(c.width + 2 for c in narrow) <= 78
    assert "location" in [c.key for c in plan_columns(140)]


async def test_booked_is_refused_until_a_visit_is_and_declined_asks_why(
    sqlite_ctx: Context, practice: Practice
) -> None:
    first, _, _ = _recalls(sqlite_ctx, practice)
    async with app_for(sqlite_ctx, staff="desk").run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot)
        assert screen.selected is not None
        assert screen.selected.key == first
        await pilot.press("b")  # nothing booked yet: refused, said, nothing written
        await _listed(pilot)
        assert _outreach(sqlite_ctx) == []
        assert any("book it on a call first" in str(n.message)
                   for n in pilot.app._notifications)

        await pilot.press("d")
        await quiet(pilot)
        assert isinstance(pilot.app.screen, AskDialog)
        await pilot.press("escape")  # backs out: nothing written
        screen = await _listed(pilot)
        assert _outreach(sqlite_ctx) == []
        await pilot.press("d")
        await quiet(pilot)
        pilot.app.screen.query_one(Input).value = "Seeing another clinic"
        await pilot.press("enter")
        screen = await _listed(pilot)
        assert first not in [i.key for i in screen.items]
        assert _outreach(sqlite_ctx) == [(first, "declined")]


def _listings(ctx: Context) -> list[dict[str, Any]]:
    with Session(ctx.engine) as session:
        return [e.after for e in session.exec(
            select(AuditEvent).where(AuditEvent.action == "patient.list")
            .order_by(col(AuditEvent.id))).all()]


async def test_the_first_read_of_each_location_and_kind_is_audited(
    sqlite_ctx: Context, practice: Practice
) -> None:
    """Names and phones are shown: the first read of a location and kind is audited as the
    command line's is (who, how many — never the rows); a read keeping it fresh is not."""
    _recalls(sqlite_ctx, practice)
    async with app_for(sqlite_ctx, staff="desk").run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot)
        assert _listings(sqlite_ctx) == [{"command": "recalls", "rows": 3}]
        screen._refresh_quietly()
        screen.reload()  # back from a call
        await _listed(pilot)
        assert len(_listings(sqlite_ctx)) == 1
        await pilot.press("k")  # another kind: its first read
        await _listed(pilot)
        assert len(_listings(sqlite_ctx)) == 2
