"""Whole calls on the demo practice, from F2 to the logged call: the pathway's questions, its
recommendation, offering and holding a time, booking, the read-back — asserted on the
database."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select
from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from frontdesk.db.engine import run_write
from frontdesk.db.models import (
    Appointment,
    AuditEvent,
    Call,
    CallbackTask,
    Patient,
    Provider,
    ReliefReport,
    Staff,
    VisitType,
)
from frontdesk.domain.model import Status
from frontdesk.services.context import Context
from frontdesk.services.demo.content import demo_password
from frontdesk.ui.call.booking import CallBookingDialog, ReadBackDialog
from frontdesk.ui.call.dialogs import OutcomeDialog, ResumeDialog
from frontdesk.ui.call.pathway import SAY_HEADING, STAFF_HEADING, PathwayPanel
from frontdesk.ui.call.payer import PayerDialog
from frontdesk.ui.call.screen import CallScreen
from frontdesk.ui.call.visits import VisitsPanel
from frontdesk.ui.visit.offers import SlotOffers
from frontdesk.ui.widgets.booking import BookingQuestion
from frontdesk.ui.widgets.override import OverrideDialog
from tests.cli.conftest import password_file
from tests.conftest import FrozenClock
from tests.ui.call_helpers import app_for, quiet, shown, steady_cursor
from tests.ui.conftest import settled

# --------------------------------------------------------------------------- helpers


def one(ctx: Context, query: Any) -> Any:
    with Session(ctx.engine) as session:
        return session.exec(query).first()


def every(ctx: Context, query: Any) -> list[Any]:
    with Session(ctx.engine) as session:
        return list(session.exec(query).all())


def set_payer(ctx: Context, patient_id: int, payer: str) -> None:
    """The patient's payer as typed, with the plan it names (if any) chosen."""
    plan = ctx.settings.catalogue.match(payer)

    def work(session: Session) -> None:
        patient = session.get(Patient, patient_id)
        assert patient is not None
        patient.payer, patient.payer_key = payer, plan.key if plan else None

    run_write(ctx.engine, work)


def never_injected(ctx: Context, payer: str, *, free_ahead: bool = False) -> Patient:
    """A demo patient with no facet injection or RFA on record (the payer set to ``payer``);
    ``free_ahead``: one with nothing booked in the next week either (no warning)."""
    procedures = select(Appointment.patient_id).join(
        VisitType, col(VisitType.id) == Appointment.visit_type_id).where(
        col(VisitType.code).in_(["facet-diagnostic", "facet-therapeutic", "rfa"]))
    patient = one(ctx, select(Patient).where(col(Patient.id).not_in(procedures))
                  .order_by(col(Patient.id)))
    assert patient is not None
    set_payer(ctx, patient.id, payer)
    if free_ahead:
        cancel_week_ahead(ctx, patient.id)
    return patient


def cancel_week_ahead(ctx: Context, patient_id: int) -> None:
    """The patient's visits this week (when the first times are offered) called off, as if
    they had cancelled them: a booking then has nothing on the same day to warn about."""
    def work(session: Session) -> None:
        for appt in session.exec(select(Appointment).where(
                Appointment.patient_id == patient_id,
                col(Appointment.starts_at).between(datetime(2027, 3, 10, 6, tzinfo=UTC),
                                                   datetime(2027, 3, 17, 6, tzinfo=UTC)))):
            appt.status = Status.CANCELLED.value
            session.add(appt)

    run_write(ctx.engine, work)


async def call_from(pilot: Pilot[None], phone: str) -> CallScreen:
    """F2, the caller's phone number, Enter to the candidates, Enter: identified."""
    await settled(pilot)
    await pilot.press("f2")
    await quiet(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, CallScreen)
    await pilot.press(*phone[-10:])
    await quiet(pilot)
    await pilot.press("enter")
    await quiet(pilot)
    assert screen.patient is not None
    return screen


async def answer(pilot: Pilot[None], *answers: str) -> None:
    """Each answer: a choice's number, or text then Enter."""
    for given in answers:
        if len(given) == 1 and given.isdigit() and not isinstance(pilot.app.focused, Input):
            await pilot.press(given)
        else:
            await pilot.press(*given, "enter")
        await quiet(pilot)


async def accept_warnings(pilot: Pilot[None], seen: list[str]) -> None:
    """A demo caller has other visits: the same day, the same visit already booked… When the
    booking warns, the receptionist reads the warnings (kept in ``seen``) and books anyway."""
    while isinstance(pilot.app.screen, BookingQuestion):
        seen.append(shown(pilot.app.screen, "#confirm-text"))
        await pilot.press("enter")
        await quiet(pilot)


async def book_first_offer(pilot: Pilot[None]) -> list[str]:
    """Enter on the recommendation, Enter holds the first time (accepting any warnings),
    Enter books, Enter logs. The warnings the booking showed."""
    seen: list[str] = []
    await pilot.press("enter")
    await quiet(pilot)
    assert isinstance(pilot.app.screen, CallBookingDialog)
    await pilot.press("enter")  # hold
    await quiet(pilot)
    await accept_warnings(pilot, seen)
    await pilot.press("enter")  # book
    await quiet(pilot)
    await accept_warnings(pilot, seen)
    assert isinstance(pilot.app.screen, ReadBackDialog)
    await pilot.press("enter")  # read back, log the call
    await quiet(pilot)
    return seen


def logged_call(ctx: Context) -> tuple[Call, Appointment | None, str | None]:
    call = one(ctx, select(Call).order_by(col(Call.id).desc()))
    assert call is not None
    appt = None
    code = None
    if call.appointment_id is not None:
        with Session(ctx.engine) as session:
            appt = session.get(Appointment, call.appointment_id)
            assert appt is not None
            vt = session.get(VisitType, appt.visit_type_id)
            code = vt.code if vt else None
    return call, appt, code


def panel(screen: CallScreen) -> PathwayPanel:
    return screen.query_one(PathwayPanel)


# --------------------------------------------------------------------------- whole calls


async def test_a_new_caller_with_muscle_pain_is_booked_for_a_new_patient_evaluation(
    demo: Context,
) -> None:
    async with app_for(demo).run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        await pilot.press("f2")
        await quiet(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, CallScreen)
        await pilot.press(*"Quincy Fernhollow")
        await quiet(pilot)
        await pilot.press("ctrl+n")
        await quiet(pilot)
        dialog = pilot.app.screen
        dialog.query_one("#dob", Input).value = "6/14/1979"
        dialog.query_one("#phone", Input).value = "918-555-0188"
        await pilot.press("enter")
        await quiet(pilot)
        assert pilot.app.screen is screen
        assert screen.patient is not None
        assert screen.patient.last_name == "Fernhollow"

        await answer(pilot, "1")  # a new pain problem
        assert panel(screen).question is not None
        assert panel(screen).question.key == "pain_area"
        await answer(pilot, "1", "1")  # low back; muscle pain
        advice = shown(screen, "#path-advice")
        assert advice.startswith("Book: New-patient evaluation")
        assert "every new caller starts with a new-patient evaluation" in advice
        assert "massage therapy and trigger point injections" in advice
        await book_first_offer(pilot)
        assert not isinstance(pilot.app.screen, CallScreen)
    call, appt, code = logged_call(demo)
    assert (call.status, call.outcome, code) == ("closed", "booked", "new-patient")
    assert appt is not None
    assert appt.status == "booked"
    assert call.answers["pain_kind"] == "muscle"


async def test_a_diagnostic_block_reported_on_a_callback_stores_the_report_and_books_on(
    demo: Context,
) -> None:
    """The callback list, the report saved as data closing the callback, then the next step
    (a self-pay patient: the practice protocol alone decides)."""
    async with app_for(demo).run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        await pilot.press("f2")
        await quiet(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, CallScreen)
        assert screen.callbacks, "the demo has relief-report callbacks due"
        callback = screen.callbacks[0]
        set_payer(demo, callback.patient_id, "Self-pay")
        assert shown(screen, "#call-callbacks-title").startswith("Callbacks due (")
        await pilot.press("ctrl+r", "enter")
        await quiet(pilot)
        assert screen.patient is not None
        assert screen.patient.id == callback.patient_id
        question = panel(screen).question
        assert question is not None
        assert question.key == "percent_relief"  # injection, region, levels, side known
        await answer(pilot, "85", "3 hours", "1")  # 85 %, 3 hours, the first one
        advice = shown(screen, "#path-advice")
        assert advice.startswith("Book: Therapeutic facet joint injection"), advice
        assert "✓ Practice: Positive block by protocol: 85 % relief lasting 3 hours" in advice
        say, _staff = advice.split(STAFF_HEADING)
        assert SAY_HEADING in say
        assert "therapeutic facet joint injection at the same levels" in say
        assert "Positive" not in say  # verdicts are for staff only
        assert "%" not in say
        assert "Relief report saved and the callback closed." in shown(screen, "#call-status")
        await book_first_offer(pilot)
    call, appt, code = logged_call(demo)
    assert (call.outcome, code) == ("booked", "facet-therapeutic")
    assert appt is not None
    assert (appt.region, appt.levels) == (callback.region, callback.levels)
    report = one(demo, select(ReliefReport).where(ReliefReport.call_id == call.id))
    assert (report.percent_relief, report.hours_lasted) == (85, 3.0)
    assert report.appointment_id == callback.appointment_id
    task = one(demo, select(CallbackTask).where(CallbackTask.id == callback.id))
    assert (task.status, task.call_id) == ("done", call.id)


async def test_a_callback_nobody_answers_stays_open_and_falls_due_later(
    demo: Context, clock: FrozenClock,
) -> None:
    async with app_for(demo).run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        await pilot.press("f2")
        await quiet(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, CallScreen)
        first = screen.callbacks[0]
        await pilot.press("ctrl+r", "n")
        await quiet(pilot)
        assert screen.patient is None  # nobody to talk to: the call is not about them
        assert first.id in [c.id for c in screen.callbacks]
    task = one(demo, select(CallbackTask).where(CallbackTask.id == first.id))
    assert task.status == "open"
    assert task.due_at == clock() + timedelta(hours=2)
    assert task.note == "no answer"


async def test_no_relief_books_a_physician_follow_up_without_asking_how_long(
    demo: Context,
) -> None:
    async with app_for(demo).run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        await pilot.press("f2")
        await quiet(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, CallScreen)
        await pilot.press("ctrl+r", "enter")
        await quiet(pilot)
        asked: list[str] = []
        question = panel(screen).question
        assert question is not None
        asked.append(question.key)
        await answer(pilot, "0")
        assert panel(screen).question is None  # no hours, no injections count
        assert asked == ["percent_relief"]
        advice = shown(screen, "#path-advice")
        assert advice.startswith("Book: Follow-up")
        assert "No relief at all" in advice
        say, staff = advice.split(STAFF_HEADING)
        assert "so the physician can go over it with you" in say
        assert "No relief" not in say
        assert "may not have found the source" in staff
        await book_first_offer(pilot)
    call, appt, code = logged_call(demo)
    assert (call.outcome, code) == ("booked", "follow-up")
    report = one(demo, select(ReliefReport).where(ReliefReport.call_id == call.id))
    assert report.percent_relief == 0
    assert appt is not None  # physician review: with a physician, not an APRN or PA
    assert one(demo, select(Provider).where(Provider.id == appt.provider_id)).kind == "physician"


async def test_relief_wearing_off_after_several_injections_books_an_rfa_consult(
    demo: Context,
) -> None:
    patient = never_injected(demo, "Self-pay")
    async with app_for(demo).run_test(size=(80, 24)) as pilot:
        screen = await call_from(pilot, patient.phone)
        await answer(pilot, "2")  # report after an injection
        await answer(pilot, "2", "1", "L4-L5, L5-S1", "1")  # therapeutic, lumbar, both sides
        await answer(pilot, "60", "3 weeks", "3")  # 60 % for 3 weeks; the third one
        question = panel(screen).question
        assert question is not None
        assert question.key == "wearing_off"
        await answer(pilot, "1")  # yes, sooner each time
        advice = shown(screen, "#path-advice")
        assert advice.startswith("Book: Radiofrequency ablation consult"), advice
        assert "wearing off after 3 injections" in advice
        await book_first_offer(pilot)
    call, appt, code = logged_call(demo)
    assert (call.outcome, code) == ("booked", "rfa-consult")
    assert appt is not None
    assert appt.region is None  # a consult is not a procedure


async def test_a_time_taken_by_another_process_offers_the_next_ones_at_once(
    demo: Context, demo_url: str, tmp_path: Path,
) -> None:
    patient = never_injected(demo, "Self-pay")
    other = one(demo, select(Patient).where(Patient.id != patient.id).order_by(col(Patient.id)))
    async with app_for(demo).run_test(size=(80, 24)) as pilot:
        await call_from(pilot, patient.phone)
        await answer(pilot, "3")  # a visit the physician ordered
        await answer(pilot, "2")  # a follow-up (the second visit type)
        await pilot.press("enter")
        await quiet(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, CallBookingDialog)
        first = dialog.slots[0]
        start = first.local_start.isoformat(timespec="minutes")
        cli = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "frontdesk", "--db", demo_url, "book",
            "--patient", str(other.id), "--visit-type", "follow-up",
            "--provider", first.provider_name, "--location", first.location_name,
            "--start", start, "--as", "sam", "--accept", "same-day", "--accept", "duplicate",
            "--password-file", password_file(tmp_path, demo_password("sam")),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await cli.communicate()
        assert cli.returncode == 0, err.decode()
        await pilot.press("enter")  # hold the time the other process just took
        await quiet(pilot)
        assert "just taken by someone else" in shown(dialog, "#callbook-note")
        assert first not in dialog.slots
        assert dialog.slots
        await pilot.press("enter")  # hold the next one
        await quiet(pilot)
        await accept_warnings(pilot, [])
        await pilot.press("enter")  # book
        await quiet(pilot)
        assert isinstance(pilot.app.screen, ReadBackDialog)
        await pilot.press("enter")
        await quiet(pilot)
    call, appt, code = logged_call(demo)
    assert (call.outcome, code) == ("booked", "follow-up")
    assert appt is not None
    assert appt.starts_at != first.start or appt.provider_id != first.provider_id


async def test_a_payer_not_in_the_list_is_said_and_needs_an_override(demo: Context) -> None:
    """The review's case: "Medcare" used to get no payer rules, silently. Now the call says
    the payer rules were not checked, and the hold is refused until somebody signs for it."""
    patient = never_injected(demo, "Medcare")
    async with app_for(demo).run_test(size=(80, 24)) as pilot:
        screen = await call_from(pilot, patient.phone)
        assert "· Medcare (not recognised) — Ctrl+Y" in shown(screen, "#call-caller")
        await answer(pilot, "3")  # ordered
        types = [v.code for v in panel(screen).visit_types]
        await answer(pilot, str(types.index("facet-diagnostic") + 1))
        await answer(pilot, "1", "L4-L5", "1")
        advice = shown(screen, "#path-advice")
        assert ("✗ Payer not recognised: 'Medcare' is not in the practice's payer list — "
                "payer rules not checked") in advice
        await pilot.press("enter")
        await quiet(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, CallBookingDialog)
        await pilot.press("enter")  # try to hold
        await quiet(pilot)
        assert "payer rules not checked" in shown(dialog, "#callbook-note")
        await pilot.press("ctrl+o")
        await quiet(pilot)
        assert isinstance(pilot.app.screen, OverrideDialog)


async def test_the_callers_payer_is_set_from_the_list_during_the_call(demo: Context) -> None:
    """Ctrl+Y, as the caller line says: the plan found as it is typed, saved with an audit
    event, and the pathway advises again under the plan's rules."""
    patient = never_injected(demo, "Medcare")
    async with app_for(demo).run_test(size=(80, 24)) as pilot:
        screen = await call_from(pilot, patient.phone)
        assert shown(screen, "#call-caller").endswith(
            "· Medcare (not recognised) — Ctrl+Y sets it from the payer list")
        await answer(pilot, "3")  # ordered
        types = [v.code for v in panel(screen).visit_types]
        await answer(pilot, str(types.index("facet-diagnostic") + 1))
        await answer(pilot, "1", "L3-L4, L4-L5, L5-S1", "1")
        assert "✗ Payer not recognised" in shown(screen, "#path-advice")
        await pilot.press("ctrl+y")
        await quiet(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, PayerDialog)
        await pilot.press(*"medcare", "enter")  # a near spelling is not a plan
        await quiet(pilot)
        assert "did you mean Medicare Part B (Novitas)" in shown(dialog, "#payer-error")
        dialog.query_one("#payer", Input).value = ""
        await pilot.press(*"medicare", "enter")
        await quiet(pilot)
        assert pilot.app.screen is screen
        assert shown(screen, "#call-caller").endswith("· Medicare Part B (Novitas)")
        advice = shown(screen, "#path-advice")
        assert "Payer not recognised" not in advice
        assert "✗ Medicare (Novitas): Not allowed: at most 2 levels per session" in advice
    event = one(demo, select(AuditEvent).where(AuditEvent.action == "patient.payer")
                .order_by(col(AuditEvent.id).desc()))
    assert (event.entity_id, event.after["payer"]) == (patient.id, "medicare")


async def test_a_payer_rule_needs_an_override_signed_by_who_authorises_it(demo: Context) -> None:
    """Medicare: at most two levels per session. The receptionist cannot override; a
    scheduler can, with their own password (a typed name alone authorises nothing, and a wrong
    password counts toward their lockout); the reason survives each refusal, and the audit log
    keeps who and why."""
    patient = never_injected(demo, "Medicare")
    async with app_for(demo).run_test(size=(80, 24)) as pilot:
        screen = await call_from(pilot, patient.phone)
        await answer(pilot, "3")  # ordered
        types = [v.code for v in panel(screen).visit_types]
        await answer(pilot, str(types.index("facet-diagnostic") + 1))
        await answer(pilot, "1", "L3-L4, L4-L5, L5-S1", "1")
        advice = shown(screen, "#path-advice")
        assert "✗ Medicare (Novitas): Not allowed: at most 2 levels per session (3 asked)" \
            in advice
        await pilot.press("enter")
        await quiet(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, CallBookingDialog)
        await pilot.press("enter")  # try to hold
        await quiet(pilot)
        assert "at most 2 levels per session" in shown(dialog, "#callbook-note")
        await pilot.press("ctrl+o")
        await quiet(pilot)
        override = pilot.app.screen
        assert isinstance(override, OverrideDialog)
        assert override.query_one("#override-by", Input).value == ""  # rita may not: nobody
        assert "Esc: back" in shown(override, "#override-keys")
        await pilot.press(*"rita", "enter")  # herself: no password asked
        assert override.focused is override.query_one("#override-reason", Input)
        await pilot.press(*"physician asked for three levels", "enter")
        await quiet(pilot)
        assert "scheduler" in shown(dialog, "#callbook-note")  # a receptionist may not
        again = pilot.app.screen
        assert isinstance(again, OverrideDialog)  # asked again, the reason kept
        assert again.query_one("#override-reason", Input).value == (
            "physician asked for three levels")
        again.query_one("#override-by", Input).value = "sam"
        await pilot.press("enter")  # reason submitted: sam must type his password first
        assert "types their own password" in shown(again, "#override-error")
        assert again.focused is again.query_one("#override-password", Input)
        await pilot.press(*"not-sams-password", "enter", "enter")
        await quiet(pilot)
        assert "password was not accepted" in shown(dialog, "#callbook-note")
        third = pilot.app.screen
        assert isinstance(third, OverrideDialog)
        assert third.query_one("#override-by", Input).value == "sam"
        assert third.query_one("#override-password", Input).value == ""
        assert third.query_one("#override-reason", Input).value == (
            "physician asked for three levels")
        assert third.focused is third.query_one("#override-password", Input)
        await pilot.press(*demo_password("sam"), "enter", "enter")
        await quiet(pilot)
        warned: list[str] = []
        await accept_warnings(pilot, warned)  # e.g. a visit elsewhere that day: still signed
        assert "Held for the caller" in shown(dialog, "#callbook-note")
        await pilot.press("enter")
        await quiet(pilot)
        assert isinstance(pilot.app.screen, ReadBackDialog)
        await pilot.press("enter")
        await quiet(pilot)
    call, appt, code = logged_call(demo)
    assert (call.outcome, code) == ("booked", "facet-diagnostic")
    assert appt is not None
    event = one(demo, select(AuditEvent).where(AuditEvent.action == "payer.override")
                .order_by(col(AuditEvent.id).desc()))
    assert event.entity_id == appt.id
    assert event.after["reason"] == "physician asked for three levels"
    assert event.after["rules"] == ["levels"]
    sam = one(demo, select(Staff).where(Staff.username == "sam"))
    assert event.staff_id == sam.id
    failed = one(demo, select(AuditEvent).where(AuditEvent.action == "staff.sign_in_failed")
                 .order_by(col(AuditEvent.id).desc()))
    assert failed.staff_id == sam.id


async def test_a_caller_moves_one_visit_and_cancels_another_without_leaving_the_call(
    demo: Context, clock: FrozenClock,
) -> None:
    patient = never_injected(demo, "Self-pay")
    upcoming = every(demo, select(Appointment).where(Appointment.patient_id == patient.id)
                     .where(Appointment.starts_at > clock())
                     .where(col(Appointment.status).in_(["booked", "confirmed"]))
                     .order_by(col(Appointment.starts_at)))
    assert len(upcoming) >= 2, "the demo patient has visits ahead"
    first, second = upcoming[0], upcoming[1]
    async with app_for(demo).run_test(size=(80, 24)) as pilot:
        screen = await call_from(pilot, patient.phone)
        await pilot.press("4")  # reschedule or cancel
        await quiet(pilot)
        visits = screen.query_one(VisitsPanel)
        assert [v.id for v in visits.visits][:2] == [first.id, second.id]
        await pilot.press("s")
        await quiet(pilot)
        offers = pilot.app.screen
        assert isinstance(offers, SlotOffers)
        target = offers.slots[0]
        await pilot.press("enter")
        await quiet(pilot)
        await accept_warnings(pilot, [])  # the caller's other visit may be that day
        read_back = pilot.app.screen  # the new time, read back to the caller
        assert isinstance(read_back, ReadBackDialog)
        said = shown(read_back, "#readback-text")
        place = read_back.script.appointment
        start = place.local_start
        assert said.startswith("Your ")
        assert "is moved to a new time." in said
        at = f"{start:%I:%M %p}".lstrip("0")
        assert f"When: {start:%A}, {start:%B} {start.day}, at {at}" in said
        assert f"With: {place.provider_name}." in said
        assert f"Where: {place.location_name}," in said
        assert "log the call as moved" in shown(read_back, "#readback-help")
        await pilot.press("escape")  # back to the call: the other visit is cancelled next
        await quiet(pilot)
        assert "Moved" in shown(screen, "#call-status")
        listing = visits.query_one(OptionList)
        listing.highlighted = [v.id for v in visits.visits].index(second.id)
        await pilot.press("x")
        await quiet(pilot)
        await pilot.press(*"feeling better", "enter")
        await quiet(pilot)
        assert second.id not in [v.id for v in visits.visits]
        await pilot.press("ctrl+f")
        await quiet(pilot)
        ending = pilot.app.screen
        assert isinstance(ending, OutcomeDialog)
        options = ending.query_one(OptionList)
        offered = [str(options.get_option_at_index(n).prompt) for n in range(3)]
        assert offered == ["1  Moved a visit", "2  Cancelled a visit", "3  Callback scheduled"]
        assert options.highlighted == 1  # the last thing the call did
        await pilot.press("1")  # the visit moved: not a booking
        await quiet(pilot)
    with Session(demo.engine) as session:
        moved = session.get(Appointment, first.id)
        cancelled = session.get(Appointment, second.id)
        assert moved is not None
        assert cancelled is not None
        assert (moved.starts_at, moved.provider_id) == (target.start, target.provider_id)
        assert (cancelled.status, cancelled.cancel_reason) == ("cancelled", "feeling better")
    call, appt, _code = logged_call(demo)
    assert (call.outcome, call.appointment_id) == ("moved", first.id)


async def test_answers_typed_straight_after_each_other_land_on_the_right_questions(
    demo: Context,
) -> None:
    """A fast receptionist does not wait for the screen: each question is asked at once."""
    patient = never_injected(demo, "Self-pay")
    async with app_for(demo).run_test(size=(80, 24)) as pilot:
        screen = await call_from(pilot, patient.phone)
        await pilot.press("2")
        await quiet(pilot)  # the first question loads the visit types once
        await pilot.press("1", "1", *"C5-C6", "enter")  # wrong levels: asked again, kept
        assert screen.query_one("#path-input", Input).value == "C5-C6"
        await pilot.press("ctrl+u", *"L4-L5", "enter", "3", *"90", "enter", *"3 hours",
                          "enter", *"1", "enter")
        await quiet(pilot)
        assert panel(screen).answers == {
            "procedure": "facet-diagnostic", "region": "lumbar", "levels": "L4-L5",
            "side": "right", "percent_relief": 90, "hours_lasted": 3.0,
            "injections_so_far": 1}
        assert shown(screen, "#path-advice").startswith("Book: Therapeutic facet joint")


async def test_a_call_cut_off_mid_pathway_resumes_with_every_answer(demo: Context) -> None:
    patient = never_injected(demo, "Self-pay")
    async with app_for(demo).run_test(size=(80, 24)) as pilot:
        screen = await call_from(pilot, patient.phone)
        await answer(pilot, "2", "1", "1", "L4-L5", "3", "80")
    # The app is gone without ending the call, as after a killed terminal.
    async with app_for(demo).run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        await pilot.press("f2")
        await quiet(pilot)
        assert isinstance(pilot.app.screen, ResumeDialog)
        await pilot.press("enter")
        await quiet(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, CallScreen)
        assert screen.patient is not None
        assert screen.patient.id == patient.id
        question = panel(screen).question
        assert question is not None
        assert question.key == "hours_lasted"
        assert shown(screen, "#path-answered") == (
            "diagnostic injection · lumbar L4-L5 right · 80 % relief")
        assert pilot.app.focused is screen.query_one("#path-input", Input)


async def test_booking_an_ordered_diagnostic_block_takes_10_keypresses(demo: Context) -> None:
    """The README's count: an existing patient, a diagnostic facet injection the physician
    ordered, from F2 on the board to the read-back, each key the one the screen's own hint or
    numbered choice names. Typed search text and typed answers are not counted; every other key
    is."""
    patient = never_injected(demo, "Self-pay", free_ahead=True)  # nothing to warn about
    keys: list[str] = []

    async with app_for(demo).run_test(size=(80, 24)) as pilot:
        await settled(pilot)

        async def key(*pressed: str) -> None:
            keys.extend(pressed)
            await pilot.press(*pressed)
            await quiet(pilot)

        async def typed(text: str) -> None:
            await pilot.press(*text)
            await quiet(pilot)

        def choice(number: str) -> str:
            """The choice the focused list shows under ``number``."""
            listing = pilot.app.focused
            assert isinstance(listing, OptionList)
            return next(str(o.prompt) for o in listing.options
                        if str(o.prompt).startswith(f"{number}  "))

        await key("f2")
        screen = pilot.app.screen
        assert isinstance(screen, CallScreen)
        await typed(patient.phone[-10:])
        assert shown(screen, "#call-hint") == (
            "1 found: confirm the date of birth, then Enter.")
        await key("enter")  # this is the caller
        assert screen.patient is not None
        assert screen.patient.id == patient.id
        assert choice("3") == "3  Book a visit the physician ordered"
        await key("3")
        types = [v.code for v in panel(screen).visit_types]
        number = str(types.index("facet-diagnostic") + 1)
        assert choice(number).startswith(f"{number}  Diagnostic facet joint injection")
        await key(number)
        assert shown(screen, "#path-question") == "Which part of the spine will be injected?"
        assert choice("1") == "1  Low back (lumbar)"
        await key("1")
        assert shown(screen, "#path-question") == "Which levels?"
        await typed("L4-L5")
        await key("enter")  # a typed answer ends with Enter
        assert choice("1") == "1  Both sides"
        await key("1")
        assert choice("1").startswith("1  Offer times: Diagnostic facet joint injection")
        await key("enter")  # offer times
        offers = pilot.app.screen
        assert isinstance(offers, CallBookingDialog)
        assert "1-9 or Enter holds one" in shown(offers, "#callbook-note")
        await key("enter")  # hold the best one
        assert "Enter books it" in shown(offers, "#callbook-note")
        await key("enter")  # book it
        assert isinstance(pilot.app.screen, ReadBackDialog)
        assert "Where:" in pilot.app.screen.script.text
    assert keys == ["f2", "enter", "3", number, "1", "enter", "1", "enter", "enter", "enter"]
    assert len(keys) == 10  # the figure in the README
    booked = every(demo, select(Appointment.status, Appointment.levels).join(
        VisitType, col(VisitType.id) == Appointment.visit_type_id)
        .where(Appointment.patient_id == patient.id)
        .where(VisitType.code == "facet-diagnostic"))
    assert booked == [("booked", "L4-L5")]


# --------------------------------------------------------------------------- snapshots


class TestPathwaySnapshots:
    """The tiny practice; Testcase Casey made a Medicare patient for the payer's verdict."""

    @staticmethod
    async def _reported(pilot: Pilot[None], *answers: str) -> None:
        await settled(pilot)
        await pilot.press("f2")
        await quiet(pilot)
        await pilot.press(*"9185550111")
        await quiet(pilot)
        await pilot.press("enter")
        await quiet(pilot)
        assert isinstance(pilot.app.screen, CallScreen)
        assert pilot.app.screen.patient is not None
        await answer(pilot, "2", "1", "1", "L4-L5", "1", *answers)
        await steady_cursor(pilot)  # the caller's record is read meanwhile: timing varies

    def test_a_question_at_80x24(self, snap_compare: Any, sqlite_ctx: Context,
                                 practice: Any) -> None:
        set_payer(sqlite_ctx, practice.patient_id, "Medicare")

        async def asking(pilot: Pilot[None]) -> None:
            await self._reported(pilot, "77")

        assert snap_compare(app_for(sqlite_ctx), terminal_size=(80, 24), run_before=asking)

    def test_practice_and_payer_disagree_at_160x50(self, snap_compare: Any,
                                                    sqlite_ctx: Context,
                                                    practice: Any) -> None:
        set_payer(sqlite_ctx, practice.patient_id, "Medicare")

        async def advised(pilot: Pilot[None]) -> None:
            await self._reported(pilot, "77", "3 hours", "8", "2", "1", "1")

        assert snap_compare(app_for(sqlite_ctx), terminal_size=(160, 50), run_before=advised)

    def test_a_held_time_at_80x24(self, snap_compare: Any, sqlite_ctx: Context,
                                  practice: Any) -> None:
        async def held(pilot: Pilot[None]) -> None:
            await self._reported(pilot, "90", "4 hours", "1")
            await pilot.press("enter")
            await quiet(pilot)
            await pilot.press("enter")
            await quiet(pilot)

        assert snap_compare(app_for(sqlite_ctx), terminal_size=(80, 24), run_before=held)

    def test_the_read_back_at_80x24(self, snap_compare: Any, sqlite_ctx: Context,
                                    practice: Any) -> None:
        async def read(pilot: Pilot[None]) -> None:
            await self._reported(pilot, "90", "4 hours", "1")
            await pilot.press("enter")
            await quiet(pilot)
            await pilot.press("enter")
            await quiet(pilot)
            await pilot.press("enter")
            await quiet(pilot)

        assert snap_compare(app_for(sqlite_ctx), terminal_size=(80, 24), run_before=read)
