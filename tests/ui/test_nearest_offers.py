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
        assert all(line.endswith(" · Test Clinic · 13 mi") for line in best)
        assert "Best first (preferred location, then earliest) · D: nearest first" \
            in shown(dialog, "#callbook-note")

        await pilot.press("d")
        await quiet(pilot)
        nearest = options(dialog)
        assert [s.location_id for s in dialog.slots[:3]] == [owasso] * 3
        assert all(line.endswith("Owasso Clinic · <1 mi") for line in nearest[:3])
        assert all(line.endswith("Test Clinic · 13 mi") for line in nearest[3:])
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


async def test_moving_a_visit_offers_times_with_miles_and_d_reorders_them(
        sqlite_ctx: Context, practice: Practice) -> None:
    zips(sqlite_ctx, practice, patient_zip="74055")
    appt = book(sqlite_ctx, practice, patient=practice.other_patient_id, visit="follow-up",
                provider=practice.baker, start=TEN)
    app = FrontDeskApp(context=sqlite_ctx, poll_seconds=SLOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        backend = app.backend
        assert backend is not None
        dialog = SlotOffers(appt, lambda: backend.offers(appt),
                            lambda: backend.distances(backend.patient(appt.patient_id)))
        await app.push_screen(dialog)
        await quiet(pilot)
        listed = dialog.query_one(OptionList)
        lines = [str(listed.get_option_at_index(i).prompt) for i in range(listed.option_count)]
        assert lines
        assert all(line.endswith(("Test Clinic · 13 mi", "Owasso Clinic · <1 mi"))
                   for line in lines)
        assert "D: nearest first" in shown(dialog, "#offers-note")
        await pilot.press("d")
        await quiet(pilot)
        assert "Nearest first, then soonest" in shown(dialog, "#offers-note")
        miles = [0 if s.location_id != practice.location_id else 13 for s in dialog.slots]
        assert miles == sorted(miles)
        await pilot.press("d")
        await quiet(pilot)
        starts = [s.start for s in dialog.slots]
        assert starts == sorted(starts)
        assert "Soonest first" in shown(dialog, "#offers-note")
        await pilot.press("enter")
        await quiet(pilot)
        assert not isinstance(app.screen, SlotOffers)  # chosen: the caller moves the visit
