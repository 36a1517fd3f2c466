"""The reminders outbox screen at 80x24: the day's reminders and delivery log as the services
give them; read-only for the desk; a manager re-queues an unsure one after saying yes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import Session
from textual.pilot import Pilot
from textual.widgets import DataTable

from frontdesk.db.engine import run_write
from frontdesk.db.models import Reminder, ReminderAttempt
from frontdesk.services.context import Context
from frontdesk.services.views import AppointmentView
from frontdesk.ui.app import FrontDeskApp
from frontdesk.ui.worklists.reminders import RemindersScreen, RequeueDialog
from tests.practice import Practice
from tests.ui.conftest import settled
from tests.ui.test_schedule_editor import quiet

NINE = datetime(2027, 3, 10, 15, 0, tzinfo=UTC)  # Wed 10 Mar 09:00 in Tulsa


def outbox(ctx: Context, visits: list[AppointmentView]) -> dict[str, int]:
    """Three reminders due this morning: one sent, one failed, one unsure."""

    def work(session: Session) -> dict[str, int]:
        ids: dict[str, int] = {}
        for minutes, (status, error, visit) in enumerate((
                ("sent", "", visits[0]), ("failed", "HTTP 400", visits[1]),
                ("unsure", "sender stopped while sending", visits[0]))):
            due = NINE - timedelta(minutes=30 - minutes)
            row = Reminder(appointment_id=visit.id, channel="sms" if minutes else "email",
                           before_min=60 * 24 + minutes, visit_starts_at=visit.start,
                           due_at=due, status=status, attempts=1, next_try_at=due,
                           message_id=f"<m{minutes}>", last_error=error, created_at=due,
                           sent_at=due if status == "sent" else None)
            session.add(row)
            session.flush()
            assert row.id is not None
            session.add(ReminderAttempt(reminder_id=row.id, at=due, outcome=status,
                                        detail=error or "mail server accepted (250)"))
            ids[status] = row.id
        return ids

    return run_write(ctx.engine, work)


def status_of(ctx: Context, reminder_id: int) -> str:
    with Session(ctx.engine) as session:
        row = session.get(Reminder, reminder_id)
        assert row is not None
        return row.status


async def opened(pilot: Pilot[None]) -> RemindersScreen:
    await settled(pilot)
    app = pilot.app
    assert isinstance(app, FrontDeskApp)
    assert app.backend is not None
    await app.push_screen(RemindersScreen(app.backend))
    await quiet(pilot)
    screen = app.screen
    assert isinstance(screen, RemindersScreen)
    return screen


async def test_the_desk_sees_the_days_outbox_and_log_but_cannot_re_queue(
        sqlite_ctx: Context, practice: Practice, booked: list[AppointmentView],
        tmp_path: Path) -> None:
    ids = outbox(sqlite_ctx, booked)
    async with FrontDeskApp(context=sqlite_ctx, staff="desk").run_test(size=(80, 24)) as pilot:
        screen = await opened(pilot)
        table = screen.query_one("#reminders-outbox", DataTable)
        log = screen.query_one("#reminders-log", DataTable)
        assert table.row_count == 3
        assert log.row_count == 3
        assert [str(c) for c in table.get_row_at(1)] == [
            "08:31", "sms", "Wed 10:00", str(booked[1].id), "failed", "1", "HTTP 400"]
        summary = str(screen.query_one("#reminders-summary").render())
        assert summary == "1 sent, 1 failed, 1 unsure · read-only"
        await pilot.press("down", "down")  # the unsure one
        assert screen.selected is not None
        assert screen.selected.id == ids["unsure"]
        assert screen.check_action("requeue", ()) is None  # greyed out for the desk
        await pilot.press("r")
        await quiet(pilot)
        assert not isinstance(pilot.app.screen, RequeueDialog)
        assert status_of(sqlite_ctx, ids["unsure"]) == "unsure"
        pilot.app.save_screenshot(str(tmp_path / "reminders.svg"))


async def test_a_manager_re_queues_an_unsure_reminder_after_saying_yes(
        sqlite_ctx: Context, practice: Practice, booked: list[AppointmentView]) -> None:
    ids = outbox(sqlite_ctx, booked)
    async with FrontDeskApp(context=sqlite_ctx, staff="mgr").run_test(size=(80, 24)) as pilot:
        screen = await opened(pilot)
        assert screen.check_action("requeue", ()) is None  # the sent one is highlighted
        await pilot.press("down", "down")
        await pilot.press("r")
        await quiet(pilot)
        assert isinstance(pilot.app.screen, RequeueDialog)
        await pilot.press("escape")  # backs out: nothing written
        await quiet(pilot)
        assert status_of(sqlite_ctx, ids["unsure"]) == "unsure"
        await pilot.press("r")
        await quiet(pilot)
        await pilot.press("y")
        await quiet(pilot)
        assert status_of(sqlite_ctx, ids["unsure"]) == "pending"
        table = screen.query_one("#reminders-outbox", DataTable)
        assert [str(c) for c in table.get_row_at(2)][4] == "pending"


async def test_the_days_change_with_the_bracket_keys(
        sqlite_ctx: Context, practice: Practice, booked: list[AppointmentView]) -> None:
    outbox(sqlite_ctx, booked)
    async with FrontDeskApp(context=sqlite_ctx, staff="desk").run_test(size=(80, 24)) as pilot:
        screen = await opened(pilot)
        await pilot.press("]")
        await quiet(pilot)
        assert screen.query_one("#reminders-outbox", DataTable).row_count == 0
        assert "Thu Mar 11 2027" in str(screen.query_one("#reminders-title").render())
        assert str(screen.query_one("#reminders-summary").render()).startswith("none due")
        await pilot.press("t")
        await quiet(pilot)
        assert screen.query_one("#reminders-outbox", DataTable).row_count == 3
