"""A new patient, added during a call: the patient form (name, date of birth, phones with text
consent, email, address, preferred location, payer and member id, alerts).

Before anybody is added, the patients on file who may be the caller (the same birth date and a
similar name, or the same phone) are listed: the person picks one — who becomes the caller —
or says explicitly that this is a new patient. Nothing is saved half-way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from frontdesk.domain.payers import PayerPlan
from frontdesk.services.errors import PossibleDuplicates
from frontdesk.services.views import DuplicateView, LocationView, PatientView
from frontdesk.ui.call.patient_form import PatientForm
from frontdesk.ui.text import patient_line, printable

NEW = "new"  # the option that says: somebody else, a new patient


class NewPatientDialog(PatientForm):
    """Dismisses with the patient as saved — or the one on file the person picked instead
    (``picked`` is then True) — or ``None`` when the person backs out.

    ``save`` runs in a thread with the typed details (``name``, ``dob`` as a date, ``phone``,
    ``location`` name or None, ``payer``, ``member_id``, ``mobile``, ``sms_consent``,
    ``email``, ``email_consent``, ``address``, ``city``, ``state``, ``zip``, ``alerts``,
    ``alert_note`` and ``confirmed_new``); the problems it reports show under their fields,
    and the possible duplicates it finds are listed to pick from. ``check`` finds the problems
    of the details it is given without saving (used when the birth date cannot be read, so
    that every problem still shows at once).
    """

    TITLE = "New patient"
    HELP = "Enter or Ctrl+S adds the patient · Esc closes without saving"

    def __init__(self, *, save: Callable[..., PatientView], locations: Sequence[LocationView],
                 today: date, plans: Callable[[str], Sequence[PayerPlan]],
                 given_name: str = "", check: Callable[..., list[tuple[str, str]]] | None = None,
                 places: Mapping[int, str] | None = None, given_phone: str = "") -> None:
        super().__init__(locations=locations, today=today, plans=plans, given_name=given_name,
                         check=check, given_phone=given_phone)
        self._save_patient = save
        self.places = places or {loc.id: loc.name for loc in locations}
        self.candidates: tuple[DuplicateView, ...] = ()
        self.picked = False
        self.typed_when_picked: dict[str, Any] = {}  # the details typed, when one is picked

    def _extra(self) -> ComposeResult:
        yield Static("", id="dupes-title", markup=False)
        yield OptionList(id="dupes")

    def on_mount(self) -> None:
        super().on_mount()
        self._hide_candidates()

    def _hide_candidates(self) -> None:
        self.candidates = ()
        self.query_one("#dupes-title").display = False
        self.query_one("#dupes").display = False

    @on(Input.Changed)
    def _retyped(self) -> None:
        if self.candidates:
            self._hide_candidates()  # looked for again on the next save

    def _save_in_thread(self, values: dict[str, Any], *, confirmed_new: bool = False) -> None:
        details, problems = self.checked(values)
        details["location"] = details["location"] or None
        details["payer"] = details["payer"] or None
        details["member_id"] = details["member_id"] or None
        save = self._save_patient
        self._submit(details, problems, lambda: save(confirmed_new=confirmed_new, **details))

    def _refused(self, error: BaseException | None) -> None:
        if isinstance(error, PossibleDuplicates):
            self._show_candidates(error.candidates)
            return
        super()._refused(error)

    def _show_candidates(self, found: tuple[DuplicateView, ...]) -> None:
        self.candidates = found
        title = self.query_one("#dupes-title", Static)
        title.update("Already on file? Confirm the date of birth, then pick the caller — or "
                     "the last line for a new patient:")
        title.display = True
        listed = self.query_one("#dupes", OptionList)
        listed.clear_options()
        listed.add_options([
            *(Option(Content(f"{patient_line(d.patient, self.places)} — "
                             f"{printable('; '.join(d.reasons))}"), id=str(d.patient.id))
              for d in found),
            Option(Content("None of these: add as a new patient"), id=NEW)])
        listed.display = True
        listed.highlighted = 0
        listed.focus()
        listed.scroll_visible()

    @on(OptionList.OptionSelected, "#dupes")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option_id == NEW:
            if not self.saving:
                self.saving = True
                self._save_in_thread(self.typed(), confirmed_new=True)
            return
        chosen = next((d.patient for d in self.candidates
                       if str(d.patient.id) == event.option_id), None)
        if chosen is not None:
            self.picked = True
            self.typed_when_picked = self.typed()
            self.dismiss(chosen)
