"""Acting on the selected appointment from the board, asserted on the database afterwards."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session, col, select
from textual.message import Message
from textual.notifications import Notification, Notify
from textual.pilot import Pilot
from textual.widgets import Input, Static

from frontdesk.db.engine import run_write
from frontdesk.db.models import Appointment, AuditEvent, Staff
from frontdesk.domain.model import Status
from frontdesk.domain.settings import Settings
from frontdesk.services import scheduling
from frontdesk.services.context import Context
from frontdesk.services.views import AppointmentView
from frontdesk.ui.app import FrontDeskApp, make_app
from frontdesk.ui.calendar.board.screen import TodayScreen
from frontdesk.ui.calendar.board.table import DayTable
from frontdesk.ui.visit.cancel import CancelDialog
from frontdesk.ui.visit.details import DetailsScreen
from tests.conftest import FrozenClock
from tests.practice import Practice
from tests.ui.conftest import THU_TEN, book, choose_visit_type, settled, shown, text_of

SLOW = 60.0  # no polling during a test unless it says so: what changes, the action changed


def stored(ctx: Context, appointment_id: int) -> Appointment:
    with Session(ctx.engine) as session:
        appt = session.get(Appointment, appointment_id)
        assert appt is not None
        return appt


def audit(ctx: Context, appointment_id: int) -> list[tuple[str, str, str | None]]:
    """(action, staff username, status after) for each event on the appointment."""
    with Session(ctx.engine) as session:
        rows = session.exec(
            select(AuditEvent, Staff.username)
            .join(Staff, col(Staff.id) == AuditEvent.staff_id)
            .where(AuditEvent.entity_id == appointment_id)
            .order_by(col(AuditEvent.id))
        ).all()
        return [(e.action, name, (e.after or {}).get("status")) for e, name in rows]


async def acted(pilot: Pilot[None]) -> TodayScreen:
    """Wait until the change is written and the board shows the day read after it."""
    for _ in range(200):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        screen = pilot.app.screen
        if isinstance(screen, TodayScreen) and not screen.acting and screen.up_to_date:
            return screen
    raise AssertionError("the action never finished")


def notes(seen: list[Message]) -> list[Notification]:
    return [m.notification for m in seen if isinstance(m, Notify)]


def statuses(screen: TodayScreen) -> list[str]:
    return [r["status"] for r in shown(screen)]


async def press_on(pilot: Pilot[None], row: int, *keys: str) -> TodayScreen:
    screen = await settled(pilot)
    screen.query_one(DayTable).move_cursor(row=row)
    await pilot.pause()
    await pilot.press(*keys)
    return await acted(pilot)


async def test_i_checks_in_the_selected_visit_as_the_default_staff_member(
    sqlite_ctx: Context, booked: list[AppointmentView]
) -> None:
    seen: list[Message] = []
    app = FrontDeskApp(context=sqlite_ctx, poll_seconds=SLOW)
    async with app.run_test(size=(80, 24), message_hook=seen.append) as pilot:
        screen = await press_on(pilot, 1, "i")
        assert statuses(screen) == ["B booked", "I checked in"]
    assert stored(sqlite_ctx, booked[1].id).status == Status.CHECKED_IN.value
    assert stored(sqlite_ctx, booked[0].id).status == Status.BOOKED.value
    assert audit(sqlite_ctx, booked[1].id)[-1] == ("appointment.status", "desk", "checked_in")
    [note] = notes(seen)
    assert note.message == "Checked in: Wed 10 Mar 10:00–10:20."
    assert "Sample" not in note.message  # a notification never names the patient


async def test_o_marks_a_checked_in_visit_done_and_is_greyed_out_before(
    sqlite_ctx: Context, booked: list[AppointmentView]
) -> None:
    scheduling.set_status(sqlite_ctx, staff="desk", appointment_id=booked[0].id,
                          status=Status.CHECKED_IN)
    async with FrontDeskApp(context=sqlite_ctx, poll_seconds=SLOW).run_test() as pilot:
        screen = await press_on(pilot, 1, "o")  # Sample is only booked: not done yet
        assert screen.check_action("set_status", ("completed",)) is None
        assert stored(sqlite_ctx, booked[1].id).status == Status.BOOKED.value
        screen = await press_on(pilot, 0, "o")
        assert statuses(screen) == ["D completed", "B booked"]
    assert stored(sqlite_ctx, booked[0].id).status == Status.COMPLETED.value
    assert [a[2] for a in audit(sqlite_ctx, booked[0].id)] == [
        "booked", "checked_in", "completed"]


async def test_n_marks_a_no_show_and_f_confirms(
    sqlite_ctx: Context, booked: list[AppointmentView]
) -> None:
    async with FrontDeskApp(context=sqlite_ctx, poll_seconds=SLOW).run_test() as pilot:
        await press_on(pilot, 0, "n")
        screen = await press_on(pilot, 1, "f")
        assert statuses(screen) == ["N no-show", "C confirmed"]
    assert stored(sqlite_ctx, booked[0].id).status == Status.NO_SHOW.value
    assert stored(sqlite_ctx, booked[1].id).status == Status.CONFIRMED.value
    assert audit(sqlite_ctx, booked[1].id)[-1] == ("appointment.status", "desk", "confirmed")


async def test_future_visits_cannot_be_checked_in_but_can_be_confirmed(
    sqlite_ctx: Context, practice: Practice, booked: list[AppointmentView]
) -> None:
    later = book(sqlite_ctx, practice, patient=practice.patient_id, visit="follow-up",
                 provider=practice.able, start=THU_TEN)
    async with FrontDeskApp(context=sqlite_ctx, poll_seconds=SLOW).run_test() as pilot:
        await settled(pilot)
        await pilot.press("right")
        screen = await press_on(pilot, 0, "i")
        assert screen.check_action("set_status", ("checked_in",)) is None
        assert screen.check_action("set_status", ("confirmed",)) is True
    assert stored(sqlite_ctx, later.id).status == Status.BOOKED.value


async def test_x_cancels_with_the_reason_and_flags_a_late_cancel(
    sqlite_ctx: Context, booked: list[AppointmentView]
) -> None:
    seen: list[Message] = []
    app = FrontDeskApp(context=sqlite_ctx, poll_seconds=SLOW)
    async with app.run_test(size=(80, 24), message_hook=seen.append) as pilot:
        await settled(pilot)
        await pilot.press("x")
        dialog = pilot.app.screen
        assert isinstance(dialog, CancelDialog)
        assert "Late cancel" in text_of(dialog, "#cancel-late")
        await pilot.press(*"car trouble", "enter")
        screen = await acted(pilot)
        assert statuses(screen)[0] == "X cancelled"
    appt = stored(sqlite_ctx, booked[0].id)
    assert (appt.status, appt.cancel_reason, appt.late_cancel) == (
        "cancelled", "car trouble", True)
    assert audit(sqlite_ctx, booked[0].id)[-1] == ("appointment.cancel", "desk", "cancelled")
    assert notes(seen)[-1].message == (
        "Cancelled: Wed 10 Mar 10:00–10:30 (late cancel).")


async def test_a_cancel_outside_the_window_is_not_late(
    sqlite_ctx: Context, practice: Practice, booked: list[AppointmentView]
) -> None:
    later = book(sqlite_ctx, practice, patient=practice.patient_id, visit="follow-up",
                 provider=practice.able, start=THU_TEN)  # 25 hours ahead
    async with FrontDeskApp(context=sqlite_ctx, poll_seconds=SLOW).run_test() as pilot:
        await settled(pilot)
        await pilot.press("right")
        await settled(pilot)
        await pilot.press("x")
        dialog = pilot.app.screen
        assert isinstance(dialog, CancelDialog)
        assert not dialog.query("#cancel-late")
        dialog.query_one(Input).value = "rescheduling elsewhere"
        await pilot.press("enter")
        await acted(pilot)
    appt = stored(sqlite_ctx, later.id)
    assert (appt.status, appt.late_cancel) == ("cancelled", False)


async def test_an_empty_reason_is_refused_next_to_the_field_and_nothing_is_written(
    sqlite_ctx: Context, booked: list[AppointmentView]
) -> None:
    async with FrontDeskApp(context=sqlite_ctx, poll_seconds=SLOW).run_test() as pilot:
        await settled(pilot)
        await pilot.press("x", "space", "enter")
        dialog = pilot.app.screen
        assert isinstance(dialog, CancelDialog)
        error = dialog.query_one("#cancel-error", Static)
        assert error.display
        assert str(error.render()) == "Say why the visit is cancelled; nothing was changed."
        await pilot.press("escape")
        screen = await settled(pilot)
        assert statuses(screen) == ["B booked", "B booked"]
    assert stored(sqlite_ctx, booked[0].id).status == Status.BOOKED.value
    assert len(audit(sqlite_ctx, booked[0].id)) == 1


async def test_a_change_made_elsewhere_meanwhile_is_not_overwritten(
    sqlite_ctx: Context, booked: list[AppointmentView]
) -> None:
    seen: list[Message] = []
    app = FrontDeskApp(context=sqlite_ctx, poll_seconds=SLOW)
    async with app.run_test(size=(80, 24), message_hook=seen.append) as pilot:
        screen = await settled(pilot)
        assert statuses(screen)[0] == "B booked"
        # Another desk cancels while this board still shows the visit as booked.
        scheduling.cancel(sqlite_ctx, staff="desk", appointment_id=booked[0].id,
                          reason="called the other desk")
        screen = await press_on(pilot, 0, "i")
        assert statuses(screen)[0] == "X cancelled"  # the fresh state, at once
    appt = stored(sqlite_ctx, booked[0].id)
    assert (appt.status, appt.cancel_reason, appt.version) == (
        "cancelled", "called the other desk", 2)
    assert [a[0] for a in audit(sqlite_ctx, booked[0].id)] == [
        "appointment.book", "appointment.cancel"]
    [note] = notes(seen)
    assert note.severity == "warning"
    assert note.message.startswith(
        "The visit was changed by someone else meanwhile (now cancelled, Wed 10 Mar "
        "10:00–10:30); nothing was changed.")


async def test_a_refused_change_is_said_in_plain_words(
    sqlite_ctx: Context, booked: list[AppointmentView]
) -> None:
    seen: list[Message] = []
    app = FrontDeskApp(context=sqlite_ctx, poll_seconds=SLOW, staff="desk")
    async with app.run_test(message_hook=seen.append) as pilot:
        await settled(pilot)

        def disable(session: Session) -> None:  # an admin disables the account meanwhile
            session.exec(select(Staff).where(Staff.username == "desk")).one().active = False

        run_write(sqlite_ctx.engine, disable)
        await press_on(pilot, 0, "f")
    assert stored(sqlite_ctx, booked[0].id).status == Status.BOOKED.value
    [note] = notes(seen)
    assert note.severity == "error"
    assert note.message == ("Could not change the visit: "
                            "no active staff member with username 'desk'.")


async def test_enter_shows_the_details_and_the_history(
    sqlite_ctx: Context, booked: list[AppointmentView]
) -> None:
    scheduling.set_status(sqlite_ctx, staff="desk", appointment_id=booked[0].id,
                          status=Status.CONFIRMED)
    async with FrontDeskApp(context=sqlite_ctx, poll_seconds=SLOW).run_test(
            size=(80, 24)) as pilot:
        await settled(pilot)
        await pilot.press("enter")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        details = pilot.app.screen
        assert isinstance(details, DetailsScreen)
        facts = text_of(details, "#details-facts")
        assert "Testcase, C." in facts
        assert "Casey" not in facts
        assert "Wed 10 Mar 2027, 10:00–10:30" in facts
        assert "Procedure Suite" in facts
        assert "C confirmed" in facts
        assert text_of(details, "#details-history").splitlines() == [
            "Wed 10 Mar 09:00  desk  booked: for Wed 10 Mar 10:00; provider Dr. Avery Able; "
            "location Test Clinic; room Procedure Suite",
            "Wed 10 Mar 09:00  desk  status changed: booked → confirmed",
        ]
        await pilot.press("escape")
        assert isinstance(pilot.app.screen, TodayScreen)
    with Session(sqlite_ctx.engine) as session:
        opened = session.exec(select(AuditEvent).where(AuditEvent.action == "patient.open")).all()
        desk = session.exec(select(Staff).where(Staff.username == "desk")).one()
    assert [(e.staff_id, e.entity, e.entity_id, e.after) for e in opened] == [
        (desk.id, "patient", booked[0].patient_id, {"appointment_id": booked[0].id})]


async def test_v_filters_the_board_by_visit_type(
    sqlite_ctx: Context, booked: list[AppointmentView]
) -> None:
    async with FrontDeskApp(context=sqlite_ctx, poll_seconds=SLOW).run_test(
            size=(80, 24)) as pilot:
        await settled(pilot)
        await choose_visit_type(pilot, "follow-up")
        screen = await settled(pilot)
        assert [r["patient"] for r in shown(screen)] == ["Sample, J."]
        assert text_of(screen, "#board-title").endswith(" · Follow-up")
        assert text_of(screen, "#board-summary") == "1 visit"
        await pilot.press("right")
        screen = await settled(pilot)
        assert text_of(screen, "#board-empty") == (
            "No Follow-up visits here on this day. Press v to show every visit type.")
        await pilot.press("left")
        await pilot.press("v")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("home", "enter")
        screen = await settled(pilot)
        assert [r["patient"] for r in shown(screen)] == ["Testcase, C.", "Sample, J."]


async def test_the_acting_staff_member_defaults_to_the_first_receptionist(
    sqlite_ctx: Context, booked: list[AppointmentView]
) -> None:
    async with FrontDeskApp(context=sqlite_ctx, poll_seconds=SLOW).run_test() as pilot:
        screen = await settled(pilot)
        assert screen.backend.staff == "desk"
    moment = datetime(2027, 3, 10, 15, tzinfo=UTC)
    assert stored(sqlite_ctx, booked[0].id).booked_at == moment


async def test_make_app_passes_the_acting_staff_member_through(
    sqlite_url: str, sqlite_ctx: Context, booked: list[AppointmentView], clock: FrozenClock
) -> None:
    app = make_app(sqlite_url, clock=clock, settings=Settings(), staff="desk",
                   poll_seconds=SLOW)
    async with app.run_test() as pilot:
        screen = await press_on(pilot, 0, "f")
        assert screen.backend.staff == "desk"
    assert stored(sqlite_ctx, booked[0].id).status == Status.CONFIRMED.value


async def test_without_a_receptionist_or_scheduler_the_keys_are_greyed_out(
    sqlite_ctx: Context,
) -> None:
    """An app handed a database with nobody to act as (no sign-in: tests, embedding)."""
    app = FrontDeskApp(context=sqlite_ctx)
    async with app.run_test() as pilot:
        screen = await settled(pilot)
        assert screen.backend.staff is None
        assert screen.check_action("set_status", ("confirmed",)) is None
        assert screen.check_action("cancel_visit", ()) is None
        assert screen.check_action("details", ()) is None
