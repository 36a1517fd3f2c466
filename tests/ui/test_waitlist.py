"""The waitlist on screen (issue 21): a cancellation lists the matching waitlisted patients and
booking one removes them from the list; a caller is put on the waitlist from the call's offered
times; the waitlist screen offers an entry the open times that suit it; visit details' ``w``.
Asserted on the database."""

from __future__ import annotations

from sqlmodel import Session, col, select
from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from frontdesk.db.models import Appointment, Outreach, WaitlistEntry
from frontdesk.services.context import Context
from frontdesk.services.views import AppointmentView
from frontdesk.services.worklists import waitlist as wl
from frontdesk.ui.app import FrontDeskApp
from frontdesk.ui.calendar.board.table import DayTable
from frontdesk.ui.call.booking import CallBookingDialog
from frontdesk.ui.visit.cancel import CancelDialog
from frontdesk.ui.visit.details import DetailsScreen
from frontdesk.ui.widgets.readback import VisitReadBack
from frontdesk.ui.widgets.waitlist import OfferDialog, WaitlistMatches
from frontdesk.ui.widgets.waitlist_form import WaitlistForm
from frontdesk.ui.worklists.waitlist import RemoveDialog, WaitlistScreen
from tests.practice import Practice
from tests.services.test_waitlist import patient
from tests.ui.call_helpers import SLOW, quiet, shown
from tests.ui.conftest import settled

SHOTS: dict[str, str] = {}  # name -> svg, when a test is run with screenshots in mind


def entries(ctx: Context) -> list[WaitlistEntry]:
    with Session(ctx.engine) as session:
        return list(session.exec(select(WaitlistEntry).order_by(col(WaitlistEntry.id))).all())


def rows(screen: WaitlistMatches | WaitlistScreen, selector: str) -> list[str]:
    listing = screen.query_one(selector, OptionList)
    return [str(o.prompt) for o in listing.options]


def current(pilot: Pilot[None]) -> object:
    """The screen on top now (not narrowed by an earlier isinstance on it)."""
    return pilot.app.screen


async def settle(pilot: Pilot[None]) -> None:
    for _ in range(3):
        await quiet(pilot)


async def test_a_cancellation_lists_the_matching_waitlisted_patients_and_booking_one_removes_them(
    sqlite_ctx: Context, practice: Practice, booked: list[AppointmentView]
) -> None:
    p = practice
    first = patient(sqlite_ctx, "Waitfirst", seen=p)
    second = patient(sqlite_ctx, "Waitsecond", seen=p)
    wl.add(sqlite_ctx, staff=p.staff, patient_id=first, visit_type="follow-up")
    wl.add(sqlite_ctx, staff=p.staff, patient_id=second, visit_type="follow-up")
    wl.add(sqlite_ctx, staff=p.staff, patient_id=patient(sqlite_ctx, "Massageonly", seen=p),
           visit_type="massage")  # the freed exam time does not suit a massage
    async with FrontDeskApp(context=sqlite_ctx, poll_seconds=SLOW).run_test(
            size=(80, 24)) as pilot:
        board = await settled(pilot)
        board.query_one(DayTable).move_cursor(row=1)  # Sample's follow-up with Baker, 10:00
        await pilot.pause()
        await pilot.press("x")
        assert isinstance(pilot.app.screen, CancelDialog)
        await pilot.press(*"feeling better", "enter")
        await settle(pilot)

        matches = pilot.app.screen
        assert isinstance(matches, WaitlistMatches)
        listed = rows(matches, "#matches-list")
        assert [r.split(" · ")[0] for r in listed] == ["Waitfirst, T.", "Waitsecond, T."]
        assert "no visit yet · waiting since today" in listed[0]
        SHOTS["matches"] = pilot.app.export_screenshot()

        await pilot.press("enter")  # offer it to the first
        offer = pilot.app.screen
        assert isinstance(offer, OfferDialog)
        assert "Wednesday, March 10 at 10:00 AM, with Pat Baker, PA-C at Test Clinic" in shown(
            offer, "#offer-say")
        SHOTS["offer"] = pilot.app.export_screenshot()
        await pilot.press("enter")  # nothing chosen yet: nothing happens
        await settle(pilot)
        assert pilot.app.screen is offer
        await pilot.press("down", "enter")  # booked
        await settle(pilot)

        assert isinstance(pilot.app.screen, VisitReadBack)
        await pilot.press("escape")
        await settle(pilot)
        assert current(pilot) is matches
        # the booked patient left the list (and the time now taken suits nobody else)
        assert rows(matches, "#matches-list") == []
        assert "No waitlisted patients left to offer" in shown(matches, "#matches-note")

    stored = {e.patient_id: e for e in entries(sqlite_ctx)}
    assert stored[first].status == "booked"
    assert stored[second].status == "waiting"
    with Session(sqlite_ctx.engine) as session:
        appt = session.get(Appointment, stored[first].booked_appointment_id)
        assert appt is not None
        assert (appt.patient_id, appt.provider_id, appt.status) == (first, p.baker, "booked")
        assert appt.starts_at == booked[1].start
        assert [o.outcome for o in session.exec(select(Outreach))] == ["booked"]
        # a freed time filled: the report counts it among the slots refilled
        assert [o.subject.endswith("/refill") for o in session.exec(select(Outreach))] == [
            True]
    assert [e.patient_id for e in wl.waiting(sqlite_ctx, by=p.staff)] == [
        second, stored[max(stored)].patient_id]


async def test_an_offer_declined_is_recorded_and_the_patient_stays_listed(
    sqlite_ctx: Context, practice: Practice, booked: list[AppointmentView]
) -> None:
    p = practice
    waiting = patient(sqlite_ctx, "Waitfirst", seen=p)
    wl.add(sqlite_ctx, staff=p.staff, patient_id=waiting, visit_type="follow-up")
    async with FrontDeskApp(context=sqlite_ctx, poll_seconds=SLOW).run_test(
            size=(80, 24)) as pilot:
        board = await settled(pilot)
        board.query_one(DayTable).move_cursor(row=1)
        await pilot.pause()
        await pilot.press("x", *"moved away", "enter")
        await settle(pilot)
        matches = pilot.app.screen
        assert isinstance(matches, WaitlistMatches)
        await pilot.press("enter", "down", "down", "enter")  # declined
        await settle(pilot)
        assert current(pilot) is matches
        assert [r.split(" · ")[0] for r in rows(matches, "#matches-list")] == ["Waitfirst, T."]
    with Session(sqlite_ctx.engine) as session:
        assert [o.outcome for o in session.exec(select(Outreach))] == ["offered-declined"]
    assert entries(sqlite_ctx)[0].status == "waiting"


async def test_a_cancel_nobody_waits_for_shows_no_list(
    sqlite_ctx: Context, booked: list[AppointmentView]
) -> None:
    async with FrontDeskApp(context=sqlite_ctx, poll_seconds=SLOW).run_test(
            size=(80, 24)) as pilot:
        await settled(pilot)
        await pilot.press("x", *"called off", "enter")
        await settle(pilot)
        assert not isinstance(pilot.app.screen, WaitlistMatches)


async def test_the_caller_is_put_on_the_waitlist_from_the_offered_times(
    sqlite_ctx: Context, practice: Practice
) -> None:
    p = practice
    async with FrontDeskApp(context=sqlite_ctx, poll_seconds=SLOW).run_test(
            size=(80, 24)) as pilot:
        await settled(pilot)
        await pilot.press("f2")
        await quiet(pilot)
        await pilot.press(*"9185550111")
        await quiet(pilot)
        await pilot.press("enter")  # the caller
        await quiet(pilot)
        await pilot.press("3")  # a visit the physician ordered
        await quiet(pilot)
        listing = pilot.app.focused
        assert isinstance(listing, OptionList)
        number = next(str(o.prompt)[0] for o in listing.options
                      if "Follow-up" in str(o.prompt))
        await pilot.press(number)
        await quiet(pilot)
        await pilot.press("enter")  # offer times
        await quiet(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, CallBookingDialog)
        assert "w if they want an earlier time" in shown(dialog, "#callbook-note")

        await pilot.press("w")
        await quiet(pilot)
        form = pilot.app.screen
        assert isinstance(form, WaitlistForm)
        await pilot.press("space")  # Test Clinic ticked
        await pilot.press("tab", *"mon-wed", "tab", *"8", "tab", *"12")
        await pilot.press("tab", *"in 3 weeks")
        for field in form.query(Input):
            field.cursor_blink = False
        await pilot.pause()
        SHOTS["form"] = pilot.app.export_screenshot()
        await pilot.press("enter")
        await quiet(pilot)
        assert current(pilot) is dialog
        assert "On the waitlist: Follow-up · Test Clinic · Mon, Tue, Wed · 08:00–12:00" in (
            shown(dialog, "#callbook-note"))

    (entry,) = entries(sqlite_ctx)
    assert (entry.patient_id, entry.status, entry.location_ids, entry.weekdays) == (
        p.patient_id, "waiting", [p.location_id], [0, 1, 2])
    assert (entry.earliest.hour if entry.earliest else None, entry.until) == (
        8, sqlite_ctx.now().date().replace(day=31))


async def test_a_bad_time_in_the_form_is_said_next_to_it(
    sqlite_ctx: Context, practice: Practice, booked: list[AppointmentView]
) -> None:
    async with FrontDeskApp(context=sqlite_ctx, poll_seconds=SLOW).run_test(
            size=(80, 24)) as pilot:
        board = await settled(pilot)
        board.query_one(DayTable).move_cursor(row=1)
        await pilot.pause()
        await pilot.press("enter")  # details
        await quiet(pilot)
        assert isinstance(pilot.app.screen, DetailsScreen)
        await pilot.press("w")
        await quiet(pilot)
        form = pilot.app.screen
        assert isinstance(form, WaitlistForm)
        await pilot.press("tab", "tab", *"14", "tab", *"9", "enter")
        await quiet(pilot)
        assert shown(form, "#waitlist-form-error") == "From 14:00 must be before To 09:00"
        await pilot.press("backspace", *"17", "enter")
        await quiet(pilot)
        assert isinstance(pilot.app.screen, DetailsScreen)
    (entry,) = entries(sqlite_ctx)
    assert entry.appointment_id == booked[1].id


async def test_the_waitlist_screen_offers_open_times_and_removes_with_a_reason(
    sqlite_ctx: Context, practice: Practice
) -> None:
    p = practice
    kept = wl.add(sqlite_ctx, staff=p.staff, patient_id=p.patient_id, visit_type="follow-up",
                  weekdays=[3]).entry
    gone = wl.add(sqlite_ctx, staff=p.staff, patient_id=p.other_patient_id,
                  visit_type="med-management").entry
    app = FrontDeskApp(context=sqlite_ctx, poll_seconds=SLOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        assert app.backend is not None
        screen = WaitlistScreen(app.backend)
        await app.push_screen(screen)
        await settle(pilot)
        assert [r.split(" · ")[0] for r in rows(screen, "#waitlist-table")] == [
            "Testcase, C.", "Sample, J."]
        SHOTS["waitlist"] = pilot.app.export_screenshot()

        await pilot.press("enter")  # open times for Testcase: Thursdays
        await settle(pilot)
        times = pilot.app.screen
        assert isinstance(times, WaitlistMatches)
        assert rows(times, "#matches-list")[0].startswith("Thu 11 Mar 08:00")
        await pilot.press("enter", "down", "enter")  # offer the first, booked
        await settle(pilot)
        assert isinstance(pilot.app.screen, VisitReadBack)
        await pilot.press("escape")
        await settle(pilot)
        assert rows(times, "#matches-list") == []
        await pilot.press("escape")
        await settle(pilot)
        assert current(pilot) is screen
        assert [r.split(" · ")[0] for r in rows(screen, "#waitlist-table")] == ["Sample, J."]

        await pilot.press("x")
        assert isinstance(pilot.app.screen, RemoveDialog)
        await pilot.press(*"found a time elsewhere", "enter")
        await settle(pilot)
        assert rows(screen, "#waitlist-table") == []
    status = {e.id: e.status for e in entries(sqlite_ctx)}
    assert status == {kept.id: "booked", gone.id: "removed"}
    with Session(sqlite_ctx.engine) as session:  # an open time found: no refill
        assert [o.subject.endswith("/refill") for o in session.exec(select(Outreach))] == [
            False]


async def test_hours_opened_in_the_editor_list_who_can_come_then(
    sqlite_ctx: Context, practice: Practice
) -> None:
    from frontdesk.ui.schedule.forms import TemplateForm
    from frontdesk.ui.schedule.screen import ScheduleEditorScreen

    p = practice
    wl.add(sqlite_ctx, staff=p.staff, patient_id=p.patient_id, visit_type="follow-up",
           weekdays=[5])  # Saturdays
    app = FrontDeskApp(context=sqlite_ctx, poll_seconds=SLOW, staff="sched")
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        assert app.backend is not None
        await app.push_screen(ScheduleEditorScreen(app.backend, provider_id=p.able))
        await settle(pilot)
        await pilot.press("a")
        assert isinstance(pilot.app.screen, TemplateForm)
        await pilot.press(*"Sat", "tab", *"9", "tab", *"12", "enter")
        await settle(pilot)
        matches = pilot.app.screen
        assert isinstance(matches, WaitlistMatches)
        assert "time opened for Dr. Avery Able" in shown(matches, "#matches-title")
        assert [r.split(" · ")[0] for r in rows(matches, "#matches-list")] == ["Testcase, C."]
        await pilot.press("enter")
        assert "Saturday, March 13 at 9:00 AM" in shown(pilot.app.screen, "#offer-say")


async def test_in_a_call_a_visit_is_wanted_earlier_and_a_cancel_lists_the_waiting(
    sqlite_ctx: Context, practice: Practice
) -> None:
    from frontdesk.ui.call.visits import VisitsPanel
    from tests.ui.conftest import THU_TEN, book

    p = practice
    later = book(sqlite_ctx, p, patient=p.patient_id, visit="follow-up", provider=p.able,
                 start=THU_TEN.replace(day=24))
    sooner = book(sqlite_ctx, p, patient=p.patient_id, visit="med-management",
                  provider=p.baker, start=THU_TEN)
    waiting = patient(sqlite_ctx, "Waitfirst", seen=p)
    wl.add(sqlite_ctx, staff=p.staff, patient_id=waiting, visit_type="med-management")
    async with FrontDeskApp(context=sqlite_ctx, poll_seconds=SLOW).run_test(
            size=(80, 24)) as pilot:
        await settled(pilot)
        await pilot.press("f2")
        await quiet(pilot)
        await pilot.press(*"9185550111")
        await quiet(pilot)
        await pilot.press("enter")
        await quiet(pilot)
        await pilot.press("4")  # reschedule or cancel
        await quiet(pilot)
        screen = pilot.app.screen
        visits = screen.query_one(VisitsPanel)
        assert [v.id for v in visits.visits] == [sooner.id, later.id]
        assert "w wanted earlier" in shown(visits, "#visits-title")
        await pilot.press("down", "w")
        await quiet(pilot)
        form = pilot.app.screen
        assert isinstance(form, WaitlistForm)
        await pilot.press("ctrl+s")
        await quiet(pilot)
        assert current(pilot) is screen

        await pilot.press("up", "x")  # cancel the med-management visit
        await quiet(pilot)
        assert isinstance(pilot.app.screen, CancelDialog)
        await pilot.press(*"feeling better", "enter")
        await settle(pilot)
        # the caller is still on the line: how many, now; the list once the call ends
        assert current(pilot) is screen
        said = [n.message for n in pilot.app._notifications]
        assert "2 on the waitlist could take the freed time: listed when this call ends." in said
        await pilot.press("ctrl+f")
        await quiet(pilot)
        await pilot.press("enter")  # the call's outcome: what it did (cancelled a visit)
        for _ in range(10):
            await settle(pilot)
            if isinstance(current(pilot), WaitlistMatches):
                break
        matches = pilot.app.screen
        assert isinstance(matches, WaitlistMatches)
        # the one with no visit yet first; then the caller's own follow-up, 13 days sooner
        listed = rows(matches, "#matches-list")
        assert [r.split(" · ")[0] for r in listed] == ["Waitfirst, T.", "Testcase, C."]
        assert "13 days sooner than Wed 24 Mar" in listed[1]
    held = [e for e in entries(sqlite_ctx) if e.patient_id == p.patient_id]
    assert [(e.appointment_id, e.status) for e in held] == [(later.id, "waiting")]


async def test_a_visit_moved_in_the_day_view_offers_its_old_time(
    sqlite_ctx: Context, practice: Practice, booked: list[AppointmentView]
) -> None:
    from frontdesk.ui.calendar.day.screen import DayViewScreen

    p = practice
    wl.add(sqlite_ctx, staff=p.staff, patient_id=patient(sqlite_ctx, "Waitfirst", seen=p),
           visit_type="follow-up")
    async with FrontDeskApp(context=sqlite_ctx, poll_seconds=SLOW).run_test(
            size=(80, 24)) as pilot:
        await settled(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(pilot.app.screen, DayViewScreen)
        await pilot.press(*["down"] * 4, "m", *["down"] * 4, "enter")  # 10:00 → 11:00
        await settle(pilot)
        assert isinstance(pilot.app.screen, VisitReadBack)  # for the caller first
        await pilot.press("enter")
        await settle(pilot)
        matches = current(pilot)
        assert isinstance(matches, WaitlistMatches)
        assert shown(matches, "#matches-title").startswith(
            "Waitlist matches · moved: Wed 10 Mar 10:00–10:30 · Dr. Avery Able")
        assert [r.split(" · ")[0] for r in rows(matches, "#matches-list")] == ["Waitfirst, T."]
