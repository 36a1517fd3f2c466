"""The offered times in a call's booking show how far each location is from the caller (by
ZIP code) and D orders them: best first, nearest first (then soonest), soonest first. Without
a ZIP there are no distances and a short note says why.

The tiny practice: Test Clinic (Tulsa, 74103) where Dr. Able and Pat Baker work all day, and
Owasso (74055) where Pat Baker sees patients 17:00-18:00; Jordan Sample has no preferred
location."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session
from textual.widgets import OptionList

from frontdesk.db.engine import run_write
from frontdesk.db.models import Location, Patient
from frontdesk.services.context import Context
from frontdesk.services.nearest import Order
from frontdesk.ui.app import FrontDeskApp
from frontdesk.ui.backend.door import CallBooking
from frontdesk.ui.call.booking import CallBookingDialog
from frontdesk.ui.visit.offers import SlotOffers
from tests.practice import Practice
from tests.ui.call_helpers import SLOW, quiet, shown
from tests.ui.conftest import TEN, add_location, book, settled


def zips(ctx: Context, p: Practice, *, patient_zip: str) -> int:
    owasso = add_location(ctx, p, "Owasso Clinic")

    def work(session: Session) -> None:
        for loc_id, code in ((p.location_id, "74103"), (owasso, "74055")):
            loc = session.get(Location, loc_id)
            assert loc is not None
            loc.zip = code
        sample = session.get(Patient, p.other_patient_id)
        assert sample is not None
        sample.zip = patient_zip

    run_write(ctx.engine, work)
    return owasso


def options(dialog: CallBookingDialog) -> list[str]:
    listed = dialog.query_one(OptionList)
    return [str(listed.get_option_at_index(i).prompt) for i in range(listed.option_count)]


async def offers(pilot: Any, p: Practice) -> CallBookingDialog:
    app = pilot.app
    await settled(pilot)
    backend = app.backend
    patient = backend.patient(p.other_patient_id)
    dialog = CallBookingDialog(backend, patient, CallBooking("follow-up"), "Follow-up")
    await app.push_screen(dialog)
    await quiet(pilot)
    return dialog


async def test_offered_times_show_miles_and_d_ranks_them_by_distance(
        sqlite_ctx: Context, practice: Practice) -> None:
    owasso = zips(sqlite_ctx, practice, patient_zip="74055")
    app = FrontDeskApp(context=sqlite_ctx, poll_seconds=SLOW)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await offers(pilot, practice)
        best = options(dialog)
        assert best
        assert all(line.endswith(" · 13 mi · Test Clinic") for line in best)
        assert "Best first (preferred location, then earliest) · D: nearest first" \
            in shown(dialog, "#callbook-note")

        await pilot.press("d")
        await quiet(pilot)
        nearest = options(dialog)
        assert [s.location_id for s in dialog.slots[:3]] == [owasso] * 3
        assert all(line.endswith(" · <1 mi · Owasso Clinic") for line in nearest[:3])
        assert all(line.endswith(" · 13 mi · Test Clinic") for line in nearest[3:])
        starts = [s.start for s in dialog.slots[:3]]
        assert starts == sorted(starts)  # then soonest
        assert "Nearest first, then soonest · D: soonest first" in shown(dialog,
                                                                         "#callbook-note")

        await pilot.press("d")
        await quiet(pilot)
        starts = [s.start for s in dialog.slots]
        assert starts == sorted(starts)
        assert "Soonest first · D: best first" in shown(dialog, "#callbook-note")

        await pilot.press("d")
        await quiet(pilot)
        assert options(dialog) == best

        await pilot.press("d", "enter")  # nearest first again; Enter holds the nearest
        await quiet(pilot)
        assert dialog.held is not None
        assert dialog.held.location_id == owasso


async def test_no_zip_no_distances_and_a_note_why(sqlite_ctx: Context,
                                                  practice: Practice) -> None:
    zips(sqlite_ctx, practice, patient_zip="")
    app = FrontDeskApp(context=sqlite_ctx, poll_seconds=SLOW)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await offers(pilot, practice)
        assert dialog.slots
        assert not any(" mi" in line for line in options(dialog))
        note = shown(dialog, "#callbook-note")
        assert "No distances: the caller's record has no ZIP code." in note
        assert "D: soonest first" in note  # no nearest without distances
        await pilot.press("d")
        await quiet(pilot)
        assert "Soonest first · D: best first" in shown(dialog, "#callbook-note")


async def test_moving_a_visit_offers_times_with_miles_and_d_looks_nearest_first(
        sqlite_ctx: Context, practice: Practice) -> None:
    """The move's own ranking keeps the visit's location (Test Clinic, 13 mi from the
    patient); nearest first looks again, location by location: Owasso's times first."""
    owasso = zips(sqlite_ctx, practice, patient_zip="74055")
    appt = book(sqlite_ctx, practice, patient=practice.other_patient_id, visit="follow-up",
                provider=practice.baker, start=TEN)
    app = FrontDeskApp(context=sqlite_ctx, poll_seconds=SLOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        backend = app.backend
        assert backend is not None
        dialog = SlotOffers(appt, lambda order, miles: backend.offers(appt, order=order,
                                                                      miles=miles),
                            lambda: backend.distances(backend.patient(appt.patient_id)))
        await app.push_screen(dialog)
        await quiet(pilot)
        lines = moves(dialog)
        assert lines
        assert all(line.endswith(" · 13 mi · Test Clinic") for line in lines)  # as ranked
        assert "D: nearest first" in shown(dialog, "#offers-note")
        await pilot.press("d")
        await quiet(pilot)
        assert "Nearest first, then soonest" in shown(dialog, "#offers-note")
        assert [s.location_id for s in dialog.slots[:3]] == [owasso] * 3
        assert all(line.endswith(" · <1 mi · Owasso Clinic") for line in moves(dialog)[:3])
        assert {s.location_id for s in dialog.slots[3:]} == {practice.location_id}
        await pilot.press("d")
        await quiet(pilot)
        starts = [s.start for s in dialog.slots]
        assert starts == sorted(starts)
        assert "Soonest first" in shown(dialog, "#offers-note")
        await pilot.press("enter")
        await quiet(pilot)
        assert not isinstance(app.screen, SlotOffers)  # chosen: the caller moves the visit


def moves(dialog: SlotOffers) -> list[str]:
    listed = dialog.query_one(OptionList)
    return [str(listed.get_option_at_index(i).prompt) for i in range(listed.option_count)]


async def test_nearest_first_looks_at_locations_of_unknown_distance_last(
        sqlite_ctx: Context, practice: Practice) -> None:
    owasso = zips(sqlite_ctx, practice, patient_zip="74055")
    nowhere = add_location(sqlite_ctx, practice, "Zipless Clinic")  # no ZIP: no distance
    app = FrontDeskApp(context=sqlite_ctx, poll_seconds=SLOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        backend = app.backend
        assert backend is not None
        patient = backend.patient(practice.other_patient_id)
        miles = backend.distances(patient).miles
        assert set(miles) == {owasso, practice.location_id}
        found = backend.call_offers(patient, "follow-up", limit=9, order=Order.NEAREST,
                                    miles=miles)
        places = [s.location_id for s in found]
        assert places[:3] == [owasso] * 3
        assert nowhere in places
        assert places.index(nowhere) > places.index(practice.location_id)  # last


async def test_a_long_location_name_is_cut_so_each_time_keeps_one_line(
        sqlite_ctx: Context, practice: Practice) -> None:
    long_name = "Broken Arrow Pain & Spine Center North at the Medical Plaza"
    zips(sqlite_ctx, practice, patient_zip="74055")

    def rename(session: Session) -> None:
        loc = session.get(Location, practice.location_id)
        assert loc is not None
        loc.name = long_name

    run_write(sqlite_ctx.engine, rename)
    app = FrontDeskApp(context=sqlite_ctx, poll_seconds=SLOW)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await offers(pilot, practice)
        listed = dialog.query_one(OptionList)
        lines = options(dialog)
        assert lines
        assert all(" · 13 mi · Broken Arrow" in line and line.endswith("…")
                   for line in lines)
        assert all(len(line) <= listed.scrollable_content_region.width for line in lines)
        # the footer is this dialog's: D orders the times here (not the screen below's keys)
        footer = str(app.export_screenshot())
        assert "Order" in footer
        assert "Day view" not in footer
