"""A new patient, added during a call: name, date of birth, phone, preferred location, payer
(a plan from the practice's payer list, found as it is typed) and member id.

Each problem shows under its own field; the patient is written in one transaction (with its
audit event) only when everything is right, so nothing is ever saved half-way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Input, Label, Select, Static
from textual.worker import Worker, WorkerState

from frontdesk.domain.dates import DateWordsError, parse_date_words
from frontdesk.domain.payers import PayerPlan, folded
from frontdesk.services.views import LocationView, PatientView

FIELDS = ("name", "dob", "phone", "location", "payer", "member_id")


class NewPatientDialog(ModalScreen[PatientView | None]):
    """Dismisses with the patient as saved, or ``None`` when the person backs out.

    ``save`` runs in a thread with the typed values (``name``, ``dob`` as a date, ``phone``,
    ``location`` name or None, ``payer``, ``member_id``); an ``InvalidInput`` it raises shows
    under its field. ``plans`` finds the payer list's plans for what is typed (best first):
    the best is offered for completion (→) and the others shown under the field.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Back", id="new_patient.back",
                tooltip="Close without adding anybody"),
        Binding("ctrl+s", "save", "Save", id="new_patient.save", tooltip="Add the patient"),
    ]

    def __init__(self, *, save: Callable[..., PatientView], locations: Sequence[LocationView],
                 today: date, plans: Callable[[str], Sequence[PayerPlan]],
                 given_name: str = "") -> None:
        super().__init__()
        self._save_patient = save
        self.plans = plans
        self.locations = tuple(locations)
        self.today = today
        self.given_name = given_name
        self.saving = False

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="new-patient"):
            yield Static("New patient", id="new-patient-title")
            yield from self._row("Name", Input(self.given_name, placeholder="First Last",
                                               id="name", max_length=121, compact=True))
            yield from self._row("Born", Input(placeholder="e.g. 5/17/1970", id="dob",
                                               compact=True))
            yield from self._row("Phone", Input(placeholder="e.g. 918-555-0142", id="phone",
                                                max_length=30, compact=True))
            yield from self._row("Location", Select(
                [(loc.name, loc.name) for loc in self.locations], id="location",
                prompt="Preferred location (optional)", compact=True))
            yield from self._row("Payer", Input(
                placeholder="type to search the payer list (optional)", id="payer",
                max_length=61, compact=True, suggester=PlanSuggester(self.plans)))
            yield Static("", id="payer-matches", classes="form-hint", markup=False)
            yield from self._row("Member id", Input(placeholder="from the card (optional)",
                                                    id="member_id", max_length=41,
                                                    compact=True))
            yield Static("", id="form-error", classes="form-error", markup=False)
            yield Static("Enter or Ctrl+S adds the patient · Esc closes without saving",
                         id="new-patient-help", markup=False)

    @staticmethod
    def _row(label: str, field: Input | Select[str]) -> ComposeResult:
        with Horizontal(classes="form-row"):
            yield Label(label, classes="form-label")
            yield field
        yield Static("", id=f"{field.id}-error", classes="form-error", markup=False)

    def on_mount(self) -> None:
        for note in self.query(".form-error, .form-hint"):
            note.display = False
        self.query_one("#name" if not self.given_name else "#dob", Input).focus()

    @on(Input.Changed)
    def _edited(self, event: Input.Changed) -> None:
        if event.input.id:
            self.query_one(f"#{event.input.id}-error", Static).display = False
        if event.input.id == "payer":
            self._show_matches(event.value)

    def _show_matches(self, text: str) -> None:
        """Under the payer field: the plans what is typed names, or "not in the list"."""
        hint = self.query_one("#payer-matches", Static)
        hint.display = bool(text.strip())
        if not text.strip():
            return
        hint.update(plans_hint(self.plans, text)
                    or "Not in the practice's payer list — leave it empty if unsure")

    @on(Input.Submitted)
    def _entered(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        if self.saving:
            return
        for note in self.query(".form-error"):
            note.display = False
        values = {f: self.query_one(f"#{f}", Input).value.strip()
                  for f in ("name", "dob", "phone", "payer", "member_id")}
        missing = [f for f in ("name", "dob", "phone") if not values[f]]
        for field in missing:
            self.show_error(field, {"name": "Say the patient's first and last name.",
                                    "dob": "Ask for the date of birth.",
                                    "phone": "Ask for a phone number."}[field])
        if missing:
            return
        try:
            born = parse_date_words(values["dob"], today=self.today)
        except DateWordsError as exc:
            self.show_error("dob", str(exc))
            return
        where = self.query_one("#location", Select).value
        self.saving = True
        self._save(values["name"], born, values["phone"],
                   where if isinstance(where, str) else None, values["payer"] or None,
                   values["member_id"] or None)

    def show_error(self, field: str, message: str) -> None:
        note = self.query_one(f"#{field}-error" if field in FIELDS else "#form-error", Static)
        note.update(message[:1].upper() + message[1:])
        note.display = True

    @work(thread=True, exclusive=True, group="new-patient", exit_on_error=False)
    def _save(self, name: str, born: date, phone: str, location: str | None,
              payer: str | None, member_id: str | None) -> PatientView:
        return self._save_patient(name=name, dob=born, phone=phone, location=location,
                                  payer=payer, member_id=member_id)

    @on(Worker.StateChanged)
    def _saved(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "new-patient":
            return
        if event.state == WorkerState.SUCCESS and event.worker.result is not None:
            self.dismiss(event.worker.result)
        elif event.state == WorkerState.ERROR:
            self.saving = False
            error = event.worker.error
            field = getattr(error, "field", "")
            message = getattr(error, "message", "") or "Could not save; nothing was written."
            self.show_error(field, message)


def plans_hint(plans: Callable[[str], Sequence[PayerPlan]], text: str) -> str:
    """"In the list: A · B · C" for what is typed; empty when it names no plan."""
    found = list(plans(text))[:3]
    return ("In the list: " + " · ".join(p.name for p in found)) if found else ""


class PlanSuggester(Suggester):
    """Completes the payer field with the best plan's name (or the alias being typed)."""

    def __init__(self, plans: Callable[[str], Sequence[PayerPlan]]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.plans = plans

    async def get_suggestion(self, value: str) -> str | None:
        typed = value.casefold()
        for plan in self.plans(value)[:1]:
            for name in (plan.name, *plan.aliases):
                if typed and name.casefold().startswith(typed) and folded(name):
                    return value + name[len(value):]
        return None
