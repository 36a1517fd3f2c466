"""Forms and words (issue 20, item 6): every problem at once with the cursor on the first, a
birth date never answered with "tomorrow", the lock asking only a password, a visit's details
with the birth date and phone, and an export's file name whole in its toast. Asserted on the
screens and the database."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, func, select
from textual.geometry import Region
from textual.widgets import Input
from textual.widgets._toast import Toast

from frontdesk.db.models import Closure, Patient, Template
from frontdesk.services.context import Context
from frontdesk.services.views import AppointmentView
from frontdesk.ui.app import FrontDeskApp
from frontdesk.ui.call.edit_patient import EditPatientDialog
from frontdesk.ui.call.new_patient import NewPatientDialog
from frontdesk.ui.schedule.forms import ClosureForm, TemplateForm
from frontdesk.ui.visit.details import DetailsScreen
from tests.practice import Practice
from tests.ui.call_helpers import app_for, quiet
from tests.ui.conftest import settled, text_of
from tests.ui.test_patient_details import identified
from tests.ui.test_report import MANAGER, open_report
from tests.ui.test_schedule_editor import error_of, fill, opened

BIRTH_EXAMPLE = "1970-05-17 or 5/17/1970"


def count(ctx: Context, model: type) -> int:
    with Session(ctx.engine) as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def errors(screen: object) -> dict[str, str]:
    """Each problem the form shows, by field."""
    return {str(s.id).removesuffix("-error"): str(s.render())
            for s in screen.query(".form-error") if s.display}  # type: ignore[attr-defined]


async def test_the_new_patient_form_shows_every_problem_at_once_and_a_birth_date_example(
    sqlite_ctx: Context, practice: Practice
) -> None:
    before = count(sqlite_ctx, Patient)
    async with app_for(sqlite_ctx).run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        await pilot.press("f2")
        await quiet(pilot)
        await pilot.press(*"Morgan Reyes")
        await quiet(pilot)
        await pilot.press("ctrl+n")
        await pilot.pause()
        dialog = pilot.app.screen
        assert isinstance(dialog, NewPatientDialog)
        for field, value in {"dob": "tomorrow", "phone": "555", "email": "x@",
                             "zip": "1"}.items():
            dialog.query_one(f"#{field}", Input).value = value
        dialog.query_one("#name", Input).focus()
        await pilot.press("enter")
        await quiet(pilot)
        shown = errors(dialog)
        assert set(shown) == {"dob", "phone", "email", "zip"}  # all of them, one save
        assert shown["dob"] == f"'tomorrow' is not a date of birth; write it like {BIRTH_EXAMPLE}"
        assert "next tue" not in shown["dob"]
        assert pilot.app.focused is dialog.query_one("#dob")  # the first problem
    assert count(sqlite_ctx, Patient) == before


async def test_the_edit_form_shows_every_problem_at_once_with_the_cursor_on_the_first(
    sqlite_ctx: Context, practice: Practice
) -> None:
    async with app_for(sqlite_ctx).run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        await identified(pilot, "testcase")
        await pilot.press("ctrl+t")
        await quiet(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, EditPatientDialog)
        for field, value in {"dob": "next tue", "phone": "12", "state": "Q1"}.items():
            dialog.query_one(f"#{field}", Input).value = value
        await pilot.press("ctrl+s")
        await quiet(pilot)
        shown = errors(dialog)
        assert {"dob", "phone", "state"} <= set(shown)
        assert BIRTH_EXAMPLE in shown["dob"]
        assert pilot.app.focused is dialog.query_one("#dob")
    with Session(sqlite_ctx.engine) as session:
        kept = session.get(Patient, practice.patient_id)
        assert kept is not None
        assert kept.version == 1  # nothing saved


async def test_the_hours_form_shows_every_problem_at_once_with_the_cursor_on_the_first(
    sqlite_ctx: Context, practice: Practice
) -> None:
    before = count(sqlite_ctx, Template)
    async with FrontDeskApp(context=sqlite_ctx, staff="sched").run_test(size=(80, 24)) as pilot:
        await opened(pilot, practice.able)
        await pilot.press("a")
        assert isinstance(pilot.app.screen, TemplateForm)
        await fill(pilot, weekdays="Funday", start_time="25:00", end_time="9")
        pilot.app.screen.query_one("#end_time").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert error_of(pilot, "weekdays").startswith("Did not understand 'funday'")
        assert error_of(pilot, "start_time") == "Type a time like 08:00, 8:30 or 1pm"
        assert pilot.app.focused is pilot.app.screen.query_one("#weekdays")
    assert count(sqlite_ctx, Template) == before


async def test_the_closure_form_shows_every_problem_at_once(
    sqlite_ctx: Context, practice: Practice
) -> None:
    async with FrontDeskApp(context=sqlite_ctx, staff="sched").run_test(size=(80, 24)) as pilot:
        await opened(pilot, practice.able)
        await pilot.press("c")
        assert isinstance(pilot.app.screen, ClosureForm)
        await fill(pilot, from_day="3/11", from_time="99", reason="")
        pilot.app.screen.query_one("#reason").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert error_of(pilot, "from_time") == "Type a time like 08:00, 8:30 or 1pm"
        assert error_of(pilot, "reason").startswith("Say why")
        assert pilot.app.focused is pilot.app.screen.query_one("#from_time")
    assert count(sqlite_ctx, Closure) == 0


async def test_a_visits_details_show_the_birth_date_and_phone(
    sqlite_ctx: Context, booked: list[AppointmentView]
) -> None:
    async with FrontDeskApp(context=sqlite_ctx, poll_seconds=60.0).run_test(
            size=(80, 24)) as pilot:
        await settled(pilot)
        await pilot.press("enter")  # the first visit: Testcase's block
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        details = pilot.app.screen
        assert isinstance(details, DetailsScreen)
        facts = text_of(details, "#details-facts").splitlines()
        assert facts[:3] == ["Patient   Testcase, C.", "Born      17 May 1970",
                             "Phone     (918) 555-0111"]
        region = details.query_one("#details-facts").region
        assert region.bottom <= details.size.height  # on screen at 80x24


async def test_the_export_toast_shows_the_whole_file_name_at_80x24(
        demo: Context, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    deep = tmp_path / "a-rather-long-folder-name-for-the-practice-data" / "frontdesk"
    monkeypatch.setenv("FRONTDESK_DATA_DIR", str(deep))
    async with app_for(demo, staff=MANAGER).run_test(size=(80, 24), notifications=True) as pilot:
        await open_report(pilot)
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("down", "enter")  # HTML, the second choice
        await quiet(pilot)
        await pilot.pause(0.2)
        toasts = list(pilot.app.screen.query(Toast))
        rows = [strip.text.strip("▌ ") for t in toasts  # less the severity bar
                for strip in t.render_lines(Region(0, 0, t.size.width, t.size.height))]
        assert "Written (readable by you only):" in rows, rows
        assert "daily-2027-03-10.html" in rows, rows  # the name on a line of its own, whole
    assert (deep / "reports" / "daily-2027-03-10.html").exists()


def test_the_sign_in_screen_keeps_naming_both_username_and_password() -> None:
    """It asks both, so either may be wrong (the lock, which asks only the password, says
    "Wrong password.": tests/ui/test_sign_in.py, TestIdleLock, types a wrong one into it)."""
    from frontdesk.services.accounts import SignInRefused
    from frontdesk.ui.account.sign_in import _refusal

    assert _refusal(SignInRefused()) == "Wrong username or password."
