"""Reschedule by choosing among offered free slots: a modal list read in a thread.

The offers are the services' own ranking for the visit's type — its location and provider
first, then the earliest — so what is offered can really be booked (the move still goes through
the services, which check again). Given the patient's distances (by ZIP code, worked out in a
worker), each time shows the miles to its location and D looks again in the next order: nearest
first (location by location, the nearest first, a few times at each, then the locations of
unknown distance), soonest first anywhere, or as ranked.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from frontdesk.domain.geo import miles_text
from frontdesk.domain.text import printable
from frontdesk.services.nearest import Distances, Order, ordered
from frontdesk.services.views import AppointmentView, SlotView
from frontdesk.ui.text import offer_text, when_text

LINE = 72  # cells an offered time may take in the dialog (its list, less a scroll bar)
ORDER_WORDS = {Order.BEST: "Free times (this location and provider first)",
               Order.NEAREST: "Nearest first, then soonest",
               Order.SOONEST: "Soonest first"}


class SlotOffers(ModalScreen[SlotView | None]):
    """Dismisses with the chosen slot, or ``None`` when the person backs out."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Back", id="offers.back",
                tooltip="Close without moving the visit"),
        Binding("d", "order", "Order", id="offers.order",
                tooltip="Order the times: as ranked, nearest first (by the patient's ZIP), "
                        "soonest first"),
    ]

    def __init__(self, appt: AppointmentView,
                 offers: Callable[[Order, Mapping[int, float]], Sequence[SlotView]],
                 distances: Callable[[], Distances] | None = None) -> None:
        """``offers(order, miles)``: the free times in that order (``miles``: the patient's
        distance to each location, by id); ``distances``: those distances (None: none
        shown)."""
        super().__init__()
        self.appt = appt
        self._offers = offers
        self._distances = distances
        self.offered: tuple[SlotView, ...] = ()  # as ranked
        self.slots: tuple[SlotView, ...] = ()  # as shown
        self.distances: Distances | None = None
        self.order = Order.BEST

    def compose(self) -> ComposeResult:
        a = self.appt
        with Vertical(id="offers"):
            yield Static(f"Move {printable(a.patient_short)} · {a.visit_type_name.split(' (')[0]}\n"
                         f"now {when_text(a)} with {a.provider_name} at {a.location_name}",
                         id="offers-title", markup=False)
            yield Static("Looking for free times…", id="offers-note", markup=False)
            yield OptionList(id="offers-options")
        yield Footer()  # this dialog's keys, not those of the screen under it

    def on_mount(self) -> None:
        self.query_one(OptionList).display = False
        self._read()
        if self._distances is not None:
            self._miles()

    @work(thread=True, exclusive=True, group="offers-miles", exit_on_error=False)
    def _miles(self) -> Distances:
        assert self._distances is not None
        return self._distances()  # the ZIP table loads here, off the loop

    @work(thread=True, exclusive=True, group="offers", exit_on_error=False)
    def _read(self) -> tuple[SlotView, ...]:
        miles = self.distances.miles if self.distances is not None else {}
        return tuple(self._offers(self.order, miles))

    @on(Worker.StateChanged)
    def _loaded(self, event: Worker.StateChanged) -> None:
        worker, state = event.worker, event.state
        if worker.group == "offers-miles" and state in (WorkerState.SUCCESS, WorkerState.ERROR):
            self.distances = (worker.result if state == WorkerState.SUCCESS
                              and worker.result is not None
                              else Distances(note="No distances: the ZIP code table could not "
                                                  "be read."))
            if self.offered:
                self._list()
            return
        if worker.group != "offers":
            return
        note = self.query_one("#offers-note", Static)
        if state == WorkerState.ERROR:
            note.update("Could not look for free times; Esc and try again.")
        elif state == WorkerState.SUCCESS and worker.result is not None:
            self.offered = worker.result
            if not self.offered:
                note.update("No free time for this visit in the next 90 days. Esc to go back."
                            if self.order is Order.BEST else
                            f"No free time found, {self.order.value} first. D: look again in "
                            "the next order; Esc to go back.")
                return
            self._list()

    def _orders(self) -> tuple[Order, ...]:
        if self._distances is None:
            return (Order.BEST, Order.SOONEST)
        return self.distances.orders() if self.distances is not None else (
            Order.BEST, Order.SOONEST)

    def _list(self) -> None:
        miles = self.distances.miles if self.distances is not None else {}
        self.slots = tuple(ordered(self.offered, self.order, miles))
        orders = self._orders()
        then = orders[(orders.index(self.order) + 1) % len(orders)] \
            if self.order in orders else Order.BEST
        said = f"{ORDER_WORDS[self.order]}. Enter moves the visit.\nD: {then.value} first"
        if self.distances is not None and self.distances.note:
            said += f"\n{self.distances.note}"
        self.query_one("#offers-note", Static).update(said)
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([
            Option(Content(offer_text(s, miles=miles_text(miles[s.location_id])
                                      if s.location_id in miles else "", width=LINE)),
                   id=str(i))
            for i, s in enumerate(self.slots)])
        options.display = True
        options.highlighted = 0
        options.focus()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "order":
            return len(self.offered) > 1 or self.order is not Order.BEST
        return True

    def action_order(self) -> None:
        """D: the free times looked for again in the next order (as ranked → nearest →
        soonest first)."""
        if len(self.offered) < 2 and self.order is Order.BEST:
            return
        orders = self._orders()
        now = self.order if self.order in orders else Order.BEST
        self.order = orders[(orders.index(now) + 1) % len(orders)]
        self.query_one("#offers-note", Static).update(
            f"Looking for free times, {self.order.value} first…")
        self._read()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.slots[int(event.option_id or 0)])
