"""Acting from the day view's grid — status keys, cancel, details, moving a visit in the grid or
to an offered slot, pickers and the visit-type filter — asserted on the database afterwards."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from textual.message import Message
from textual.notifications import Notification, Notify
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static

from frontdesk.domain.model import Status
from frontdesk.services import scheduling
from frontdesk.services.context import Context
from frontdesk.services.views import AppointmentView
from frontdesk.ui.app import FrontDeskApp
from frontdesk.ui.calendar.day.book import BookDialog
from frontdesk.ui.calendar.day.grid import CalendarGrid
from frontdesk.ui.calendar.day.screen import DayViewScreen
from frontdesk.ui.calendar.week.layout import Mode
from frontdesk.ui.calendar.week.screen import WeekViewScreen
from frontdesk.ui.schedule.screen import ScheduleEditorScreen
from frontdesk.ui.visit.cancel import CancelDialog
from frontdesk.ui.visit.details import DetailsScreen
from frontdesk.ui.visit.offers import SlotOffers
from frontdesk.ui.widgets.booking import BookingQuestion, ProcedureDialog
from frontdesk.ui.widgets.override import OverrideDialog
from frontdesk.ui.widgets.pickers import ProviderPicker
from frontdesk.ui.widgets.readback import VisitReadBack
from tests.practice import Practice
from tests.ui.conftest import book, choose_visit_type, settled, text_of
from tests.ui.test_actions import SLOW, audit, stored
from tests.ui.test_day_view import day_view, drawn

ELEVEN = datetime(2027, 3, 10, 17, 0, tzinfo=UTC)  # Wed 10 Mar 2027 11:00 in Tulsa


def notes(seen: list[Message]) -> list[Notification]:
    return [m.notification for m in seen if isinstance(m, Notify)]


async def on_testcase(pilot: Pilot[None]) -> DayViewScreen:
    """The day view with the cursor on Testcase's 10:00 block in Dr. Able's column."""
    await settled(pilot)
    await pilot.press("d")
    screen = await day_view(pilot)
    await pilot.press(*["down"] * 4)  # 09:00 (now) → 10:00
    assert screen.selected is not None
    assert screen.selected.patient_short == "Testcase, C."
    return screen


async def acted(pilot: Pilot[None], read_back: list[str] | None = None) -> DayViewScreen:
    """Wait until the change is written and the grid shows the day read after it. A booking
    or move shows the read-back: its text goes to ``read_back`` and Enter closes it."""
    for _ in range(200):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        screen = pilot.app.screen
        if isinstance(screen, VisitReadBack):
            if read_back is not None:
                read_back.append(screen.script.text)
            await pilot.press("enter")
            continue
        if isinstance(screen, DayViewScreen) and not screen.acting and screen.up_to_date:
            return screen
    raise AssertionError("the action never finished")


def app_for(ctx: Context, *, staff: str | None = None) -> FrontDeskApp:
    return FrontDeskApp(context=ctx, poll_seconds=SLOW, staff=staff)


async def test_status_keys_act_on_the_visit_under_the_cursor(
    sqlite_ctx: Context, booked: list[AppointmentView]
) -> None:
    seen: list[Message] = []
    async with app_for(sqlite_ctx).run_test(size=(80, 24), message_hook=seen.append) as pilot:
        await on_testcase(pilot)
        await pilot.press("i")
        screen = await acted(pilot)
        assert "I 10:00 Testcase, C." in drawn(screen)
        await pilot.press("o")
        screen = await acted(pilot)
        assert "D 10:00 Testcase, C." in drawn(screen)
    assert stored(sqlite_ctx, booked[0].id).status == Status.COMPLETED.value
    assert [a[2] for a in audit(sqlite_ctx, booked[0].id)] == ["booked", "checked_in",
                                                               "completed"]
    assert [n.message for n in notes(seen)] == [
        "Checked in: Wed 10 Mar 10:00–10:30.",
        "Marked done: Wed 10 Mar 10:00–10:30."]


async def test_visit_keys_are_greyed_out_on_a_free_cell_and_book_is_not(
    sqlite_ctx: Context, booked: list[AppointmentView]
) -> None:
    async with app_for(sqlite_ctx).run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        await pilot.press("d")
        screen = await day_view(pilot)  # the cursor is on 09:00, free
        assert screen.selected is None
        for action, params in (("set_status", ("checked_in",)), ("cancel_visit", ()),
                               ("details", ()), ("move_visit", ()), ("offer_slots", ())):
            assert screen.check_action(action, params) is None
        assert screen.check_action("book_here", ()) is True
        footer = {a.binding.action for a in screen.active_bindings.values() if a.enabled}
        assert "book_here" in footer
        assert "move_visit" not in footer
        await pilot.press("n")  # no-show on nothing: nothing happens
        await pilot.app.workers.wait_for_complete()
    assert stored(sqlite_ctx, booked[0].id).status == Status.BOOKED.value


async def test_x_cancels_with_a_reason_flagged_late_and_enter_shows_details(
    sqlite_ctx: Context, booked: list[AppointmentView]
) -> None:
    async with app_for(sqlite_ctx).run_test(size=(80, 24)) as pilot:
        await on_testcase(pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(pilot.app.screen, DetailsScreen)
        await pilot.press("escape")
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(pilot.app.screen, CancelDialog)
        await pilot.press(*"feeling better")
        await pilot.press("enter")
        screen = await acted(pilot)
        assert "Testcase" not in drawn(screen)  # cancelled visits leave the grid
        assert "1 cancelled (not drawn)" in text_of(screen, "#day-summary")
    row = stored(sqlite_ctx, booked[0].id)
    assert (row.status, row.cancel_reason, row.late_cancel) == ("cancelled", "feeling better",
                                                                 True)


async def test_m_then_enter_moves_the_visit_to_the_cursors_time(
    sqlite_ctx: Context, booked: list[AppointmentView]
) -> None:
    seen: list[Message] = []
    async with app_for(sqlite_ctx).run_test(size=(80, 24), message_hook=seen.append) as pilot:
        screen = await on_testcase(pilot)
        await pilot.press("m")
        assert screen.moving is not None
        assert text_of(screen, "#day-summary").startswith(
            "Moving Testcase, C. · Diagnostic facet joint injection from Wed 10 Mar 10:00")
        assert screen.check_action("set_status", ("checked_in",)) is None  # only moving now
        await pilot.press(*["down"] * 4)
        assert text_of(screen, "#day-detail").startswith(
            "Enter: move Testcase, C. to 11:00 with Dr. Avery Able")
        await pilot.press("enter")
        read: list[str] = []
        screen = await acted(pilot, read)
        assert screen.moving is None
        assert "B 11:00 Testcase, C." in drawn(screen)
        assert read == [scheduling_read_back(sqlite_ctx, booked[0].id, moved=True)]
        assert read[0].startswith("Your diagnostic facet joint injection")
        assert "is moved to a new time.\nWhen: Wednesday, March 10, at 11:00 AM (about 30 " \
               "minutes)." in read[0]
        assert "Arrive by: 10:30 AM (30 minutes early)." in read[0]
        assert "10:00 Testcase" not in drawn(screen)
    row = stored(sqlite_ctx, booked[0].id)
    assert row.starts_at == ELEVEN
    assert row.version == 2
    assert audit(sqlite_ctx, booked[0].id)[-1] == ("appointment.reschedule", "desk", "booked")
    assert notes(seen)[-1].message == (
        "Moved the visit to Wed 10 Mar 11:00–11:30 with Dr. Avery Able at Test Clinic.")


async def test_a_visit_moves_to_another_day_and_provider(
    sqlite_ctx: Context, practice: Practice, booked: list[AppointmentView]
) -> None:
    async with app_for(sqlite_ctx).run_test(size=(80, 24)) as pilot:
        screen = await on_testcase(pilot)
        await pilot.press("tab", "m")  # Sample's follow-up in Pat Baker's column
        assert screen.moving is not None
        assert screen.moving.id == booked[1].id
        await pilot.press("right")  # Thursday
        screen = await day_view(pilot)
        await pilot.press("shift+tab", "enter")  # the same time on Thursday, with Dr. Able
        await acted(pilot)
    row = stored(sqlite_ctx, booked[1].id)
    assert row.provider_id == practice.able
    assert row.starts_at == datetime(2027, 3, 11, 16, 0, tzinfo=UTC)


async def test_moving_onto_a_busy_time_says_why_and_keeps_the_visit_picked_up(
    sqlite_ctx: Context, practice: Practice, booked: list[AppointmentView]
) -> None:
    other = book(sqlite_ctx, practice, patient=practice.other_patient_id, visit="follow-up",
                 provider=practice.able, start=ELEVEN)
    seen: list[Message] = []
    async with app_for(sqlite_ctx).run_test(size=(80, 24), message_hook=seen.append) as pilot:
        screen = await on_testcase(pilot)
        await pilot.press("m", *["down"] * 4, "enter")  # onto the 11:00 follow-up
        await acted(pilot)
        assert screen.moving is not None  # still picked up: another time may be tried
        assert screen.moving.id == booked[0].id
        assert text_of(screen, "#day-summary") == (
            "That time does not fit: Dr. Avery Able has another visit then. Still moving "
            "Testcase, C.: cursor to another time, Enter; Esc stops.")
        await pilot.press("escape")
        assert screen.moving is None
    assert stored(sqlite_ctx, booked[0].id).starts_at == booked[0].start
    assert stored(sqlite_ctx, booked[0].id).version == 1
    assert stored(sqlite_ctx, other.id).starts_at == ELEVEN
    refused = notes(seen)[0]
    assert refused.severity == "warning"
    assert refused.message.startswith(
        "That time does not fit: Dr. Avery Able has another visit then; nothing was changed. "
        "Next free:")
    assert "just taken" not in refused.message


async def test_moving_outside_working_hours_says_why(
    sqlite_ctx: Context, booked: list[AppointmentView]
) -> None:
    seen: list[Message] = []
    async with app_for(sqlite_ctx).run_test(size=(80, 24), message_hook=seen.append) as pilot:
        await on_testcase(pilot)
        await pilot.press("m", *["down"] * 9, "enter")  # 12:15: lunch
        await acted(pilot)
    assert stored(sqlite_ctx, booked[0].id).version == 1
    [note] = notes(seen)
    assert note.severity == "error"
    assert "not within Dr. Avery Able's hours at Test Clinic" in note.message


async def test_escape_stops_moving_without_changing_anything(
    sqlite_ctx: Context, booked: list[AppointmentView]
) -> None:
    async with app_for(sqlite_ctx).run_test(size=(80, 24)) as pilot:
        screen = await on_testcase(pilot)
        await pilot.press("m", "down", "escape")
        assert screen.moving is None
        assert pilot.app.screen is screen  # still on the day view
        assert text_of(screen, "#day-summary") == "2 visits · 2 providers working"
    assert stored(sqlite_ctx, booked[0].id).version == 1


async def test_s_offers_free_slots_and_enter_moves_the_visit_there(
    sqlite_ctx: Context, practice: Practice, booked: list[AppointmentView]
) -> None:
    async with app_for(sqlite_ctx).run_test(size=(80, 24)) as pilot:
        await on_testcase(pilot)
        await pilot.press("s")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        offers = pilot.app.screen
        assert isinstance(offers, SlotOffers)
        assert offers.slots, "free slots are offered"
        assert all(s.provider_id == practice.able for s in offers.slots[:3])  # same doctor first
        await pilot.press("down", "enter")
        await acted(pilot)
        chosen = offers.slots[1]
    row = stored(sqlite_ctx, booked[0].id)
    assert (row.starts_at, row.provider_id) == (chosen.start, chosen.provider_id)
    assert audit(sqlite_ctx, booked[0].id)[-1][0] == "appointment.reschedule"


async def test_a_visit_changed_elsewhere_is_not_overwritten(
    sqlite_ctx: Context, booked: list[AppointmentView]
) -> None:
    seen: list[Message] = []
    async with app_for(sqlite_ctx).run_test(size=(80, 24), message_hook=seen.append) as pilot:
        await on_testcase(pilot)
        scheduling.reschedule(sqlite_ctx, staff="desk", appointment_id=booked[0].id,
                              start=ELEVEN)  # another terminal, while the grid is open
        await pilot.press("i")
        screen = await acted(pilot)
        assert "B 11:00 Testcase, C." in drawn(screen)  # the fresh state
    assert stored(sqlite_ctx, booked[0].id).status == Status.BOOKED.value
    [note] = notes(seen)
    assert note.severity == "warning"
    assert note.message.startswith("The visit was changed by someone else meanwhile (now "
                                   "booked, Wed 10 Mar 11:00–11:30); nothing was changed.")


async def test_pagedown_moves_a_week_and_g_goes_to_a_date_in_words(
    sqlite_ctx: Context, booked: list[AppointmentView]
) -> None:
    async with app_for(sqlite_ctx).run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        await pilot.press("d")
        screen = await day_view(pilot)
        await pilot.press("pagedown")
        screen = await day_view(pilot)
        assert screen.day == date(2027, 3, 17)
        await pilot.press("pageup", "pageup")
        screen = await day_view(pilot)
        assert screen.day == date(2027, 3, 3)
        await pilot.press("g")
        await pilot.pause()
        pilot.app.screen.query_one(Input).value = "next fri"
        await pilot.press("enter")
        screen = await day_view(pilot)
        assert screen.day == date(2027, 3, 12)
        assert text_of(screen, "#day-title").startswith("Day view · Fri 12 Mar 2027 ·")


async def test_v_shows_one_visit_type_plainly_and_the_others_faint(
    sqlite_ctx: Context, booked: list[AppointmentView]
) -> None:
    async with app_for(sqlite_ctx).run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        await pilot.press("d")
        screen = await day_view(pilot)
        await choose_visit_type(pilot, "follow-up")
        assert text_of(screen, "#day-title").endswith("· Follow-up")
        lines = drawn(screen).splitlines()
        ten = next(line for line in lines if line.startswith("10:00"))
        able, baker = ten.split("│")[1:3]
        assert able.startswith("·B 10:00 Testcase")  # faint, no colour bar
        assert baker.startswith("▌B 10:00 Sample")


async def test_shift_p_jumps_to_a_providers_column_or_opens_their_week(
    sqlite_ctx: Context, practice: Practice, booked: list[AppointmentView]
) -> None:
    async with app_for(sqlite_ctx).run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        await pilot.press("d")
        screen = await day_view(pilot)
        grid = screen.query_one(CalendarGrid)
        await pilot.press("P")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        picker = pilot.app.screen
        assert isinstance(picker, ProviderPicker)
        names = [name for _, name in picker.choices]
        picker.query_one(OptionList).highlighted = names.index("Pat Baker, PA-C")
        await pilot.press("enter")
        await pilot.pause()
        assert grid.cols[grid.col].provider_id == practice.baker
        await pilot.press("P")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        picker = pilot.app.screen
        assert isinstance(picker, ProviderPicker)
        picker.query_one(OptionList).highlighted = names.index("Tess Cole, LMT")
        await pilot.press("enter")
        await pilot.pause()
        week = pilot.app.screen
        assert isinstance(week, WeekViewScreen)  # she has no hours here: her week
        assert (week.mode, week.subject) == (Mode.PROVIDER, practice.cole)


async def test_e_opens_the_cursors_providers_weekly_hours(
    sqlite_ctx: Context, practice: Practice, booked: list[AppointmentView]
) -> None:
    async with app_for(sqlite_ctx, staff=practice.scheduler).run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        await pilot.press("d")
        await day_view(pilot)
        await pilot.press("tab", "e")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        editor = pilot.app.screen
        assert isinstance(editor, ScheduleEditorScreen)
        assert editor.provider_id == practice.baker
        await pilot.press("escape")
        assert isinstance(pilot.app.screen, DayViewScreen)


async def test_a_receptionist_finds_the_hours_key_greyed_out(
    sqlite_ctx: Context, practice: Practice, booked: list[AppointmentView]
) -> None:
    async with app_for(sqlite_ctx, staff=practice.staff).run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        await pilot.press("d")
        screen = await day_view(pilot)
        assert screen.check_action("edit_schedule", ()) is None  # shown greyed, does nothing
        titles = [c.title for c in pilot.app.get_system_commands(screen)]
        assert "Day view: week" in titles
        assert "Day view: weekly hours and closures" not in titles
        await pilot.press("tab", "e")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert pilot.app.screen is screen


async def open_booking(pilot: Pilot[None], *keys: str) -> BookDialog:
    """From the day view, move with ``keys`` onto free time and press b."""
    await settled(pilot)
    await pilot.press("d")
    await day_view(pilot)
    await pilot.press(*keys, "b")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    dialog = pilot.app.screen
    assert isinstance(dialog, BookDialog)
    return dialog


async def search(pilot: Pilot[None], dialog: BookDialog, text: str) -> None:
    await pilot.press(*text)
    for _ in range(50):
        await pilot.pause(0.05)
        await pilot.app.workers.wait_for_complete()
        if dialog.found or "Nobody found" in str(dialog.query_one("#book-note", Static).render()):
            return


async def test_b_books_a_patient_on_free_time_with_a_visit_that_fits(
    sqlite_ctx: Context, practice: Practice, booked: list[AppointmentView]
) -> None:
    seen: list[Message] = []
    async with app_for(sqlite_ctx).run_test(size=(80, 24), message_hook=seen.append) as pilot:
        dialog = await open_booking(pilot, *["down"] * 10)  # 11:30, Dr. Able
        assert dialog.slot == "Wed 10 Mar 11:30 · Dr. Avery Able · Test Clinic"
        assert [v.code for v in dialog.visit_types] == [
            "follow-up", "facet-diagnostic", "facet-therapeutic", "rfa-consult",
            "trigger-point", "med-management"]  # no 60-minute visits before lunch
        await search(pilot, dialog, "sample")
        assert [p.last_name for p in dialog.found] == ["Sample"]
        note = str(dialog.query_one("#book-note", Static).render())
        assert note.startswith("1 found")
        options = dialog.query_one("#book-patients", OptionList)
        assert "born 2 Nov 1982 · (918) 555-0122" in str(options.get_option_at_index(0).prompt)
        await pilot.press("enter")  # the one found: Sample
        assert dialog.patient is not None
        await pilot.press("down", "enter")  # the diagnostic facet injection
        details = pilot.app.screen
        assert isinstance(details, ProcedureDialog)  # where: asked before anything is booked
        assert text_of(details, "#procedure-ask") == "Which part of the spine will be injected?"
        await pilot.press("enter")  # low back (lumbar)
        assert text_of(details, "#procedure-ask") == "Which levels?"
        await pilot.press(*"L4-L5, L5-S1", "enter")
        assert text_of(details, "#procedure-ask") == "Which side?"
        await pilot.press("down", "enter")  # left
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert text_of(details, "#procedure-ask") == "lumbar L4-L5, L5-S1 left"
        assert text_of(details, "#procedure-verdict") == (
            "Payer rules: the patient's plan has none for this visit (e.g. self-pay).\n"
            "Enter books it · Esc: back")
        await pilot.press("enter")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        warned = pilot.app.screen  # Sample already has a follow-up this morning
        assert isinstance(warned, BookingQuestion)
        assert text_of(warned, "#confirm-text") == (
            "⚠ Same day: the patient already has a follow-up at Wed Mar 10 10:00 at Test "
            "Clinic.")
        assert scheduling.appointments_on(sqlite_ctx, day=date(2027, 3, 10)) == booked
        await pilot.press("enter")  # book it anyway
        read: list[str] = []
        screen = await acted(pilot, read)
        assert "B 11:30 Sample, J." in drawn(screen)
    rows = scheduling.appointments_on(sqlite_ctx, day=date(2027, 3, 10))
    new = next(a for a in rows if a.local_start.hour == 11)
    assert (new.patient_id, new.visit_type_code, new.provider_id) == (
        practice.other_patient_id, "facet-diagnostic", practice.able)
    assert (new.region, new.levels, new.side) == ("lumbar", "L4-L5, L5-S1", "left")
    assert audit(sqlite_ctx, new.id) == [("appointment.book", "desk", "booked")]
    assert notes(seen)[-1].message.startswith("Booked: Diagnostic facet joint")
    assert read == [scheduling_read_back(sqlite_ctx, new.id)]
    assert read[0].startswith("You are booked for a diagnostic facet joint injection (medial "
                              "branch block) (lumbar L4-L5, L5-S1 left).")


def scheduling_read_back(ctx: Context, appointment_id: int, *, moved: bool = False) -> str:
    from frontdesk.services.readback import read_back

    return read_back(ctx, appointment_id, moved=moved).text


async def test_booking_dialog_says_when_nobody_matches_and_escape_books_nothing(
    sqlite_ctx: Context, booked: list[AppointmentView]
) -> None:
    async with app_for(sqlite_ctx).run_test(size=(80, 24)) as pilot:
        dialog = await open_booking(pilot, *["down"] * 10)
        await search(pilot, dialog, "zzzz")
        assert "Nobody found" in str(dialog.query_one("#book-note", Static).render())
        await pilot.press("escape")
        assert isinstance(pilot.app.screen, DayViewScreen)
    assert len(scheduling.appointments_on(sqlite_ctx, day=date(2027, 3, 10))) == 2


async def test_b_on_time_nothing_fits_says_why_and_opens_nothing(
    sqlite_ctx: Context, booked: list[AppointmentView]
) -> None:
    seen: list[Message] = []
    async with app_for(sqlite_ctx).run_test(size=(80, 24), message_hook=seen.append) as pilot:
        await settled(pilot)
        await pilot.press("d")
        await day_view(pilot)
        await pilot.press("down", "b")  # 09:15: inside the minimum notice
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(pilot.app.screen, DayViewScreen)
    assert notes(seen)[-1].message == (
        "Nothing can be booked there: that time is inside the minimum notice of 60 minutes.")


class TestBookingSnapshots:
    def test_book_dialog_at_80x24(self, snap_compare: Any, sqlite_ctx: Context,
                                  booked: list[AppointmentView]) -> None:
        async def choose(pilot: Pilot[None]) -> None:
            dialog = await open_booking(pilot, *["down"] * 10)
            await search(pilot, dialog, "test")

        assert snap_compare(app_for(sqlite_ctx), terminal_size=(80, 24), run_before=choose)

    def test_moving_at_80x24(self, snap_compare: Any, sqlite_ctx: Context,
                             booked: list[AppointmentView]) -> None:
        async def moving(pilot: Pilot[None]) -> None:
            await on_testcase(pilot)
            await pilot.press("m", "down", "down")

        assert snap_compare(app_for(sqlite_ctx), terminal_size=(80, 24), run_before=moving)


async def test_b_for_a_procedure_shows_the_payer_verdict_and_asks_for_an_override(
    sqlite_ctx: Context, practice: Practice, booked: list[AppointmentView]
) -> None:
    from tests.ui.test_call_pathway import set_payer

    set_payer(sqlite_ctx, practice.other_patient_id, "Medicare")
    async with app_for(sqlite_ctx, staff="desk").run_test(size=(80, 24)) as pilot:
        dialog = await open_booking(pilot, *["down"] * 10)  # 11:30, Dr. Able
        await search(pilot, dialog, "sample")
        await pilot.press("enter", "down", "enter")  # Sample, diagnostic block
        details = pilot.app.screen
        assert isinstance(details, ProcedureDialog)
        await pilot.press("enter", *"L3-L4, L4-L5, L5-S1", "enter", "enter")  # lumbar, both
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        verdict = text_of(details, "#procedure-verdict")
        assert verdict.startswith(  # the words the call shows, from the same payer check
            "✗ Medicare (Novitas): at most 2 levels per session (3 asked)\n"
            "⚠ Booking this anyway needs an override by someone allowed to override payer "
            "rules, with a reason.")
        await pilot.press("enter")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        override = pilot.app.screen
        assert isinstance(override, OverrideDialog)
        assert text_of(override, "#override-problems") == (
            "Medicare (Novitas): at most 2 levels per session (3 asked)")
        await pilot.press("escape")
        await acted(pilot)
    assert scheduling.appointments_on(sqlite_ctx, day=date(2027, 3, 10)) == booked


async def test_b_for_a_first_visit_asks_whether_the_physician_ordered_it(
    sqlite_ctx: Context, practice: Practice, booked: list[AppointmentView]
) -> None:
    from frontdesk.db.engine import run_write
    from frontdesk.db.models import Patient

    def work(session: Any) -> int:
        patient = Patient(first_name="Robin", last_name="Newcomb", dob=date(1990, 1, 2),
                          phone="+19185550177", payer="BlueCross",
                          created_at=datetime(2027, 3, 1, tzinfo=UTC))
        session.add(patient)
        session.flush()
        return patient.id or 0

    newcomer = run_write(sqlite_ctx.engine, work)
    async with app_for(sqlite_ctx, staff="desk").run_test(size=(80, 24)) as pilot:
        dialog = await open_booking(pilot, *["down"] * 10)  # 11:30, Dr. Able
        await search(pilot, dialog, "newcomb")
        await pilot.press("enter", "enter")  # Newcomb, a follow-up
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        asked = pilot.app.screen
        assert isinstance(asked, BookingQuestion)
        assert text_of(asked, "#confirm-text") == (
            "This would be a first visit for this patient: a first visit is the "
            "new-patient evaluation, unless a physician ordered this visit (then say so: "
            "ordered by the physician).")
        await pilot.press("enter")  # ordered by the physician
        await acted(pilot)
    [new] = [a for a in scheduling.appointments_on(sqlite_ctx, day=date(2027, 3, 10))
             if a.patient_id == newcomer]
    assert new.visit_type_code == "follow-up"


async def test_m_warns_of_the_patients_other_visit_that_day_and_reads_back(
    sqlite_ctx: Context, practice: Practice, booked: list[AppointmentView]
) -> None:
    later = book(sqlite_ctx, practice, patient=practice.other_patient_id, visit="med-management",
                 provider=practice.baker, start=datetime(2027, 3, 10, 20, 0, tzinfo=UTC))
    async with app_for(sqlite_ctx, staff="desk").run_test(size=(80, 24)) as pilot:
        screen = await on_testcase(pilot)
        await pilot.press("tab", "m")  # Sample's 10:00 follow-up, Pat Baker
        assert screen.moving is not None
        assert screen.moving.id == booked[1].id
        await pilot.press(*["down"] * 4, "enter")  # 11:00
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        warned = pilot.app.screen
        assert isinstance(warned, BookingQuestion)
        assert text_of(warned, "#confirm-text") == (
            "⚠ Same day: the patient already has a medication management at Wed Mar 10 14:00 "
            "at Test Clinic.")
        assert stored(sqlite_ctx, booked[1].id).version == 1  # nothing moved yet
        await pilot.press("enter")  # move it anyway
        read: list[str] = []
        await acted(pilot, read)
    assert stored(sqlite_ctx, booked[1].id).starts_at == ELEVEN
    assert stored(sqlite_ctx, later.id).version == 1
    assert len(read) == 1
    assert "When: Wednesday, March 10, at 11:00 AM (about 20 minutes)." in read[0]
