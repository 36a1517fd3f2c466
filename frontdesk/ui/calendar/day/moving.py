"""Moving and booking on the day view's grid: ``m`` picks a visit up and Enter puts it down on
the cursor's time and provider (any day or place); ``s`` moves it to an offered free time; ``b``
books a patient on the free cell under the cursor. Every one goes through the services like any
booking, against the version the grid showed, and asks what the call asks: a procedure's
region, levels and side with the payer's verdict, the warnings to accept, a physician's order
for a first visit, an override of a payer rule; then the read-back for the caller.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from textual import work
from textual.widgets import Static

from frontdesk.domain.text import printable
from frontdesk.ui.backend.boards import GridBoard
from frontdesk.ui.backend.changes import Change, Move, NewBooking, Outcome, Said
from frontdesk.ui.calendar.day.book import BookChoice, BookDialog
from frontdesk.ui.calendar.day.grid import CalendarGrid
from frontdesk.ui.calendar.day.layout import Kind, summary
from frontdesk.ui.calendar.keys import AppointmentKeys
from frontdesk.ui.widgets.booking import (
    CheckAnswers,
    ProcedureDetails,
    ProcedureDialog,
    payer_verdict,
)
from frontdesk.ui.widgets.readback import VisitReadBack

if TYPE_CHECKING:
    from frontdesk.services.views import AppointmentView, SlotView, VisitTypeView


class MoveAndBook(AppointmentKeys[GridBoard]):
    """The day view's keys that put a visit somewhere: the day view is built on it."""

    moving: AppointmentView | None = None  # picked up with m, put down with Enter
    _checks: CheckAnswers | None = None
    _visit_codes: dict[int, str] = {}  # noqa: RUF012 - appointment id -> visit type, for moves

    def followed(self, change: Change, outcome: Outcome, script: Any) -> None:
        """Ask what the booking checks need and try again; read back what was booked. A move
        put down with Enter ends move mode only when it is done (or the visit changed
        meanwhile): refused, the visit stays picked up, to try another time."""
        putting = self.moving
        if (isinstance(change, Move) and putting is not None
                and putting.id == change.appointment_id and outcome.ask is None):
            if outcome.changed or outcome.stale:
                self._stop_moving()
            else:
                self._show_moving(refused=outcome.message)
        if outcome.ask is not None and isinstance(change, (Move, NewBooking)):
            if self._checks is None:
                self._checks = CheckAnswers(self.app, self.backend)
            code = (change.visit_type if isinstance(change, NewBooking)
                    else self._visit_codes.get(change.appointment_id, ""))
            self._checks.answer(change, outcome.ask, code, self._submit)
        elif script is not None:
            self.app.push_screen(VisitReadBack(script, heading=(
                "Moved: read this back to the caller" if isinstance(change, Move)
                else "Booked: read this back to the caller")))

    def action_details(self) -> None:
        """Enter: put a picked-up visit down here, else the selected visit's details."""
        if self.moving is not None:
            self._put_down()
        else:
            super().action_details()

    def action_move_visit(self) -> None:
        appt = self.selected
        if appt is None or self.location_id is None:
            return
        self.moving = appt
        self._show_moving()
        self.sync_bindings()

    def _show_moving(self, refused: str = "") -> None:
        """What is being moved and the keys; ``refused``: why the last time tried was not
        taken (the visit stays picked up)."""
        appt = self.moving
        if appt is None:
            return
        who = printable(appt.patient_short)
        what = (f"{who} · {appt.visit_type_name.split(' (')[0]} from "
                f"{appt.local_start:%a} {appt.local_start.day} {appt.local_start:%b %H:%M}")
        why = refused.split("; nothing was changed")[0].rstrip(".")  # the rest is in the toast
        self.query_one("#day-summary", Static).update(
            f"{why}. Still moving {who}: cursor to another time, Enter; Esc stops." if refused
            else f"Moving {what}: cursor to the new time (any day or place), Enter puts it "
                 "there, Esc stops.")
        self.query_one("#day-summary", Static).add_class("-moving")

    def _stop_moving(self, message: str | None = None) -> None:
        self.moving = None
        note = self.query_one("#day-summary", Static)
        note.remove_class("-moving")
        if self.board is not None:
            note.update(summary(self.board), layout=False)
        if message:
            self.notify(message, markup=False)
        self.sync_bindings()

    def _put_down(self) -> None:
        appt, cell = self.moving, self.query_one(CalendarGrid).cursor_cell
        if appt is None or cell is None or self.location_id is None or not self.up_to_date:
            return
        _, column, start = cell
        if self.acting:
            return  # the last one is on its way
        self._visit_codes = {appt.id: appt.visit_type_code}
        self.freeing(appt)
        self._submit(Move(appt.id, appt.version, start,
                          column.provider_id, self.location_id))

    def action_offer_slots(self) -> None:
        from frontdesk.ui.visit.offers import SlotOffers

        appt = self.selected
        if appt is None:
            return

        def chosen(slot: SlotView | None) -> None:
            if slot is not None:
                self._visit_codes = {appt.id: appt.visit_type_code}
                self.freeing(appt)
                self._submit(Move(appt.id, appt.version, slot.start,
                                  slot.provider_id, slot.location_id))

        backend = self.backend
        self.app.push_screen(SlotOffers(
            appt, lambda order, miles: backend.offers(appt, order=order, miles=miles),
            lambda: backend.distances(backend.patient(appt.patient_id))), chosen)

    @property
    def free_cell(self) -> tuple[int, datetime] | None:
        """(provider id, start) of the free time under the cursor, as the grid last showed it."""
        cell = self.query_one(CalendarGrid).cursor_cell
        if cell is None or cell[0].kind is not Kind.FREE or not self.up_to_date:
            return None
        return cell[1].provider_id, cell[2]

    def action_book_here(self) -> None:
        found, location_id = self.free_cell, self.location_id
        if found is not None and location_id is not None:
            self._fitting(found[0], location_id, found[1])

    @work(thread=True, exclusive=True, group="fitting", exit_on_error=False)
    def _fitting(self, provider_id: int, location_id: int, start: datetime) -> None:
        types, reason = self.backend.fitting(provider_id, location_id, start)
        places = self.backend.location_names() if types else {}
        self.app.call_from_thread(self._offer_booking, types, reason, places, provider_id,
                                  location_id, start)

    def _offer_booking(self, types: list[VisitTypeView], reason: str, places: dict[int, str],
                       provider_id: int, location_id: int, start: datetime) -> None:
        if not types:
            self.notify(f"Nothing can be booked there: {reason}.", severity="warning",
                        markup=False)
            return

        procedures = {v.code: v.name for v in types if v.is_procedure}
        words = self._slot_words(provider_id, start)

        def chosen(choice: BookChoice | None) -> None:
            if choice is None:
                return
            code = choice.visit_type_code
            booking = NewBooking(choice.patient_id, code, provider_id, location_id, start)
            if code not in procedures:
                self._submit(booking)
                return

            def verdict(details: ProcedureDetails) -> str:
                return payer_verdict(self.backend.payer_checks(
                    choice.patient_id, code, start, region=details.region,
                    levels=details.levels))

            def given(details: ProcedureDetails | None) -> None:
                if details is not None:
                    self._submit(replace(booking, said=Said(
                        region=details.region, levels=details.levels, side=details.side)))

            self.app.push_screen(ProcedureDialog(f"{procedures[code]}\n{words}", code,
                                                 verdict=verdict), given)

        self.app.push_screen(BookDialog(words, search=self.backend.find_patients,
                                        visit_types=types, places=places), chosen)

    def _slot_words(self, provider_id: int, start: datetime) -> str:
        grid = self.board.grid if self.board else None
        if grid is None:
            return ""
        name = next((p.name for p in grid.providers if p.provider_id == provider_id), "")
        local = start.astimezone(grid.zone)
        return f"{local:%a} {local.day} {local:%b %H:%M} · {name} · {grid.location.name}"
