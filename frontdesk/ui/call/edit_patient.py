"""Editing the caller's details during the call (Ctrl+T): the patient form, opened with the
record as it was read; only what the person changes is sent, against the version they saw, in
one audited transaction. A record changed meanwhile is not overwritten: reopen it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from textual.widgets import Checkbox, Input, Select, Static

from frontdesk.domain.payers import PayerPlan
from frontdesk.services.errors import MergedAway, StalePatient
from frontdesk.services.views import LocationView, PatientView
from frontdesk.ui.backend.calls import Signed
from frontdesk.ui.call.patient_form import CONSENT_OF, LABELS, PatientForm
from frontdesk.ui.call.plan_override import PlanSigning, Upcoming, dated
from frontdesk.ui.text import phone_text, printable


class EditPatientDialog(PatientForm):
    """Dismisses with the patient as saved, or ``None`` (backed out, or nothing changed; when
    the record changed meanwhile, ``current`` holds it as it is now).
    ``save`` runs in a thread: ``save(patient_id=, version=, **changes)`` with only the details
    changed; its problems show under their fields, all at once."""

    HELP = "Enter or Ctrl+S saves the changes · Esc closes without saving"

    def __init__(self, *, patient: PatientView, save: Callable[..., PatientView],
                 locations: Sequence[LocationView], today: date,
                 plans: Callable[[str], Sequence[PayerPlan]], payer: str,
                 check: Callable[..., list[tuple[str, str]]] | None = None,
                 typed: Mapping[str, Any] | None = None, acting: str | None = None,
                 may_override: bool = False, upcoming: Upcoming | None = None) -> None:
        super().__init__(locations=locations, today=today, plans=plans, patient=patient,
                         payer_text=payer, phone_text=phone_text, check=check)
        self.typed_for_new = dict(typed or {})  # put in the form, not saved until Ctrl+S
        self._save_patient = save
        self.current: PatientView | None = None  # the record as it is now, when it changed
        self.merged: MergedAway | None = None  # the record was merged into another meanwhile
        self.upcoming = upcoming
        self.signing = PlanSigning(self, acting=acting, may_override=may_override,
                                   show=self._broken, retry=self._signed)
        self.pending: dict[str, Any] = {}  # the details sent, to send again once signed

    def _title(self) -> str:
        p = self.patient
        assert p is not None
        return printable(f"Edit patient {p.id} · {p.last_name}, {p.first_name} "
                         f"(version {p.version})")

    def on_mount(self) -> None:
        # Textual runs the form's own on_mount too, after this one: it takes the form as
        # opened (the record) as the starting point, so what is brought in after it is sent
        if self.typed_for_new:
            self.call_later(self._bring)

    def _bring(self) -> None:
        brought = self.typed_for_new
        for field, value in brought.items():
            if field == "alerts":
                for code in value:
                    self.query_one(f"#alert-{code}", Checkbox).value = True
            elif field in ("sms_consent", "email_consent"):
                self.query_one(f"#{field}", Checkbox).value = bool(value)
            elif field == "location":
                self.query_one("#location", Select).value = value
            else:
                self.query_one(f"#{field}", Input).value = value
        for field, consent in CONSENT_OF.items():
            if field in brought and consent not in brought:  # not agreed to the new one
                self.query_one(f"#{consent}", Checkbox).value = False
        said = ", ".join(LABELS.get(f, f) for f in brought)
        self.query_one("#patient-form-title", Static).update(
            f"{self._title()}\nTyped for a new patient, not saved yet: {said}. Ctrl+S saves "
            "it to this record; Esc leaves the record as it is.")

    def changes(self, values: dict[str, Any]) -> dict[str, Any]:
        """What differs from the form as it opened; a new mobile or address goes with its
        consent box as it stands (a consent is to the one it was given for)."""
        out = {k: v for k, v in values.items() if v != self.initial.get(k)}
        for field, consent in CONSENT_OF.items():
            if field in out and values.get(consent):
                out[consent] = True
        return out

    def _save_in_thread(self, values: dict[str, Any]) -> None:
        p = self.patient
        assert p is not None
        wanted = self.changes(values)
        if not wanted:
            self.saving = False
            self.notify("Nothing changed.", markup=False)
            self.dismiss(None)
            return
        details, problems = self.checked(wanted)
        self.pending = details
        self._submit(details, problems, lambda: self._send(details))

    def _send(self, details: dict[str, Any], override: Signed | None = None) -> PatientView:
        """(In the worker thread.) The changes against the version opened."""
        p = self.patient
        assert p is not None
        save = self._save_patient
        return dated(lambda: save(patient_id=p.id, version=p.version, override=override,
                                  **details), self.upcoming, p.id, self.signing.when)

    def _broken(self, text: str) -> None:
        self.show_problems([("", text)])

    def _signed(self, override: Signed) -> None:
        details = self.pending
        self.saving = True
        self._run(lambda: self._send(details, override))

    def _refused(self, error: BaseException | None) -> None:
        if isinstance(error, MergedAway):  # back to the call, which shows the record kept
            self.merged = error
            self.dismiss(None)
            return
        if self.signing.handle(error):
            return
        if isinstance(error, StalePatient):
            self.current = error.current
            self.show_problems([("", "Changed by someone else meanwhile: nothing was saved. "
                                     "Esc, then Ctrl+T to reopen it as it is now.")])
            return
        super()._refused(error)
