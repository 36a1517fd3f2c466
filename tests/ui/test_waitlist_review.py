"""The waitlist on screen, reviewed: ``w`` while a time is held for the caller does not put
them on the list for a second visit (it says how to ask an earlier time for the held one);
open times found while the screen locked wait for the person to come back; the offer to
someone holding a visit says it moves it, and nothing is chosen until the arrows choose."""

from __future__ import annotations

from textual.widgets import OptionList

from frontdesk.services.context import Context
from frontdesk.ui.app import FrontDeskApp
from frontdesk.ui.call.booking import CallBookingDialog
from tests.practice import Practice
from tests.ui.call_helpers import SLOW, quiet, shown
from tests.ui.conftest import settled
from tests.ui.test_waitlist import entries


async def test_w_with_a_time_held_says_to_book_it_first_and_adds_nothing(
    sqlite_ctx: Context, practice: Practice
) -> None:
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
        await pilot.press("enter")  # hold the first
        await quiet(pilot)
        assert dialog.held is not None
        assert "Held for the caller" in shown(dialog, "#callbook-note")

        await pilot.press("w")
        await quiet(pilot)

        assert pilot.app.screen is dialog  # no form: nothing to save yet
        assert "A time is held for the caller: Enter books it, then w on that visit" in (
            shown(dialog, "#callbook-note"))
        assert dialog.held is not None  # still held
    assert entries(sqlite_ctx) == []


async def test_open_times_found_while_the_screen_locked_wait_for_the_person_to_come_back(
    sqlite_ctx: Context, practice: Practice
) -> None:
    from frontdesk.services.worklists import waitlist as wl
    from frontdesk.ui.account.sign_in import LockScreen
    from frontdesk.ui.widgets.waitlist import WaitlistMatches
    from frontdesk.ui.worklists.waitlist import WaitlistScreen
    from tests.ui.test_waitlist import settle

    p = practice
    wl.add(sqlite_ctx, staff=p.staff, patient_id=p.patient_id, visit_type="follow-up")
    app = FrontDeskApp(context=sqlite_ctx, poll_seconds=SLOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        assert app.backend is not None
        screen = WaitlistScreen(app.backend)
        await app.push_screen(screen)
        await settle(pilot)
        assert screen.selected is not None
        found = app.backend.waitlist_slots(screen.selected.id)
        assert found
        app.action_lock()
        await settle(pilot)
        lock = app.screen
        assert isinstance(lock, LockScreen)

        screen._offer_times((screen.selected, found))  # the worker's answer comes now
        await settle(pilot)

        assert app.screen is lock  # nothing about the patient over the lock
        assert "Testcase" not in app.export_screenshot()
        lock.dismiss(None)  # the same person is back
        await settle(pilot)
        await pilot.pause(0.4)
        assert isinstance(app.screen, WaitlistMatches)


async def test_the_offer_to_someone_holding_a_visit_says_it_moves_that_visit(
    sqlite_ctx: Context, practice: Practice
) -> None:
    from frontdesk.services.worklists import waitlist as wl
    from frontdesk.ui.widgets.waitlist import MOVES, OfferDialog
    from tests.ui.conftest import THU_TEN, book
    from tests.ui.test_waitlist import settle

    p = practice
    later = book(sqlite_ctx, p, patient=p.patient_id, visit="follow-up", provider=p.able,
                 start=THU_TEN.replace(day=24))
    entry = wl.add(sqlite_ctx, staff=p.staff, patient_id=p.patient_id,
                   appointment_id=later.id).entry
    (offer, *_) = wl.slots_for(sqlite_ctx, by=p.staff, entry_id=entry.id)
    app = FrontDeskApp(context=sqlite_ctx, poll_seconds=SLOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        dialog = OfferDialog(offer)
        await app.push_screen(dialog)
        await settle(pilot)
        choices = [str(o.prompt) for o in dialog.query_one(OptionList).options]
        assert dialog.query_one(OptionList).highlighted is None  # a double Enter books nobody
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is dialog
    assert choices[0] == MOVES == "Booked: they take it (moves their visit here now)"
    assert entry_row_status(sqlite_ctx, entry.id) == "waiting"


def entry_row_status(ctx: Context, entry_id: int) -> str:
    (found,) = [e for e in entries(ctx) if e.id == entry_id]
    return found.status


async def test_the_waitlist_shown_is_audited_once_not_on_each_return_or_refresh(
    sqlite_ctx: Context, practice: Practice
) -> None:
    from sqlmodel import Session, col, select

    from frontdesk.db.models import AuditEvent
    from frontdesk.services.worklists import waitlist as wl
    from frontdesk.ui.worklists.waitlist import RemoveDialog, WaitlistScreen
    from tests.ui.test_waitlist import settle

    def listed() -> list[object]:
        with Session(sqlite_ctx.engine) as session:
            return [e.after for e in session.exec(select(AuditEvent).where(
                AuditEvent.action == "patient.list").order_by(col(AuditEvent.id)))]

    p = practice
    wl.add(sqlite_ctx, staff=p.staff, patient_id=p.patient_id, visit_type="follow-up")
    app = FrontDeskApp(context=sqlite_ctx, poll_seconds=SLOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        assert app.backend is not None
        before = len(listed())
        screen = WaitlistScreen(app.backend)
        await app.push_screen(screen)
        await settle(pilot)
        assert listed()[before:] == [{"command": "waitlist", "rows": 1}]
        await pilot.press("x")
        assert isinstance(app.screen, RemoveDialog)
        await pilot.press("escape")
        await pilot.press("r")
        await settle(pilot)
        assert app.screen is screen
        assert len(listed()) == before + 1


async def test_l_lists_who_can_come_to_one_location_as_the_report_counts_them(
    sqlite_ctx: Context, practice: Practice
) -> None:
    from datetime import date

    from frontdesk.services.worklists import waitlist as wl
    from frontdesk.ui.worklists.waitlist import WaitlistScreen
    from tests.services.test_waitlist import patient
    from tests.services.test_waitlist_review import second_location
    from tests.ui.test_waitlist import rows, settle

    p = practice
    other = second_location(sqlite_ctx)
    wl.add(sqlite_ctx, staff=p.staff, patient_id=p.patient_id, visit_type="follow-up",
           location_ids=[p.location_id])
    wl.add(sqlite_ctx, staff=p.staff, patient_id=p.other_patient_id, visit_type="follow-up",
           location_ids=[other])
    wl.add(sqlite_ctx, staff=p.staff, patient_id=patient(sqlite_ctx, "Anywhere", seen=p),
           visit_type="follow-up")
    report = {line.label: line.figure.n for line in wl.report_lines(
        sqlite_ctx, by=p.manager, day=date(2027, 3, 10), location_id=p.location_id)}
    app = FrontDeskApp(context=sqlite_ctx, poll_seconds=SLOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        assert app.backend is not None
        screen = WaitlistScreen(app.backend)
        await app.push_screen(screen)
        await settle(pilot)
        assert len(rows(screen, "#waitlist-table")) == 3
        assert shown(screen, "#waitlist-title") == "Waitlist · all locations"

        await pilot.press("l")
        await settle(pilot)

        assert shown(screen, "#waitlist-title") == "Waitlist · Test Clinic"
        names = [r.split(" · ")[0] for r in rows(screen, "#waitlist-table")]
        assert names == ["Testcase, C.", "Anywhere, T."]
        assert len(names) == report["Still waiting"]
        await pilot.press("l", "l")  # the second location, then every location again
        await settle(pilot)
        assert shown(screen, "#waitlist-title") == "Waitlist · all locations"
        assert len(rows(screen, "#waitlist-table")) == 3
