"""A payer change from the call screen (Ctrl+Y, Ctrl+T) that breaks the payer rules of the
caller's booked procedure: the visits that break show in the dialog, and the override booking
uses is asked for — the scheduler signs with a reason; a receptionist needs an overrider's
username and password (or nothing is saved); a record changed meanwhile is refused.

The caller is on Self-pay with a three-level diagnostic block booked for Thursday: Medicare
allows at most two levels per session. The frozen clock is Wed 2027-03-10 09:00 in Tulsa."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, col, select
from textual.widgets import Input

from frontdesk.db.engine import run_write
from frontdesk.db.models import AuditEvent, Patient, Staff
from frontdesk.services import scheduling as s
from frontdesk.services.context import Context
from frontdesk.services.patients.edit import edit_patient
from frontdesk.ui.app import FrontDeskApp
from frontdesk.ui.call.payer import PayerDialog
from frontdesk.ui.call.screen import CallScreen
from frontdesk.ui.widgets.override import OverrideDialog
from tests.conftest import FrozenClock
from tests.practice import TEST_PASSWORDS, Practice, give_passwords
from tests.ui.test_call_intake import SLOW, quiet, text
from tests.ui.test_patient_details import editing, identified, put

CHICAGO = ZoneInfo("America/Chicago")
MAR11 = datetime(2027, 3, 11, 10, tzinfo=CHICAGO).astimezone(UTC)
REASON = "physician ordered three levels"


@pytest.fixture
def booked(sqlite_ctx: Context, practice: Practice, clock: FrozenClock) -> tuple[int, int]:
    """(patient id, appointment id): a self-pay caller with a three-level block Thursday."""

    def work(session: Session) -> int:
        row = Patient(first_name="Riley", last_name="Specimen", dob=date(1948, 4, 9),
                      phone="+19185550144", payer="Self-pay", payer_key="self-pay",
                      created_at=clock())
        session.add(row)
        session.flush()
        assert row.id is not None
        return row.id

    patient_id = run_write(sqlite_ctx.engine, work)
    appt = s.book(sqlite_ctx, staff="desk", patient_id=patient_id,
                  visit_type="facet-diagnostic", provider_id=practice.able,
                  location_id=practice.location_id, start=MAR11, region="lumbar",
                  levels="L3-L4, L4-L5, L5-S1", side="left", ordered_by_physician=True,
                  accept_warnings=("duplicate", "relief-pending", "same-day"))
    return patient_id, appt.id


def app_as(ctx: Context, staff: str) -> FrontDeskApp:
    return FrontDeskApp(context=ctx, poll_seconds=SLOW, staff=staff)


def row(ctx: Context, patient_id: int) -> Patient:
    with Session(ctx.engine) as session:
        found = session.get(Patient, patient_id)
        assert found is not None
        session.expunge(found)
        return found


def events(ctx: Context, action: str) -> list[AuditEvent]:
    with Session(ctx.engine) as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)
                                 .order_by(col(AuditEvent.id))).all())


def staff_id(ctx: Context, username: str) -> int | None:
    with Session(ctx.engine) as session:
        return session.exec(select(Staff.id).where(Staff.username == username)).one()


async def payer_dialog(pilot: Any, payer: str) -> PayerDialog:
    await identified(pilot, "specimen")
    await pilot.press("ctrl+y")
    await quiet(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, PayerDialog)
    await pilot.press(*payer, "enter")
    await quiet(pilot)
    return dialog


async def test_a_scheduler_sees_the_visits_that_break_and_signs_with_a_reason(
    sqlite_ctx: Context, booked: tuple[int, int],
) -> None:
    patient_id, appt_id = booked
    async with app_as(sqlite_ctx, "sched").run_test(size=(100, 40)) as pilot:
        dialog = await payer_dialog(pilot, "medicare")
        broken = text(dialog, "#payer-broken")
        assert broken.startswith("Not saved: the new payer's rules are broken by booked visit")
        assert f"visit {appt_id}, Thu 11 Mar 10:00" in broken
        assert "at most 2 levels per session" in broken
        override = pilot.app.screen
        assert isinstance(override, OverrideDialog)  # the booking path's own dialog
        assert override.query_one("#override-by", Input).value == "sched"  # herself
        assert f"visit {appt_id}" in text(override, "#override-problems")
        assert override.focused is override.query_one("#override-reason", Input)
        await pilot.press(*REASON, "enter")
        await quiet(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, CallScreen)
        assert screen.patient is not None
        assert screen.patient.payer_key == "medicare"
    assert row(sqlite_ctx, patient_id).payer_key == "medicare"
    [signed] = events(sqlite_ctx, "payer.override")
    assert (signed.entity_id, signed.after["reason"], signed.after["rules"]) == (
        appt_id, REASON, ["levels"])
    assert signed.staff_id == staff_id(sqlite_ctx, "sched")
    [change] = events(sqlite_ctx, "patient.payer")
    assert change.after["broken_visits"] == [appt_id]


async def test_a_receptionist_needs_an_overrider_who_signs_with_their_password(
    sqlite_ctx: Context, booked: tuple[int, int],
) -> None:
    patient_id, appt_id = booked
    give_passwords(sqlite_ctx, "sched")
    async with app_as(sqlite_ctx, "desk").run_test(size=(100, 40)) as pilot:
        dialog = await payer_dialog(pilot, "medicare")
        override = pilot.app.screen
        assert isinstance(override, OverrideDialog)
        assert override.query_one("#override-by", Input).value == ""  # desk may not
        await pilot.press("escape")  # nobody signs: said plainly, nothing saved
        await quiet(pilot)
        assert pilot.app.screen is dialog
        assert "you may not override payer rules" in text(dialog, "#payer-broken")
        assert row(sqlite_ctx, patient_id).payer_key == "self-pay"

        dialog.query_one("#payer", Input).focus()
        await pilot.press("enter")  # again: the overrider is asked for
        await quiet(pilot)
        override = pilot.app.screen
        assert isinstance(override, OverrideDialog)
        await pilot.press(*"sched", "enter")
        assert override.focused is override.query_one("#override-password", Input)
        await pilot.press(*"not-the-password", "enter", *REASON, "enter")
        await quiet(pilot)
        again = pilot.app.screen
        assert isinstance(again, OverrideDialog)  # asked again, the reason kept
        assert "password was not accepted" in text(dialog, "#payer-broken")
        assert again.query_one("#override-reason", Input).value == REASON
        assert row(sqlite_ctx, patient_id).payer_key == "self-pay"
        again.query_one("#override-password", Input).focus()
        await pilot.press(*TEST_PASSWORDS["sched"], "enter", "enter")
        await quiet(pilot)
        assert isinstance(pilot.app.screen, CallScreen)
    assert row(sqlite_ctx, patient_id).payer_key == "medicare"
    [signed] = events(sqlite_ctx, "payer.override")
    assert (signed.entity_id, signed.staff_id) == (appt_id, staff_id(sqlite_ctx, "sched"))
    [change] = events(sqlite_ctx, "patient.payer")
    assert change.staff_id == staff_id(sqlite_ctx, "desk")  # who changed it


async def test_a_record_changed_meanwhile_is_refused(
    sqlite_ctx: Context, booked: tuple[int, int],
) -> None:
    patient_id, _ = booked
    async with app_as(sqlite_ctx, "sched").run_test(size=(100, 40)) as pilot:
        await identified(pilot, "specimen")
        await pilot.press("ctrl+y")
        await quiet(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, PayerDialog)
        edit_patient(sqlite_ctx, staff="mgr", patient_id=patient_id, version=None,
                     member_id="ZX-1")  # elsewhere, meanwhile
        await pilot.press(*"medicare", "enter")
        await quiet(pilot)
        assert pilot.app.screen is dialog
        assert text(dialog, "#payer-error").startswith("Changed by someone else meanwhile: "
                                                       "nothing was saved.")
        await pilot.press("escape")
        await quiet(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, CallScreen)
        assert screen.patient is not None
        assert screen.patient.member_id == "ZX-1"  # as it is now, for Ctrl+Y again
    found = row(sqlite_ctx, patient_id)
    assert (found.payer_key, found.member_id) == ("self-pay", "ZX-1")
    assert events(sqlite_ctx, "payer.override") == []


async def test_ctrl_t_asks_for_the_override_too(
    sqlite_ctx: Context, booked: tuple[int, int],
) -> None:
    patient_id, appt_id = booked
    async with app_as(sqlite_ctx, "sched").run_test(size=(100, 40)) as pilot:
        await identified(pilot, "specimen")
        dialog = await editing(pilot)
        put(dialog, payer="Medicare")
        await pilot.press("ctrl+s")
        await quiet(pilot)
        override = pilot.app.screen
        assert isinstance(override, OverrideDialog)
        assert f"visit {appt_id}" in text(dialog, "#form-error")
        await pilot.press(*REASON, "enter")
        await quiet(pilot)
        assert isinstance(pilot.app.screen, CallScreen)
    assert row(sqlite_ctx, patient_id).payer_key == "medicare"
    [signed] = events(sqlite_ctx, "payer.override")
    assert signed.entity_id == appt_id
