"""Book a patient on free time in the day view: find the patient, then choose the visit type.

Only visit types that fit the time, the provider and a room are offered (the day view asks the
services before opening this). The search runs in a thread as the person types, a moment after
the last key; candidates show date of birth, phone and preferred location, so identity is
confirmed, never guessed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from frontdesk.services.views import PatientView, VisitTypeView
from frontdesk.ui.text import patient_line
from frontdesk.ui.widgets.search_field import ResultList, SearchField, pick_words

SEARCH_DELAY = 0.15  # seconds after the last key before searching


@dataclass(frozen=True)
class BookChoice:
    patient_id: int
    visit_type_code: str


class BookDialog(ModalScreen[BookChoice | None]):
    """Dismisses with the patient and visit type chosen, or ``None`` when the person backs out."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="book.back",
                tooltip="Back to the patient search, or close without booking"),
    ]

    def __init__(self, slot: str, *, search: Callable[[str], Sequence[PatientView]],
                 visit_types: Sequence[VisitTypeView], places: Mapping[int, str]) -> None:
        super().__init__()
        self.slot = slot
        self._search = search
        self.visit_types = tuple(visit_types)
        self.places = dict(places)
        self.found: tuple[PatientView, ...] = ()
        self.patient: PatientView | None = None
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="book"):
            yield Static(f"Book at {self.slot}", id="book-title", markup=False)
            yield SearchField(placeholder="Patient: phone, name or date of birth",
                              id="book-search", results="#book-patients")
            yield Static("Type at least two characters.", id="book-note", markup=False)
            yield ResultList(id="book-patients", field="#book-search")
            yield OptionList(*(Option(Content(f"{v.name} · {v.duration_min} min"), id=v.code)
                               for v in self.visit_types), id="book-visits")

    def on_mount(self) -> None:
        self.query_one("#book-patients").display = False
        self.query_one("#book-visits").display = False
        self.query_one(Input).focus()

    def action_back(self) -> None:
        if self.patient is None:
            self.dismiss(None)
            return
        self.patient = None  # back to choosing the patient
        self.query_one("#book-visits").display = False
        self.query_one(Input).display = True
        self.query_one("#book-patients").display = bool(self.found)
        self.query_one("#book-note", Static).update(
            pick_words(len(self.found), "check") if self.found else "Choose the patient.")
        self.query_one(Input).focus()

    # ------------------------------------------------------------------ finding the patient

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(SEARCH_DELAY, lambda: self._look(event.value))

    def _look(self, text: str) -> None:
        if len(text.strip()) < 2:
            self.found = ()
            self.query_one("#book-patients").display = False
            self.query_one("#book-note", Static).update("Type at least two characters.")
            return
        self._find(text)

    @work(thread=True, exclusive=True, group="book-search", exit_on_error=False)
    def _find(self, text: str) -> tuple[str, tuple[PatientView, ...]]:
        return text, tuple(self._search(text))

    @on(Worker.StateChanged)
    def _found(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "book-search":
            return
        note = self.query_one("#book-note", Static)
        if event.state == WorkerState.ERROR:
            note.update("Could not search just now; type again to retry.")
            return
        if event.state != WorkerState.SUCCESS or event.worker.result is None:
            return
        text, found = event.worker.result
        if text != self.query_one(Input).value or self.patient is not None:
            return  # typed on meanwhile, or already chosen
        self.found = found
        patients = self.query_one("#book-patients", OptionList)
        patients.clear_options()
        patients.add_options([Option(Content(patient_line(p, self.places)), id=str(p.id))
                              for p in found])
        patients.display = bool(found)
        self.query_one(SearchField).results_shown(text)
        if found:
            note.update(pick_words(len(found), "check"))
        else:
            note.update("Nobody found. Try the phone number, the last name, or the date of "
                        "birth (5/17/1970). New patients are added from a call.")

    @on(OptionList.OptionSelected, "#book-patients")
    def _patient_chosen(self, event: OptionList.OptionSelected) -> None:
        chosen = next((p for p in self.found if str(p.id) == event.option_id), None)
        if chosen is None:
            return
        self.patient = chosen
        self.query_one(Input).display = False
        event.option_list.display = False
        visits = self.query_one("#book-visits", OptionList)
        visits.display = True
        visits.highlighted = 0
        visits.focus()
        self.query_one("#book-note", Static).update(
            f"{patient_line(chosen, self.places)}\nWhich visit? (Esc: another patient)")

    # ------------------------------------------------------------------ the visit type

    @on(OptionList.OptionSelected, "#book-visits")
    def _visit_chosen(self, event: OptionList.OptionSelected) -> None:
        if self.patient is not None and event.option_id:
            self.dismiss(BookChoice(self.patient.id, event.option_id))
