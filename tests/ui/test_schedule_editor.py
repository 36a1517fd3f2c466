"""The schedule editor: weekly hours and closures changed by keys, checked in the database."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func
from sqlmodel import Session, select
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from frontdesk.db.models import AuditEvent, Closure, Template
from frontdesk.services import schedule_admin
from frontdesk.services.context import Context
from frontdesk.services.views import AppointmentView
from frontdesk.ui.app import FrontDeskApp
from frontdesk.ui.schedule.dialogs import ConfirmDialog
from frontdesk.ui.schedule.forms import ClosureForm, TemplateForm
from frontdesk.ui.schedule.screen import ScheduleEditorScreen
from frontdesk.ui.schedule.text import (
    FormError,
    closure_when,
    days_short,
    parse_clock,
    parse_weekdays,
)
from frontdesk.ui.widgets.pickers import ProviderPicker
from tests.practice import Practice
from tests.ui.conftest import THU_TEN, book, settled

CHICAGO = ZoneInfo("America/Chicago")
THU = (datetime(2027, 3, 11, 6, 0, tzinfo=UTC), datetime(2027, 3, 12, 6, 0, tzinfo=UTC))


@pytest.fixture
def thursday(sqlite_ctx: Context, practice: Practice) -> AppointmentView:
    """Testcase's follow-up with Dr. Able, Thu 11 Mar 10:00–10:20."""
    return book(sqlite_ctx, practice, patient=practice.patient_id, visit="follow-up",
                provider=practice.able, start=THU_TEN)


async def quiet(pilot: Pilot[None]) -> None:
    for _ in range(5):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def opened(pilot: Pilot[None], provider_id: int | None = None) -> ScheduleEditorScreen:
    """The board, then the editor pushed on it (the way the views open it), loaded."""
    await settled(pilot)
    app = pilot.app
    assert isinstance(app, FrontDeskApp)
    assert app.backend is not None
    await app.push_screen(ScheduleEditorScreen(app.backend, provider_id=provider_id))
    return await editor(pilot)


async def editor(pilot: Pilot[None]) -> ScheduleEditorScreen:
    for _ in range(200):
        await quiet(pilot)
        screen = pilot.app.screen
        if isinstance(screen, ScheduleEditorScreen) and screen.data is not None:
            return screen
    raise AssertionError("the schedule editor never loaded")


def cells(screen: ScheduleEditorScreen, selector: str) -> list[list[str]]:
    table = screen.query_one(selector, DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def status(screen: ScheduleEditorScreen) -> str:
    return str(screen.query_one("#sched-status", Static).render())


def error_of(pilot: Pilot[None], field: str) -> str:
    note = pilot.app.screen.query_one(f"#{field}-error", Static)
    return str(note.render()) if note.display else ""


async def fill(pilot: Pilot[None], **values: str) -> None:
    for field, text in values.items():
        pilot.app.screen.query_one(f"#{field}", Input).value = text
    await pilot.pause()


def rows(ctx: Context, model: type) -> int:
    with Session(ctx.engine) as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def able_hours(ctx: Context, practice: Practice) -> list[tuple[time, time]]:
    with Session(ctx.engine) as session:
        found = session.exec(select(Template).where(Template.provider_id == practice.able)
                             .order_by(Template.start_time)).all()
        return [(t.start_time, t.end_time) for t in found]


# --------------------------------------------------------------------------- the pure helpers


@pytest.mark.parametrize(
    ("typed", "days"),
    [("Mon Wed Fri", (0, 2, 4)), ("mon,wed", (0, 2)), ("Mon-Fri", (0, 1, 2, 3, 4)),
     ("weekdays", (0, 1, 2, 3, 4)), ("Tuesday and Thursday", (1, 3)), ("Sat-Mon", (0, 5, 6))],
)
def test_weekdays_are_typed_the_way_people_say_them(typed: str, days: tuple[int, ...]) -> None:
    assert parse_weekdays(typed) == days


@pytest.mark.parametrize("typed", ["", "Funday", "Mon Funday"])
def test_unknown_weekdays_are_refused(typed: str) -> None:
    with pytest.raises(FormError) as err:
        parse_weekdays(typed)
    assert err.value.field == "weekdays"


@pytest.mark.parametrize(
    ("typed", "at"),
    [("08:00", time(8)), ("8:30", time(8, 30)), ("830", time(8, 30)), ("17", time(17)),
     ("1pm", time(13)), ("12 am", time(0)), ("1:30 p.m.", time(13, 30))],
)
def test_clock_times_are_read_loosely(typed: str, at: time) -> None:
    assert parse_clock(typed, "start_time") == at


@pytest.mark.parametrize("typed", ["25:00", "8:75", "13pm", "noonish", ""])
def test_impossible_times_are_refused(typed: str) -> None:
    with pytest.raises(FormError):
        parse_clock(typed, "start_time")


def test_days_and_closures_read_briefly() -> None:
    assert days_short([0, 1, 2, 3, 4]) == "Mon–Fri"
    assert days_short([0, 2, 4]) == "Mon Wed Fri"
    assert days_short([0, 1, 2, 5]) == "Mon–Wed Sat"
    assert closure_when(*THU, CHICAGO) == "Thu 11 Mar 2027"
    assert closure_when(THU[0], datetime(2027, 3, 16, 5, tzinfo=UTC), CHICAGO) == (
        "11 Mar–15 Mar 2027")  # across the DST change
    assert closure_when(datetime(2027, 3, 11, 19, tzinfo=UTC), THU[1], CHICAGO) == (
        "11 Mar 13:00–12 Mar 00:00 2027")


def test_opening_the_editor_module_loads_no_database_code() -> None:
    code = "import sys, frontdesk.ui.schedule.screen; print(' '.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True).stdout
    loaded = {name.split(".")[0] for name in out.split()}
    assert not {"sqlalchemy", "sqlmodel", "alembic", "psycopg"} & loaded


# --------------------------------------------------------------------------- the screen


async def test_the_editor_shows_a_providers_week_and_the_closures_ahead(
    sqlite_ctx: Context, practice: Practice
) -> None:
    schedule_admin.add_closure(sqlite_ctx, staff="sched", kind="holiday", start=THU[0],
                               end=THU[1], reason="Staff training")
    async with FrontDeskApp(context=sqlite_ctx, staff="sched").run_test(size=(80, 24)) as pilot:
        screen = await opened(pilot, practice.able)
        title = str(screen.query_one("#sched-title", Static).render())
        assert title == "Schedule · Dr. Avery Able · provider 1 of 3"
        assert cells(screen, "#sched-hours") == [
            ["Mon–Fri", "08:00–12:00", "Test Clinic", "1 Jan 2026", "—"],
            ["Mon–Fri", "13:00–17:00", "Test Clinic", "1 Jan 2026", "—"],
        ]
        assert cells(screen, "#sched-closures") == [
            ["Practice holiday", "Thu 11 Mar 2027", "Whole practice", "Staff training"]]
        await pilot.press("l")
        screen = await editor(pilot)
        assert screen.provider_id == practice.baker
        await pilot.press("l")
        screen = await editor(pilot)
        assert cells(screen, "#sched-hours") == []  # Tess Cole has no hours yet
        await pilot.press("escape")
        assert not isinstance(pilot.app.screen, ScheduleEditorScreen)


async def test_shift_p_picks_a_provider_from_a_list(
    sqlite_ctx: Context, practice: Practice
) -> None:
    async with FrontDeskApp(context=sqlite_ctx, staff="sched").run_test(size=(80, 24)) as pilot:
        await opened(pilot)
        await pilot.press("P")
        assert isinstance(pilot.app.screen, ProviderPicker)
        await pilot.press("down", "down", "enter")
        screen = await editor(pilot)
        assert screen.provider_id == practice.cole
        assert str(screen.query_one("#sched-title", Static).render()).startswith(
            "Schedule · Tess Cole, LMT")
        await pilot.press("slash", "escape")
        screen = await editor(pilot)
        assert screen.provider_id == practice.cole


async def test_a_adds_a_weekly_hours_row(sqlite_ctx: Context, practice: Practice) -> None:
    async with FrontDeskApp(context=sqlite_ctx, staff="sched").run_test(size=(80, 24)) as pilot:
        screen = await opened(pilot, practice.cole)
        await pilot.press("a")
        assert isinstance(pilot.app.screen, TemplateForm)
        await pilot.press(*"Wed Fri", "tab", *"9", "tab", *"3pm", "enter")
        screen = await editor(pilot)
        assert cells(screen, "#sched-hours") == [
            ["Wed Fri", "09:00–15:00", "Test Clinic", "10 Mar 2027", "—"]]
        assert status(screen) == "Added Wed Fri 09:00–15:00 at Test Clinic."
    with Session(sqlite_ctx.engine) as session:
        row = session.exec(select(Template).where(Template.provider_id == practice.cole)).one()
        assert row.rrule == "FREQ=WEEKLY;BYDAY=WE,FR"
        assert (row.start_time, row.end_time, row.valid_from) == (time(9), time(15),
                                                                  date(2027, 3, 10))
        event = session.exec(select(AuditEvent)).all()[-1]
        assert (event.action, event.entity_id) == ("template.add", row.id)


async def test_bad_input_shows_next_to_its_field_and_saves_nothing(
    sqlite_ctx: Context, practice: Practice
) -> None:
    async with FrontDeskApp(context=sqlite_ctx, staff="sched").run_test(size=(80, 24)) as pilot:
        await opened(pilot, practice.able)
        await pilot.press("a")
        await pilot.press(*"Funday", "enter")
        assert error_of(pilot, "weekdays").startswith("Did not understand 'funday'")
        await pilot.press("backspace")  # changing the field takes its error away
        assert error_of(pilot, "weekdays") == ""
        await fill(pilot, weekdays="Sat", start_time="10:00", end_time="9:00")
        await pilot.press("enter")
        assert error_of(pilot, "weekdays") == ""
        assert error_of(pilot, "end_time") == "Must be after the start time"
        await fill(pilot, weekdays="Wed", start_time="11:00", end_time="12:30")
        await pilot.press("enter")
        await quiet(pilot)  # the service refuses: Dr. Able already works Wednesday 08:00–12:00
        assert isinstance(pilot.app.screen, TemplateForm)
        assert error_of(pilot, "start_time") == (
            "Overlaps the Wed 08:00–12:00 hours at Test Clinic.")
        await pilot.press("escape")
        await editor(pilot)
    assert rows(sqlite_ctx, Template) == 4
    assert rows(sqlite_ctx, AuditEvent) == 0


async def test_hours_that_strand_a_visit_list_it_and_save_only_when_confirmed(
    sqlite_ctx: Context, practice: Practice, thursday: AppointmentView
) -> None:
    async with FrontDeskApp(context=sqlite_ctx, staff="sched").run_test(size=(80, 24)) as pilot:
        await opened(pilot, practice.able)
        await pilot.press("e")  # the 08:00–12:00 row
        assert isinstance(pilot.app.screen, TemplateForm)
        await fill(pilot, end_time="10:00")
        await pilot.press("enter")
        await quiet(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, ConfirmDialog)
        text = " ".join(str(s.render()) for s in dialog.query(Static))
        assert ("This booked visit of Dr. Avery Able's would fall outside working hours:"
                in text)
        assert "Thu 11 Mar 10:00–10:20 · Testcase, C. · Follow-up" in text
        assert "Follow-up · Dr. Avery Able" not in text  # named once, in the heading
        assert able_hours(sqlite_ctx, practice)[0] == (time(8), time(12))  # not yet
        await pilot.press("y")
        screen = await editor(pilot)
        assert status(screen) == (
            "Saved Mon Tue Wed Thu Fri 08:00–10:00 at Test Clinic. 1 booked visit now outside "
            "working hours (still booked): move or cancel them; they are marked ! on the "
            "calendar and listed under ! (needs attention).")
    assert able_hours(sqlite_ctx, practice)[0] == (time(8), time(10))
    with Session(sqlite_ctx.engine) as session:
        event = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()[-1]
        assert event.action == "template.edit"
        assert event.after is not None
        assert event.after["stranded_appointment_ids"] == [thursday.id]


async def test_escape_on_the_stranded_list_writes_nothing(
    sqlite_ctx: Context, practice: Practice, thursday: AppointmentView
) -> None:
    before = rows(sqlite_ctx, AuditEvent)
    async with FrontDeskApp(context=sqlite_ctx, staff="sched").run_test(size=(80, 24)) as pilot:
        await opened(pilot, practice.able)
        await pilot.press("e")
        await fill(pilot, end_time="10:00")
        await pilot.press("enter")
        await quiet(pilot)
        assert isinstance(pilot.app.screen, ConfirmDialog)
        await pilot.press("escape")
        await quiet(pilot)
        assert isinstance(pilot.app.screen, TemplateForm)
        assert error_of(pilot, "form").startswith("Nothing saved.")
        await pilot.press("escape")
        screen = await editor(pilot)
        assert status(screen) == ""
    assert able_hours(sqlite_ctx, practice) == [(time(8), time(12)), (time(13), time(17))]
    assert rows(sqlite_ctx, AuditEvent) == before


async def test_c_adds_time_off_for_the_provider(sqlite_ctx: Context, practice: Practice) -> None:
    async with FrontDeskApp(context=sqlite_ctx, staff="sched").run_test(size=(80, 24)) as pilot:
        await opened(pilot, practice.baker)
        await pilot.press("c")
        assert isinstance(pilot.app.screen, ClosureForm)
        await fill(pilot, from_day="tomorrow", reason="Conference")
        await pilot.press("enter")
        screen = await editor(pilot)
        assert status(screen) == "Added closure: Conference (Pat Baker, PA-C)."
        assert cells(screen, "#sched-closures") == [
            ["Time off", "Thu 11 Mar 2027", "Pat Baker, PA-C", "Conference"]]
    with Session(sqlite_ctx.engine) as session:
        row = session.exec(select(Closure)).one()
        assert (row.kind, row.provider_id, row.location_id) == ("time_off", practice.baker, None)
        assert (row.starts_at, row.ends_at) == THU


async def test_an_afternoon_off_takes_times_and_a_missing_reason_is_refused(
    sqlite_ctx: Context, practice: Practice
) -> None:
    async with FrontDeskApp(context=sqlite_ctx, staff="sched").run_test(size=(80, 24)) as pilot:
        await opened(pilot, practice.able)
        await pilot.press("c")
        await fill(pilot, from_day="3/11", from_time="1pm", to_time="17:00")
        await pilot.press("enter")
        assert error_of(pilot, "reason").startswith("Say why")
        await fill(pilot, reason="Dentist")
        await pilot.press("enter")
        await editor(pilot)
    with Session(sqlite_ctx.engine) as session:
        row = session.exec(select(Closure)).one()
        assert (row.starts_at, row.ends_at) == (datetime(2027, 3, 11, 19, tzinfo=UTC),
                                                datetime(2027, 3, 11, 23, tzinfo=UTC))


async def test_d_removes_the_highlighted_closure_after_asking(
    sqlite_ctx: Context, practice: Practice
) -> None:
    schedule_admin.add_closure(sqlite_ctx, staff="sched", kind="time_off", start=THU[0],
                               end=THU[1], reason="Vacation", provider_id=practice.able)
    async with FrontDeskApp(context=sqlite_ctx, staff="sched").run_test(size=(80, 24)) as pilot:
        await opened(pilot, practice.able)
        await pilot.press("tab", "d")  # the closures table
        assert isinstance(pilot.app.screen, ConfirmDialog)
        await pilot.press("escape")
        assert rows(sqlite_ctx, Closure) == 1
        await pilot.press("d", "y")
        screen = await editor(pilot)
        assert status(screen) == "Removed closure: Vacation (Dr. Avery Able)."
        assert cells(screen, "#sched-closures") == []
    assert rows(sqlite_ctx, Closure) == 0


async def test_removing_hours_that_strand_a_visit_asks_twice(
    sqlite_ctx: Context, practice: Practice, thursday: AppointmentView
) -> None:
    async with FrontDeskApp(context=sqlite_ctx, staff="sched").run_test(size=(80, 24)) as pilot:
        await opened(pilot, practice.able)
        await pilot.press("d", "y")  # remove the 08:00–12:00 row?
        await quiet(pilot)
        assert isinstance(pilot.app.screen, ConfirmDialog)  # …it strands Thursday's visit
        await pilot.press("escape")
        screen = await editor(pilot)
        assert status(screen) == "Nothing removed."
        assert rows(sqlite_ctx, Template) == 4
        await pilot.press("d", "y")
        await quiet(pilot)
        await pilot.press("y")
        screen = await editor(pilot)
        assert status(screen).startswith("Removed Mon Tue Wed Thu Fri 08:00–12:00")
        assert len(cells(screen, "#sched-hours")) == 1
    assert able_hours(sqlite_ctx, practice) == [(time(13), time(17))]


class TestScheduleEditorSnapshots:
    """Reviewed picture: Dr. Able's week, a booked Thursday, a holiday and time off."""

    def test_at_80x24(self, snap_compare: Any, sqlite_ctx: Context, practice: Practice,
                      thursday: AppointmentView) -> None:
        schedule_admin.add_closure(sqlite_ctx, staff="sched", kind="holiday", start=THU[0],
                                   end=THU[1], reason="Staff training", confirm_stranded=True)
        schedule_admin.add_closure(
            sqlite_ctx, staff="sched", kind="time_off",
            start=datetime(2027, 3, 22, 5, tzinfo=UTC), end=datetime(2027, 3, 27, 5, tzinfo=UTC),
            reason="Vacation", provider_id=practice.able)

        async def run_before(pilot: Pilot[None]) -> None:
            await opened(pilot, practice.able)

        assert snap_compare(FrontDeskApp(context=sqlite_ctx, staff="sched"), terminal_size=(80, 24),
                            run_before=run_before)

    def test_strand_list_at_80x24(self, snap_compare: Any, sqlite_ctx: Context,
                                  practice: Practice, thursday: AppointmentView) -> None:
        async def run_before(pilot: Pilot[None]) -> None:
            await opened(pilot, practice.able)
            await pilot.press("e")
            await fill(pilot, end_time="10:00")
            await pilot.press("enter")
            await quiet(pilot)

        assert snap_compare(FrontDeskApp(context=sqlite_ctx, staff="sched"), terminal_size=(80, 24),
                            run_before=run_before)
