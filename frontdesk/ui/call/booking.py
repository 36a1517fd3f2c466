"""Offer, hold and book the recommended visit during a call, then read back the confirmation.

The best free times across every location come first (the caller's preferred location, the
provider of their last procedure, then the earliest). Enter holds the chosen time for the
caller — nobody else can take it while they decide — and Enter again books it. A time taken
meanwhile shows the next free ones at once; a payer rule the visit would break is named, with
the day it would be allowed, and booking anyway needs an override by a scheduler or manager with
a reason. The booking checks' warnings and a new patient's first visit are asked about, a
procedure's missing details first (ui/widgets/booking.py). Esc lets a held time go.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar
from zoneinfo import ZoneInfo

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from frontdesk.domain.calls import CallOutcome
from frontdesk.domain.geo import miles_text
from frontdesk.services.nearest import Distances, Order, ordered
from frontdesk.ui.call.callbacks import CallbacksDue
from frontdesk.ui.call.pathway import ChoiceList, PathwayPanel
from frontdesk.ui.text import offer_text, printable, slot_text
from frontdesk.ui.widgets.booking import (
    ProcedureDetails,
    ProcedureDialog,
    first_visit_question,
    refused_text,
    warnings_question,
)
from frontdesk.ui.widgets.footer import KeyFooter
from frontdesk.ui.widgets.override import Authorised, OverrideDialog
from frontdesk.ui.widgets.readback import ReadBackDialog

if TYPE_CHECKING:
    from collections.abc import Callable

    from frontdesk.services.errors import MergedAway
    from frontdesk.services.scheduling import BookingNeedsConfirmation
    from frontdesk.services.views import AppointmentView, PatientView, SlotView
    from frontdesk.ui.backend.door import Backend, CallBooking

BOOK = "book"
LINE = 72  # cells an offered time may take in the dialog (its list, less a scroll bar)
NO_MILES = "No distances: the ZIP code table could not be read."
ORDER_WORDS = {Order.BEST: "Best first (preferred location, then earliest)",
               Order.NEAREST: "Nearest first, then soonest",
               Order.SOONEST: "Soonest first"}
NEXT_WORDS = {Order.BEST: "best first", Order.NEAREST: "nearest first",
              Order.SOONEST: "soonest first"}


def key(slot: SlotView) -> tuple[object, int]:
    """A slot's identity across orders: its start and provider."""
    return slot.start, slot.provider_id


class CallBookingDialog(ModalScreen["AppointmentView | None"]):
    """Dismisses with the booked appointment, or None when nothing was booked."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="callbook.back",
                tooltip="Back to the call (a held time is let go)"),
        Binding("ctrl+o", "override", "Override", id="callbook.override",
                tooltip="Book against a payer rule, with who authorises it and why"),
        Binding("d", "order", "Order", id="callbook.order",
                tooltip="Order the offered times: as ranked, nearest first (by the caller's "
                        "ZIP), soonest first"),
        Binding("w", "waitlist", "Earlier time", id="callbook.waitlist",
                tooltip="The caller wants an earlier time than offered: put them on the "
                        "waitlist for this visit (where, which days, what times, until)"),
    ]

    def __init__(self, backend: Backend, patient: PatientView, booking: CallBooking,
                 visit_name: str) -> None:
        super().__init__()
        self.backend = backend
        self.patient = patient
        self.booking = booking
        self.visit_name = visit_name
        self.slots: tuple[SlotView, ...] = ()
        self.chosen: SlotView | None = None
        self.held: AppointmentView | None = None
        self.refused: str = ""  # the payer problems, when a hold was refused for them
        self.merged: MergedAway | None = None  # the caller's record was merged meanwhile
        self.offered: tuple[SlotView, ...] = ()  # as the search ranked them
        self.sooner: frozenset[tuple[object, int]] = frozenset()  # sooner than the best
        self.lead = ""  # what the note says before the order
        self.distances: Distances | None = None  # None: being worked out
        self.order = Order.BEST

    def compose(self) -> ComposeResult:
        with Vertical(id="callbook"):
            yield Static("", id="callbook-title", markup=False)
            yield Static("Looking for the best free times…", id="callbook-note", markup=False)
            yield ChoiceList(id="callbook-options")
        yield KeyFooter()  # this dialog's keys, not those of the screen under it

    def on_mount(self) -> None:
        self.query_one(OptionList).display = False
        self._title()
        self._offers()
        self._distances()

    def _title(self) -> None:
        b = self.booking
        where = " ".join(p for p in (b.region, b.levels, b.side) if p)
        self.query_one("#callbook-title", Static).update(
            f"{self.visit_name}{' · ' + where if where else ''}\n"
            f"for {printable(self.patient.short_name)}")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "override":
            return bool(self.refused) or None
        if action == "order":
            return self.held is None and len(self.offered) > 1
        return True

    def action_waitlist(self) -> None:
        from frontdesk.ui.backend.waitlist import Wish
        from frontdesk.ui.widgets.waitlist_form import WaitlistForm

        if self.held is not None:
            # the entry would want a new visit while this one is booked: an accepted offer
            # would book a second visit, not move this one earlier
            self._note("A time is held for the caller: Enter books it, then w on that visit "
                       "(the call's Reschedule or cancel) asks for an earlier time; or Esc "
                       "lets the held time go.")
            return
        b = self.booking
        wish = Wish(self.patient.id, visit_type=b.visit_type, region=b.region,
                    levels=b.levels, side=b.side)

        def saved(message: str | None) -> None:
            if message:
                self.notify(message, markup=False)
                self._note(message + " Book a time too, or Esc back to the call.")

        self.app.push_screen(WaitlistForm(
            self.backend, f"Earlier time wanted · {printable(self.patient.short_name)}\n"
                          f"{self.visit_name}", wish, today=self.backend.today()), saved)

    # ------------------------------------------------------------------ offers

    @work(thread=True, exclusive=True, group="callbook-offers", exit_on_error=False)
    def _offers(self) -> tuple[tuple[SlotView, ...], str]:
        code = self.booking.visit_type
        name = next((v.name for v in self.backend.visit_types() if v.code == code), code)
        miles = self.distances.miles if self.distances is not None else None
        return tuple(self.backend.call_offers(
            self.patient, code, physician_review=self.booking.physician_review,
            order=self.order, miles=miles)), name

    @work(thread=True, exclusive=True, group="callbook-miles", exit_on_error=False)
    def _distances(self) -> Distances:
        return self.backend.distances(self.patient)  # the ZIP table loads here, off the loop

    def _show_slots(self, slots: tuple[SlotView, ...], note: str) -> None:
        self.offered, self.lead = slots, note
        first = slots[0].start if slots and self.order is Order.BEST else None
        self.sooner = frozenset(key(s) for s in slots if first and s.start < first)
        self._list()

    def _list(self) -> None:
        """The offered times in the order chosen, each with its distance when known."""
        miles = self.distances.miles if self.distances is not None else {}
        slots = tuple(ordered(self.offered, self.order, miles))
        self.slots = slots
        self.refresh_bindings()
        if not slots:
            self._note("No free time for this visit in the next 90 days: w puts the caller on "
                       "the waitlist. Esc goes back to the call.")
        else:
            self._note(self._order_words())
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([
            Option(Content((f"{i}  " if i < 10 else "   ") + offer_text(
                s, miles=miles_text(miles[s.location_id]) if s.location_id in miles else "",
                extra="sooner, elsewhere" if key(s) in self.sooner else "", width=LINE - 3)),
                   id=str(i - 1))
            for i, s in enumerate(slots, start=1)])
        options.display = bool(slots)
        if slots:
            options.highlighted = 0
            options.focus()

    def _order_words(self) -> str:
        """The lead, then how the times are ordered and what D does next (and why there are
        no distances, when there are none)."""
        orders = self.distances.orders() if self.distances is not None else (
            Order.BEST, Order.SOONEST)
        now = self.order if self.order in orders else Order.BEST
        then = orders[(orders.index(now) + 1) % len(orders)]
        said = f"{self.lead}\n{ORDER_WORDS[now]} · D: {NEXT_WORDS[then]}"
        if self.distances is not None and self.distances.note:
            said += f"\n{self.distances.note}"
        return said

    def action_order(self) -> None:
        """D: the times found again in the next order (best → nearest → soonest first)."""
        if self.held is not None or len(self.offered) < 2:
            return
        orders = self.distances.orders() if self.distances is not None else (
            Order.BEST, Order.SOONEST)
        now = self.order if self.order in orders else Order.BEST
        self.order = orders[(orders.index(now) + 1) % len(orders)]
        self.refused = ""  # a time is chosen again from the new list (Ctrl+O with it)
        self._note(f"Looking for the free times, {NEXT_WORDS[self.order]}…")
        self._offers()

    def _note(self, text: str) -> None:
        self.query_one("#callbook-note", Static).update(text)

    # ------------------------------------------------------------------ hold, then book

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option_id == BOOK:
            if self.held is not None:
                self._note("Booking…")
                self._confirm(self.held)
            return
        self.chosen = self.slots[int(event.option_id or 0)]
        self._note("Holding the time for the caller…")
        self._hold(self.chosen, self.booking)

    @work(thread=True, exclusive=True, group="callbook-hold", exit_on_error=False)
    def _hold(self, slot: SlotView, booking: CallBooking) -> AppointmentView:
        return self.backend.hold(self.patient, slot, booking)

    @work(thread=True, exclusive=True, group="callbook-confirm", exit_on_error=False)
    def _confirm(self, held: AppointmentView) -> AppointmentView:
        return self.backend.confirm_hold(held, self.booking.accept_warnings)

    @work(thread=True, group="callbook-release", exit_on_error=False)
    def _release(self, held: AppointmentView) -> None:
        self.backend.release_hold(held)

    @on(Worker.StateChanged)
    def _worked(self, event: Worker.StateChanged) -> None:
        state, worker = event.state, event.worker
        if state not in (WorkerState.SUCCESS, WorkerState.ERROR):
            return
        group = worker.group
        if group == "callbook-offers":
            if state == WorkerState.SUCCESS and worker.result is not None:
                slots, self.visit_name = worker.result
                self._title()
                self._show_slots(slots, "1-9 or Enter holds one for the caller; w if they "
                                        "want an earlier time (waitlist).")
            elif not self._merged(worker.error):
                self._note("Could not look for free times; Esc and try again.")
        elif group == "callbook-miles":
            # an error is no distances, never a failure of the offers
            self.distances = (worker.result if state == WorkerState.SUCCESS
                              and worker.result is not None else Distances(note=NO_MILES))
            if self.offered and self.held is None:
                self._list()
        elif group == "callbook-hold":
            self._held(worker)
        elif group == "callbook-confirm":
            self._booked(worker)

    def _held(self, worker: Worker[Any]) -> None:
        from frontdesk.services.accounts import AccountLocked, SignInRefused
        from frontdesk.services.errors import FrontDeskError, NotAllowed, SlotTaken
        from frontdesk.services.pathway import PayerRulesBroken
        from frontdesk.services.scheduling import BookingNeedsConfirmation, FirstVisitRefused

        password = self.booking.override_password
        signed = password is not None
        self.booking = replace(self.booking, override_password=None)  # asked again each time
        if worker.state == WorkerState.SUCCESS and worker.result is not None:
            self.held = worker.result
            self.refused = ""
            self.refresh_bindings()
            until = ""
            if self.held.hold_expires_at is not None:
                local = self.held.hold_expires_at.astimezone(ZoneInfo(self.held.timezone))
                until = f" until {local:%H:%M}"
            options = self.query_one(OptionList)
            options.clear_options()
            assert self.chosen is not None
            options.add_option(Option(Content(f"Book {slot_text(self.chosen)}"), id=BOOK))
            options.highlighted = 0
            options.focus()
            self._note(f"Held for the caller{until}: nobody else can take it. Enter books it; "
                       "Esc lets it go.")
            return
        error = worker.error
        if self._merged(error):
            return
        if isinstance(error, SlotTaken) and self.booking.physician_review:
            self._note("That time was just taken by someone else. Looking for a physician's "
                       "next free times…")
            self._offers()  # the alternatives may be with anyone: offer physicians' again
        elif isinstance(error, SlotTaken):
            self._show_slots(tuple(error.alternatives),
                             "That time was just taken by someone else. The next free times; "
                             "1-9 or Enter holds one.")
        elif isinstance(error, BookingNeedsConfirmation):
            # the override (if any) passed: tried again with the same signature, once accepted
            self._warned(error, then=lambda: self._hold(
                self.chosen, replace(self.booking, override_password=password))
                if self.chosen is not None else None)
        elif isinstance(error, FirstVisitRefused):
            self._first_visit(error.message)
        elif isinstance(error, PayerRulesBroken):
            self.refused = refused_text(error.checks)
            self.refresh_bindings()
            self._note(f"{self.refused}\nChoose another time, or Ctrl+O to book it anyway "
                       "with an override.")
        elif isinstance(error, (SignInRefused, AccountLocked)) and signed:
            who = self.booking.override_by or "the authoriser"
            reason = ("wrong username or password" if isinstance(error, SignInRefused)
                      else str(error))
            self._note(f"Not held: {who}'s password was not accepted ({reason}).")
            self.action_override(error=f"Not authorised: {reason}. Try again, or Esc.")
        elif isinstance(error, NotAllowed) and self.booking.override_reason:
            self._note(f"Not held: {error}.")
            self.action_override(error=f"{str(error)[:1].upper()}{str(error)[1:]}.")
        elif isinstance(error, FrontDeskError):
            self._note(f"Not held: {error}")
        else:
            self._note("Could not hold the time; try again.")

    def _booked(self, worker: Worker[Any]) -> None:
        from frontdesk.services.errors import FrontDeskError
        from frontdesk.services.scheduling import BookingNeedsConfirmation

        if worker.state == WorkerState.SUCCESS and worker.result is not None:
            self.held = None
            self.dismiss(worker.result)
            return
        error = worker.error
        if self._merged(error):
            return
        if isinstance(error, BookingNeedsConfirmation) and self.held is not None:
            held = self.held
            self._warned(error, then=lambda: self._confirm(held))
            return
        self._note(f"Not booked: {error}" if isinstance(error, FrontDeskError)
                   else "Could not book; Enter to try again.")

    def _warned(self, error: BookingNeedsConfirmation, then: Callable[[], object]) -> None:
        """The services' warnings, to accept (then try again) or not (choose another time)."""
        self._note("Not booked yet: " + "; ".join(w.text for w in error.warnings) + ".")

        def answered(yes: bool | None) -> None:
            if yes:
                codes = tuple(dict.fromkeys((*self.booking.accept_warnings, *error.codes)))
                self.booking = replace(self.booking, accept_warnings=codes)
                self._note("Trying again, with the warnings accepted…")
                then()

        self.app.push_screen(warnings_question([w.text for w in error.warnings]), answered)

    def _first_visit(self, message: str) -> None:
        self._note(f"Not held: {message}.")

        def answered(yes: bool | None) -> None:
            if yes and self.chosen is not None:
                self.booking = replace(self.booking, ordered_by_physician=True)
                self._note("Holding the time for the caller, as ordered by the physician…")
                self._hold(self.chosen, self.booking)

        self.app.push_screen(first_visit_question(message), answered)

    # ------------------------------------------------------------------ keys

    def action_override(self, error: str = "") -> None:
        if not self.refused or self.chosen is None:
            return

        def authorised(answer: Authorised | None) -> None:
            if answer is None or self.chosen is None:
                return
            self.booking = replace(self.booking, override_by=answer.who,
                                   override_reason=answer.why,
                                   override_password=answer.password or None)
            self._note("Holding the time for the caller, with the override…")
            self._hold(self.chosen, self.booking)

        b = self.booking
        self.app.push_screen(OverrideDialog(
            self.refused, self.backend.staff, may_override=self.backend.may_override(),
            who=b.override_by or "", why=b.override_reason or "", error=error), authorised)

    def _merged(self, error: BaseException | None) -> bool:
        """The caller's record was merged into another meanwhile: back to the call, which
        switches to the record kept (``merged``)."""
        from frontdesk.services.errors import MergedAway

        if not isinstance(error, MergedAway):
            return False
        self.merged = error
        self.dismiss(None)
        return True

    def action_back(self) -> None:
        if self.held is not None:
            self._release(self.held)
            self.notify("The held time was let go.", markup=False)
        self.dismiss(None)


class BookForCaller(CallbacksDue):
    """The call screen's booking: the offer dialog for a visit type (from the pathway or the
    treatment lookup), then the read-back once it is booked."""

    @on(Worker.StateChanged)
    def _booking_worked(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "call-readback":
            return
        if event.state == WorkerState.SUCCESS and event.worker.result is not None:
            self._show_read_back(*event.worker.result)
        elif event.state in (WorkerState.SUCCESS, WorkerState.ERROR):
            self.notify("Done, but the read-back could not be loaded: see the visit's "
                        "details.", severity="warning", markup=False)

    def _offer(self, visit_type: str, *, physician_review: bool = False) -> None:
        """Offer times for ``visit_type``: a procedure's details come from the caller's
        answers, and what they lack is asked first (the treatment lookup books without
        them); ``physician_review``: the pathway routes it to physician review."""
        from frontdesk.ui.backend.door import CallBooking

        if self.patient is None:
            self.notify("Identify the caller first: their phone, name or date of birth.",
                        severity="warning", markup=False)
            self.query_one("#call-search", Input).focus()
            return
        answers = self._answers()
        patient = self.patient
        kind = next((v for v in self.backend.visit_types() if v.code == visit_type), None)
        procedure = kind is not None and kind.is_procedure
        known = ProcedureDetails(
            answers.get("region") or answers.get("pain_area") if procedure else None,
            answers.get("levels") if procedure else None,
            answers.get("side") if procedure else None)
        name = self.query_one(PathwayPanel).names.get(
            visit_type, kind.name if kind is not None else visit_type)

        def offer(details: ProcedureDetails | None) -> None:
            if details is None:
                return
            booking = CallBooking(visit_type=visit_type, region=details.region,
                                  levels=details.levels, side=details.side,
                                  physician_review=physician_review)
            dialog = CallBookingDialog(self.backend, patient, booking, name)

            def done(appt: AppointmentView | None) -> None:
                if dialog.merged is not None:
                    self._caller_merged(dialog.merged)
                self._after_booking(appt)

            self.app.push_screen(dialog, done)

        if procedure and not known.complete_for(visit_type):
            self.app.push_screen(ProcedureDialog(
                f"{name}: where is it done?", visit_type, known=known), offer)
        else:
            offer(known)

    def _caller_merged(self, error: BaseException | None) -> bool:
        """Whether ``error`` says the caller's record was merged into another (the call then
        goes on with the record kept); the call screen knows how."""
        return False

    def _after_booking(self, appt: AppointmentView | None) -> None:
        if appt is None:
            return
        self.booked = appt
        self._done(CallOutcome.BOOKED, appt.id)
        self.query_one("#call-status", Static).update(
            f"Booked: {appt.visit_type_name} · appointment {appt.id}.", layout=False)
        self._read_back(appt.id)

    @work(thread=True, exclusive=True, group="call-readback", exit_on_error=False)
    def _read_back(self, appointment_id: int, *, moved: bool = False) -> tuple[Any, bool]:
        return self.backend.read_back(appointment_id, moved=moved), moved

    def _show_read_back(self, script: Any, moved: bool = False) -> None:
        """The confirmation to read to the caller; Enter logs the call as booked (or as a
        move)."""
        outcome = CallOutcome.MOVED if moved else CallOutcome.BOOKED

        def done(log: bool | None) -> None:
            if log:
                self._end(outcome)

        self.app.push_screen(ReadBackDialog(script), done)
