"""A caller who wants to move or cancel a visit: their upcoming visits, with ``s`` to move one
to an offered free time and ``x`` to cancel it with a reason — without leaving the call."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from frontdesk.domain.text import printable
from frontdesk.ui.backend.changes import Ask, Move, Outcome, Request
from frontdesk.ui.visit.cancel import CancelDialog
from frontdesk.ui.visit.offers import SlotOffers
from frontdesk.ui.widgets.booking import CheckAnswers
from frontdesk.ui.widgets.waitlist import offer_freed_time

if TYPE_CHECKING:
    from frontdesk.services.views import AppointmentView, PatientView, SlotView
    from frontdesk.ui.backend.door import Backend


def visit_line(appt: AppointmentView) -> str:
    """'Thu 11 Mar 09:00 · Follow-up · Able · Test Clinic · booked' (fits 80 columns)."""
    start = appt.local_start
    provider = appt.provider_name.split(",")[0].split()[-1]
    return (f"{start:%a} {start.day} {start:%b %H:%M} · {appt.visit_type_name.split(' (')[0]}"
            f" · {provider} · {appt.location_name} · {appt.status.label}")


class VisitsPanel(Vertical):
    """The caller's upcoming visits and what can be done to them."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "move", "Move", id="visits.move",
                tooltip="Move the highlighted visit to one of the offered free times"),
        Binding("x", "cancel_visit", "Cancel visit", id="visits.cancel",
                tooltip="Cancel the highlighted visit (asks for a reason)"),
        Binding("w", "earlier", "Earlier time", id="visits.earlier",
                tooltip="The caller wants the highlighted visit earlier: put it on the "
                        "waitlist (where, which days, what times, until)"),
    ]

    class Changed(Message):
        def __init__(self, outcome: Outcome, appointment_id: int, *, moved: bool) -> None:
            super().__init__()
            self.outcome = outcome
            self.appointment_id = appointment_id
            self.moved = moved

    def __init__(self, backend: Backend, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.backend = backend
        self.patient: PatientView | None = None
        self.visits: tuple[AppointmentView, ...] = ()
        self._take_focus = False
        self._checks: CheckAnswers | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="visits-title", markup=False)
        yield OptionList(id="visits-list")

    def on_mount(self) -> None:
        self.display = False

    def load(self, patient: PatientView | None, *, show: bool, take_focus: bool) -> None:
        self.patient = patient
        self.display = show and patient is not None
        if self.display and patient is not None:
            self._take_focus = take_focus
            self._read(patient.id)

    @work(thread=True, exclusive=True, group="visits", exit_on_error=False)
    def _read(self, patient_id: int) -> tuple[AppointmentView, ...]:
        return tuple(self.backend.upcoming(patient_id))

    @property
    def selected(self) -> AppointmentView | None:
        listing = self.query_one(OptionList)
        if listing.highlighted is None or not self.visits:
            return None
        return self.visits[listing.highlighted]

    @on(Worker.StateChanged)
    def _worked(self, event: Worker.StateChanged) -> None:
        group, state = event.worker.group, event.state
        if group not in ("visits", "visits-change"):
            return
        event.stop()
        if state not in (WorkerState.SUCCESS, WorkerState.ERROR):
            return
        title = self.query_one("#visits-title", Static)
        if group == "visits-change":
            if state == WorkerState.SUCCESS and event.worker.result is not None:
                outcome, appointment_id, change = event.worker.result
                if outcome.ask is not None and isinstance(change, Move):
                    self._answer(change, outcome.ask)
                    return
                self.post_message(self.Changed(outcome, appointment_id,
                                               moved=isinstance(change, Move)))
                before = next((v for v in self.visits if v.id == appointment_id), None)
                if outcome.changed and before is not None:
                    offer_freed_time(self, self.backend, before,
                                     "moved" if isinstance(change, Move) else "cancelled",
                                     after_call=True)
            if self.patient is not None:
                self._read(self.patient.id)
            return
        if state == WorkerState.ERROR or event.worker.result is None:
            title.update("Could not read the caller's visits; try the reason again.")
            return
        self.visits = event.worker.result
        listing = self.query_one(OptionList)
        listing.clear_options()
        listing.add_options([Option(Content(visit_line(v)), id=str(v.id)) for v in self.visits])
        listing.display = bool(self.visits)
        if not self.visits:
            title.update("No upcoming visits to move or cancel.")
            return
        title.update(f"Upcoming visits ({len(self.visits)}) · s move to a free time · "
                     "x cancel · w wanted earlier")
        listing.highlighted = 0
        if self._take_focus:
            listing.focus()

    def action_move(self) -> None:
        appt = self.selected
        if appt is None:
            return

        def chosen(slot: SlotView | None) -> None:
            if slot is not None:
                self._change(Move(appt.id, appt.version, slot.start,
                                  slot.provider_id, slot.location_id), appt.id)

        patient = self.patient
        miles = (None if patient is None
                 else lambda: self.backend.distances(patient))  # the caller's, by ZIP
        self.app.push_screen(SlotOffers(
            appt, lambda order, near: self.backend.offers(appt, order=order, miles=near),
            miles), chosen)

    def action_cancel_visit(self) -> None:
        appt = self.selected
        if appt is None:
            return

        def reason_given(reason: str | None) -> None:
            if reason is not None:
                self._change(Request(appt.id, appt.version, reason=reason),
                             appt.id)

        self.app.push_screen(CancelDialog(appt, late=self.backend.is_late_cancel(appt),
                                          late_hours=self.backend.late_cancel_hours()),
                             reason_given)

    def action_earlier(self) -> None:
        from frontdesk.domain.model import Status
        from frontdesk.ui.backend.waitlist import Wish
        from frontdesk.ui.widgets.waitlist_form import WaitlistForm

        appt = self.selected
        if appt is None:
            return
        if appt.status not in (Status.BOOKED, Status.CONFIRMED):
            self.notify("Only a booked visit can be put on the waitlist for an earlier time.",
                        severity="warning", markup=False)
            return

        def saved(message: str | None) -> None:
            if message:
                self.notify(message, markup=False)

        start = appt.local_start
        self.app.push_screen(WaitlistForm(
            self.backend, f"Earlier time wanted · {printable(appt.patient_short)}\n"
                          f"{appt.visit_type_name.split(' (')[0]}, now {start:%a} {start.day} "
                          f"{start:%b %H:%M} at {appt.location_name}",
            Wish(appt.patient_id, appointment_id=appt.id), today=self.backend.today()), saved)

    def _answer(self, change: Move, ask: Ask) -> None:
        """What the booking checks need before the move (warnings, an override, …)."""
        if self._checks is None:
            self._checks = CheckAnswers(self.app, self.backend)
        code = next((v.visit_type_code for v in self.visits if v.id == change.appointment_id),
                    "")
        self._checks.answer(change, ask, code,
                            lambda again: self._change(again, change.appointment_id))

    @work(thread=True, exclusive=True, group="visits-change", exit_on_error=False)
    def _change(self, change: Any, appointment_id: int) -> tuple[Outcome, int, Any]:
        self._take_focus = True
        return self.backend.apply(change), appointment_id, change
