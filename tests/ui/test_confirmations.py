"""The confirmation list's screen (issue 21) at 80x24: it opens on the next working day, the
first to call at the top; each outcome key records the call and sends the cursor to the next
visit still to call; x cancels through the cancel dialog; v records the wish and picks the
visit up in the day view; the progress line follows. Checked on screen and in the database."""

from __future__ import annotations

import contextlib
from typing import Any

from sqlmodel import Session, col, select
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, OptionList
from textual.worker import WorkerCancelled

from frontdesk.db.models import AuditEvent, Outreach
from frontdesk.domain.model import Status
from frontdesk.services import scheduling
from frontdesk.services.context import Context
from frontdesk.services.views import AppointmentView
from frontdesk.services.worklists import confirmations as conf
from frontdesk.ui.app import FrontDeskApp
from frontdesk.ui.calendar.day.screen import DayViewScreen
from frontdesk.ui.visit.cancel import CancelDialog
from frontdesk.ui.widgets.go_to import GoToDialog
from frontdesk.ui.worklists.confirm_layout import plan_columns
from frontdesk.ui.worklists.confirmations import ConfirmationsScreen
from tests.conftest import FrozenClock
from tests.practice import Practice
from tests.services.test_confirmations import FRI, THU, at, book
from tests.ui.conftest import settled, text_of


def four_on_thursday(ctx: Context, p: Practice) -> list[AppointmentView]:
    """Thursday's follow-ups at 8 and 9, a first visit at 10, a facet block at 13."""
    return [book(ctx, p, THU, 8), book(ctx, p, THU, 9, patient=p.other_patient_id),
            book(ctx, p, THU, 10, "new-patient", patient=p.other_patient_id),
            book(ctx, p, THU, 13, "facet-diagnostic", provider=p.able)]


async def ready(pilot: Pilot[None]) -> ConfirmationsScreen:
    """Wait, bounded, until the list shows what it was asked for."""
    for _ in range(200):
        with contextlib.suppress(WorkerCancelled):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        screen = pilot.app.screen
        if isinstance(screen, ConfirmationsScreen) and screen.loaded:
            return screen
    raise AssertionError("the confirmation list never showed")


async def opened(pilot: Pilot[None], **kw: Any) -> ConfirmationsScreen:
    await settled(pilot)
    app = pilot.app
    assert isinstance(app, FrontDeskApp)
    assert app.backend is not None
    kw.setdefault("location_id", 1)
    await app.push_screen(ConfirmationsScreen(app.backend, **kw))
    return await ready(pilot)


def cursor_id(screen: ConfirmationsScreen) -> int | None:
    row = screen.selected
    return row.id if row else None


def outcomes(ctx: Context) -> list[tuple[int | None, str]]:
    with Session(ctx.engine) as session:
        return [(r.appointment_id, r.outcome)
                for r in session.exec(select(Outreach).order_by(col(Outreach.id)))]


def listings(ctx: Context) -> list[Any]:
    """The audit events of the list's reads (who saw names and phones, and how many)."""
    with Session(ctx.engine) as session:
        return [e.after for e in session.exec(
            select(AuditEvent).where(AuditEvent.action == "patient.list")
            .order_by(col(AuditEvent.id)))]


async def test_outcomes_move_the_cursor_to_the_next_visit_to_call_and_count(
        sqlite_ctx: Context, practice: Practice) -> None:
    eight, nine, first, facet = four_on_thursday(sqlite_ctx, practice)
    async with FrontDeskApp(context=sqlite_ctx, staff="desk").run_test(size=(80, 24)) as pilot:
        screen = await opened(pilot)

        assert screen.day == THU  # the next working day after Wednesday
        assert "Confirmations · Test Clinic · Thu 11 Mar 2027 (tomorrow)" in text_of(
            screen, "#confirm-title")
        assert [r.id for r in screen.listing.rows] == [first.id, facet.id, eight.id, nine.id]
        assert text_of(screen, "#confirm-progress") == "0 of 4 reached · 0 confirmed · 4 to call"
        assert "Remind: arrive by 9:40 AM (20 min early)" in text_of(screen, "#confirm-detail")

        await pilot.press("c")  # the first visit confirmed
        screen = await ready(pilot)
        assert scheduling.get_appointment(sqlite_ctx, first.id).status is Status.CONFIRMED
        assert cursor_id(screen) == facet.id
        assert text_of(screen, "#confirm-progress") == "1 of 4 reached · 1 confirmed · 3 to call"

        await pilot.press("n")  # no answer at the facet block's number
        screen = await ready(pilot)
        assert cursor_id(screen) == eight.id
        await pilot.press("m")  # a message left for the 8:00
        screen = await ready(pilot)
        assert cursor_id(screen) == nine.id
        await pilot.press("c")
        screen = await ready(pilot)
        assert cursor_id(screen) == facet.id  # every one tried: the first not reached
        assert text_of(screen, "#confirm-progress") == "2 of 4 reached · 2 confirmed · 0 to call"
        assert outcomes(sqlite_ctx) == [(first.id, "confirmed"), (facet.id, "no-answer"),
                                        (eight.id, "left-message"), (nine.id, "confirmed")]
        assert listings(sqlite_ctx) == [{"command": "confirmations", "rows": 4}]  # read once
        assert scheduling.get_appointment(sqlite_ctx, facet.id).status is Status.BOOKED


async def test_x_cancels_through_the_cancel_dialog(sqlite_ctx: Context,
                                                   practice: Practice) -> None:
    eight, nine, first, facet = four_on_thursday(sqlite_ctx, practice)
    async with FrontDeskApp(context=sqlite_ctx, staff="desk").run_test(size=(80, 24)) as pilot:
        screen = await opened(pilot)
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(pilot.app.screen, CancelDialog)
        await pilot.press("escape")  # kept after all: nothing written
        screen = await ready(pilot)
        assert outcomes(sqlite_ctx) == []

        await pilot.press("x")
        await pilot.pause()
        dialog = pilot.app.screen
        assert isinstance(dialog, CancelDialog)
        await pilot.press("enter")  # no reason: the dialog says so and stays
        assert isinstance(pilot.app.screen, CancelDialog)
        dialog.query_one(Input).value = "Feeling better"
        await pilot.press("enter")
        screen = await ready(pilot)

        done = scheduling.get_appointment(sqlite_ctx, first.id)
        assert (done.status, done.cancel_reason) == (Status.CANCELLED, "Feeling better")
        assert outcomes(sqlite_ctx) == [(first.id, "cancelled")]
        assert [r.id for r in screen.listing.rows] == [facet.id, eight.id, nine.id]
        assert cursor_id(screen) == facet.id
        assert text_of(screen, "#confirm-progress") == (
            "0 of 3 reached · 0 confirmed · 3 to call · 1 cancelled or moved")


async def test_v_records_the_wish_and_picks_the_visit_up_in_the_day_view(
        sqlite_ctx: Context, practice: Practice) -> None:
    eight, nine, first, facet = four_on_thursday(sqlite_ctx, practice)
    async with FrontDeskApp(context=sqlite_ctx, staff="desk").run_test(size=(80, 24)) as pilot:
        screen = await opened(pilot)
        await pilot.press("down", "down")  # the 8:00 follow-up
        assert cursor_id(screen) == eight.id
        await pilot.press("v")
        for _ in range(100):
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
            if isinstance(pilot.app.screen, DayViewScreen):
                break
        day = pilot.app.screen
        assert isinstance(day, DayViewScreen)
        assert outcomes(sqlite_ctx) == [(eight.id, "wants-move")]
        await pilot.press("escape")  # the move let go of
        await pilot.pause()
        assert isinstance(pilot.app.screen, DayViewScreen)
        await pilot.press("escape")  # back to the list, read again
        screen = await ready(pilot)
        row = next(r for r in screen.listing.rows if r.id == eight.id)
        assert row.standing.value == "wants-move"


async def test_days_and_a_changed_visit(sqlite_ctx: Context, practice: Practice) -> None:
    eight, *_ = four_on_thursday(sqlite_ctx, practice)
    friday = book(sqlite_ctx, practice, FRI, 9)
    app = FrontDeskApp(context=sqlite_ctx, staff="desk")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await opened(pilot)
        await pilot.press("right")
        screen = await ready(pilot)
        assert (screen.day, [r.id for r in screen.listing.rows]) == (FRI, [friday.id])
        await pilot.press("g")
        await pilot.pause()
        assert isinstance(pilot.app.screen, GoToDialog)
        pilot.app.screen.query_one(Input).value = "3/11"
        await pilot.press("enter")
        screen = await ready(pilot)
        assert screen.day == THU

        await pilot.press("down", "down")
        assert cursor_id(screen) == eight.id
        scheduling.set_status(sqlite_ctx, staff="sched", appointment_id=eight.id,
                              status=Status.CONFIRMED)  # another desk, meanwhile
        await pilot.press("n")
        screen = await ready(pilot)
        assert outcomes(sqlite_ctx) == []  # refused: the row showed an older version
        said = [n.message for n in pilot.app._notifications]
        assert any("changed by someone else meanwhile (now confirmed" in m for m in said)
        row = next(r for r in screen.listing.rows if r.id == eight.id)
        assert row.standing.value == "confirmed"  # the fresh state shows


def test_the_columns_fit_80_and_grow_with_the_terminal() -> None:
    narrow = plan_columns(80)
    assert [c.key for c in narrow] == ["time", "patient", "phone", "visit", "standing"]
    assert sum(c.width + 2 for c in narrow) <= 78
    assert [c.key for c in plan_columns(120)] == [
        "time", "patient", "phone", "visit", "standing", "remind"]
    wide = plan_columns(160)
    assert [c.key for c in wide] == [
        "time", "patient", "phone", "visit", "standing", "provider", "remind"]
    assert sum(c.width + 2 for c in wide) == 158


async def test_a_day_under_way_shows_each_visit_s_status_and_takes_no_outcome(
        sqlite_ctx: Context, practice: Practice, clock: FrozenClock) -> None:
    """Thursday evening: the visits checked in, completed or missed stay on the list, each
    saying its status rather than "to call", the progress line counting the no-show; the
    outcome keys are off on them."""
    eight, nine, ten, one = four_on_thursday(sqlite_ctx, practice)
    conf.record(sqlite_ctx, staff="desk", appointment_id=eight.id, outcome="confirmed")
    clock.now = at(THU, 18)
    for visit, status in ((eight, Status.CHECKED_IN), (eight, Status.COMPLETED),
                          (nine, Status.NO_SHOW), (ten, Status.CHECKED_IN)):
        scheduling.set_status(sqlite_ctx, staff="sched", appointment_id=visit.id,
                              status=status)
    app = FrontDeskApp(context=sqlite_ctx, staff="desk")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await opened(pilot, day=THU)
        table = screen.query_one("#confirm-table", DataTable)
        shown = "\n".join(" ".join(str(c) for c in table.get_row_at(i))
                          for i in range(table.row_count))
        assert "● completed" in shown
        assert "⊘ no-show" in shown
        assert "→ checked in" in shown
        assert screen.listing.progress == (
            "1 of 4 reached · 1 confirmed · 1 to call · 1 no-show")
        assert text_of(screen, "#confirm-progress") == screen.listing.progress
        assert text_of(screen, "#confirm-detail").endswith("Not called")  # 10:00, checked in
        while cursor_id(screen) != nine.id:
            await pilot.press("down")
        for action in ("record('confirmed')", "record('no-answer')", "cancel_visit",
                       "move_visit"):
            assert screen.check_action(action.split("(")[0], tuple(
                [action.split("'")[1]] if "'" in action else [])) is None, action
        await pilot.press("x")
        await pilot.pause()
        assert not isinstance(pilot.app.screen, CancelDialog)
    assert outcomes(sqlite_ctx) == [(eight.id, "confirmed")]
    assert one.id in {r.id for r in conf.confirmation_list(
        sqlite_ctx, by="desk", day=THU).having(conf.Standing.TO_CALL)}


async def test_a_cancel_from_the_list_shows_who_on_the_waitlist_could_take_the_time(
        sqlite_ctx: Context, practice: Practice) -> None:
    from frontdesk.services.worklists import waitlist as wl
    from frontdesk.ui.widgets.waitlist import WaitlistMatches
    from tests.services.test_waitlist import patient

    eight, nine, first, facet = four_on_thursday(sqlite_ctx, practice)
    wl.add(sqlite_ctx, staff=practice.staff, visit_type="follow-up",
           patient_id=patient(sqlite_ctx, "Waitfirst", seen=practice))
    async with FrontDeskApp(context=sqlite_ctx, staff="desk").run_test(size=(80, 24)) as pilot:
        screen = await opened(pilot)
        screen.query_one("#confirm-table", DataTable).move_cursor(row=2)  # the 8:00 follow-up
        await pilot.pause()
        assert cursor_id(screen) == eight.id
        await pilot.press("x")
        await pilot.pause()
        dialog = pilot.app.screen
        assert isinstance(dialog, CancelDialog)
        dialog.query_one(Input).value = "Feeling better"
        await pilot.press("enter")
        for _ in range(50):
            with contextlib.suppress(WorkerCancelled):
                await pilot.app.workers.wait_for_complete()
            await pilot.pause()
            if isinstance(pilot.app.screen, WaitlistMatches):
                break
        matches = pilot.app.screen
        assert isinstance(matches, WaitlistMatches)
        assert "Waitfirst" in str(matches.query_one("#matches-list", OptionList).options[0]
                                  .prompt)
