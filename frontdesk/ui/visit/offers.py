"""Reschedule by choosing among offered free slots: a modal list read in a thread.

The offers are the services' own ranking for the visit's type — its location and provider
first, then the earliest — so what is offered can really be booked (the move still goes through
the services, which check again).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from frontdesk.domain.text import printable
from frontdesk.services.views import AppointmentView, SlotView
from frontdesk.ui.text import slot_text, when_text


class SlotOffers(ModalScreen[SlotView | None]):
    """Dismisses with the chosen slot, or ``None`` when the person backs out."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Back", id="offers.back",
                tooltip="Close without moving the visit"),
    ]

    def __init__(self, appt: AppointmentView,
                 offers: Callable[[], Sequence[SlotView]]) -> None:
        super().__init__()
        self.appt = appt
        self._offers = offers
        self.slots: tuple[SlotView, ...] = ()

    def compose(self) -> ComposeResult:
        a = self.appt
        with Vertical(id="offers"):
            yield Static(f"Move {printable(a.patient_short)} · {a.visit_type_name.split(' (')[0]}\n"
                         f"now {when_text(a)} with {a.provider_name} at {a.location_name}",
                         id="offers-title", markup=False)
            yield Static("Looking for free times…", id="offers-note", markup=False)
            yield OptionList(id="offers-options")

    def on_mount(self) -> None:
        self.query_one(OptionList).display = False
        self._read()

    @work(thread=True, exclusive=True, group="offers", exit_on_error=False)
    def _read(self) -> tuple[SlotView, ...]:
        return tuple(self._offers())

    @on(Worker.StateChanged)
    def _loaded(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "offers":
            return
        note = self.query_one("#offers-note", Static)
        if event.state == WorkerState.ERROR:
            note.update("Could not look for free times; Esc and try again.")
        elif event.state == WorkerState.SUCCESS and event.worker.result is not None:
            self.slots = event.worker.result
            if not self.slots:
                note.update("No free time for this visit in the next 90 days. Esc to go back.")
                return
            note.update("Free times (this location and provider first). Enter moves the visit.")
            options = self.query_one(OptionList)
            options.add_options([Option(Content(slot_text(s)), id=str(i))
                                 for i, s in enumerate(self.slots)])
            options.display = True
            options.highlighted = 0
            options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.slots[int(event.option_id or 0)])
