"""Who is calling: the search as the caller's number or name is typed, the candidates to
confirm, the caller line (with the plan, and Ctrl+Y to set it) and the alerts staff must see,
a new patient (Ctrl+N), the caller's details edited (Ctrl+T), and the caller's record read the
moment they are identified."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from frontdesk.domain.calls import CallReason
from frontdesk.ui.call.booking import BookForCaller
from frontdesk.ui.call.draft import elapsed
from frontdesk.ui.call.pathway import PathwayPanel
from frontdesk.ui.call.record import RecordPanel
from frontdesk.ui.call.visits import VisitsPanel
from frontdesk.ui.text import alerts_text, patient_line, phone_text, printable
from frontdesk.ui.widgets.search_field import SearchField, pick_words

if TYPE_CHECKING:
    from frontdesk.services.calls import CallView
    from frontdesk.services.views import AppointmentView, LocationView, PatientView
    from frontdesk.ui.backend.door import Backend

SEARCH_DELAY = 0.15
PHONE_TYPED = re.compile(r"[\d\s()+\-.]{7,30}")  # as the search reads a phone number


class CallerOnLine(BookForCaller):
    """The part of the call screen that finds and shows the caller, and loads the pathway
    (and the caller's visits) once they are known."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+y", "payer", "Payer", id="call.payer", show=False,
                tooltip="Set the caller's payer from the practice's list, and the member id"),
    ]

    def __init__(self, backend: Backend, call: CallView, *,
                 locations: tuple[LocationView, ...]) -> None:
        super().__init__(backend, call)
        self.locations = locations
        self.places: Mapping[int, str] = {loc.id: loc.name for loc in locations}
        self.found: tuple[PatientView, ...] = ()
        self._search_timer: Timer | None = None
        self._switching: int | None = None  # the record kept, while switching to it
        self._pinned: str | None = None  # the search text whose list the caller pop gave

    def _pathway(self, *, take_focus: bool, reason: CallReason | None = None) -> None:
        """Show the pathway (and the caller's visits) for the caller and the call's reason."""
        panel = self.query_one(PathwayPanel)
        why = reason or self._latest("reason")
        panel.load(self.patient, why, self._answers(), take_focus=take_focus,
                   call_id=self.call.id)
        self.query_one(VisitsPanel).load(self.patient, show=why == CallReason.CHANGE_VISIT,
                                         take_focus=take_focus)

    def _tick(self) -> None:
        clock = elapsed(self.call.started_at, self.backend.ctx.now())
        p = self.patient
        who = (printable(f"{p.last_name}, {p.first_name} · born {p.dob.day} {p.dob:%b %Y}")
               if p else "caller not identified")
        self.query_one("#call-title", Static).update(f"Call · {clock} · {who}", layout=False)

    @on(Input.Changed, "#call-search")
    def _typed(self, event: Input.Changed) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        text = event.value
        if text == self._pinned:
            return  # the caller pop's list for this number stands (no search second-guesses it)
        self._pinned = None
        self._search_timer = self.set_timer(SEARCH_DELAY, lambda: self._look(text))

    def _look(self, text: str) -> None:
        self._save(answers={**self._answers(),
                            "search": text})
        candidates = self.query_one("#call-candidates", OptionList)
        if len(text.strip()) < 2:
            self.found = ()
            candidates.display = False
            self._hint("")
            return
        self._find(text)

    @work(thread=True, exclusive=True, group="call-search", exit_on_error=False)
    def _find(self, text: str) -> tuple[str, tuple[PatientView, ...]]:
        return text, tuple(self.backend.find_patients(text))

    @on(OptionList.OptionSelected, "#call-candidates")
    def _identified(self, event: OptionList.OptionSelected) -> None:
        chosen = next((p for p in self.found if str(p.id) == event.option_id), None)
        if chosen is not None:
            self._confirm(chosen)

    def _confirm(self, patient: PatientView) -> None:
        self.patient = patient
        self.query_one("#call-candidates").display = False
        self._show_callbacks(())
        self._hint("")
        self._show_caller()
        self._save(patient_id=patient.id)
        self._read_record()
        self._pathway(take_focus=False)
        self.query_one("#call-reason", OptionList).focus()

    def offer_callers(self, number: str, found: tuple[PatientView, ...]) -> None:
        """The caller pop: exactly the patients on file with ``number`` (E.164) listed to pick
        from, or none (the hint says so, and Ctrl+N adds the caller). One is highlighted, for
        one Enter to take once the desk has confirmed who is calling (caller ID can be faked,
        or the spouse calls); nobody is the call's caller until picked. More than
        ``MAX_CALLERS``: the first of them, and the hint says to search by name."""
        from frontdesk.services.pop.callers import MAX_CALLERS

        text = phone_text(number)
        self._pinned = text
        field = self.query_one("#call-search", Input)
        with field.prevent(Input.Changed):
            field.value = text
        self._show_found(text, found[:MAX_CALLERS])
        if len(found) > MAX_CALLERS:
            self._hint(f"More than {MAX_CALLERS} patients have this number: search by name "
                       "(or ↓ and Enter picks one of these).")
        elif len(found) == 1:
            who = found[0]
            self._hint(f"Caller ID matches {printable(f'{who.last_name}, {who.first_name}')}: "
                       "confirm name and date of birth, then Enter.")
        elif found:
            self._hint(f"{len(found)} patients have this number: confirm the date of birth, "
                       "then ↓ and Enter.")
        else:
            self._hint("Nobody on file has this number: Ctrl+N adds the caller as a new "
                       "patient (a caller on another's phone: search by name).")

    def _hint(self, text: str) -> None:
        hint = self.query_one("#call-hint", Static)
        hint.update(text)
        hint.display = bool(text)

    def _show_caller(self) -> None:
        line = self.query_one("#call-caller", Static)
        line.display = self.patient is not None
        alerts = self.query_one("#call-alerts", Static)
        warning = alerts_text(self.patient.alerts, self.patient.alert_note) if self.patient \
            else ""
        alerts.update(warning)
        alerts.display = bool(warning)
        self.refresh_bindings()  # Ctrl+T edits an identified caller
        if self.patient is None:
            return
        payer = self.backend.payer_of(self.patient)
        line.update(f"✓ {patient_line(self.patient, self.places)} · {printable(payer.label)}"
                    + ("" if payer.recognised else " — Ctrl+Y sets it from the payer list"))
        self._tick()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("payer", "edit_patient"):
            return self.patient is not None
        if action == "callbacks":  # a callback starts a call of its own (F2)
            return self.patient is None
        return super().check_action(action, parameters)

    def action_payer(self) -> None:
        from frontdesk.ui.call.payer import PayerDialog

        if self.patient is None:
            return

        dialog = PayerDialog(patient=self.patient, current=self.backend.payer_label(self.patient),
                             plans=self.backend.payer_plans, save=self.backend.set_payer,
                             acting=self.backend.staff, may_override=self.backend.may_override(),
                             upcoming=self.backend.upcoming)

        def saved(patient: PatientView | None) -> None:
            if dialog.merged is not None:
                self._caller_merged(dialog.merged)
            if patient is None and dialog.fresh is not None:  # changed meanwhile
                patient = dialog.fresh
                self.patient = patient
                self._show_caller()
                return
            if patient is not None:
                self.notify(f"Payer set: {self.backend.payer_label(patient)}."
                            + overridden_words(patient), markup=False)
                self.patient = patient
                self._show_caller()
                self._read_record()  # the caps are the plan's
                self._pathway(take_focus=False)

        self.app.push_screen(dialog, saved)

    def action_edit_patient(self, typed: dict[str, Any] | None = None) -> None:
        """Ctrl+T: the caller's details in a form, saved against the version read (``typed``:
        details typed for a new patient put in the form, to be saved with Ctrl+S)."""
        from frontdesk.ui.call.edit_patient import EditPatientDialog

        if self.patient is None:
            return

        dialog = EditPatientDialog(
            patient=self.patient, save=self.backend.edit_patient, locations=self.locations,
            today=self.backend.today(), plans=self.backend.payer_plans,
            payer=self._payer_text(self.patient),
            check=partial(self.backend.check_patient, payer_required=True), typed=typed,
            acting=self.backend.staff, may_override=self.backend.may_override(),
            upcoming=self.backend.upcoming)

        def saved(patient: PatientView | None) -> None:
            if dialog.merged is not None:
                self._caller_merged(dialog.merged, saved=False)
                return
            if patient is not None:
                self.notify("Patient details saved." + overridden_words(patient),
                            markup=False)
            fresh = patient or dialog.current  # saved, or changed by someone else meanwhile
            if fresh is not None:
                self.patient = fresh
                self._show_caller()
                self._read_record()  # a new payer brings its caps
                self._pathway(take_focus=False)

        self.app.push_screen(dialog, saved)

    def _payer_text(self, patient: PatientView) -> str:
        """The payer as the form opens with it: the plan's name, or the text on file."""
        payer = self.backend.payer_of(patient)
        return payer.plan.name if payer.plan is not None else patient.payer

    def _read_record(self) -> None:
        """What the practice knows about the caller, read afresh (after identifying them, and
        after a visit of theirs is booked or changed in this call)."""
        self.query_one(PathwayPanel).know(None)
        if self.patient is not None:
            self.query_one(RecordPanel).load(self.patient.id, self.call.id)

    def _caller_merged(self, error: BaseException | None, *, saved: bool = True) -> bool:
        """When ``error`` says the caller's record was merged into another meanwhile: the
        call goes on with the record kept (read afresh, and saved as the call's caller), and
        the receptionist is told in one line. ``saved``: False when what they typed was not
        saved because of it."""
        from frontdesk.services.errors import MergedAway

        p = self.patient
        if not isinstance(error, MergedAway) or p is None or error.patient_id != p.id:
            return False
        kept = error.merged_into
        if self._switching != kept:  # said once, however many workers met it
            self._switching = kept
            said = f"This record was merged into {kept}: showing {kept}."
            if not saved:
                said += " Nothing was saved: Ctrl+T to edit it."
            self.notify(said, severity="warning", markup=False)
            self._hint(said)
            self._load_patient(kept)
        return True

    @on(RecordPanel.Failed)
    def _record_failed(self, event: RecordPanel.Failed) -> None:
        self._caller_merged(event.error)

    @on(RecordPanel.Loaded)
    def _record_read(self, event: RecordPanel.Loaded) -> None:
        self.query_one(PathwayPanel).know(event.record)

    def _after_booking(self, appt: AppointmentView | None) -> None:
        super()._after_booking(appt)
        if appt is not None:
            self._read_record()

    @work(thread=True, exclusive=True, group="call-patient", exit_on_error=False)
    def _load_patient(self, patient_id: int) -> PatientView:
        return self.backend.patient(patient_id)

    def action_new_patient(self) -> None:
        from frontdesk.ui.call.new_patient import NewPatientDialog
        from frontdesk.ui.call.patient_form import brought, record_values

        typed = self.query_one("#call-search", Input).value.strip()
        name = typed if typed and not any(ch.isdigit() for ch in typed) else ""
        phone = typed if PHONE_TYPED.fullmatch(typed) else ""  # searched by number: theirs

        dialog = NewPatientDialog(save=self.backend.add_patient, locations=self.locations,
                                  today=self.backend.today(), plans=self.backend.payer_plans,
                                  given_name=name, given_phone=phone,
                                  check=self.backend.check_patient,
                                  places=self.places)

        def added(patient: PatientView | None) -> None:
            if patient is None:
                return
            self._confirm(patient)
            extra = brought(dialog.typed_when_picked, record_values(
                patient, locations=self.locations, payer_text=self._payer_text(patient),
                phone_text=phone_text)) if dialog.picked else {}
            if extra:  # what was typed is not lost: the record's form, with it filled in
                self.notify("The caller is on file already: what was typed differs from "
                            "their record. Ctrl+S saves it there; Esc does not.", markup=False)
                self.action_edit_patient(typed=extra)
                return
            self.notify("The caller is on file already: this is their record."
                        if dialog.picked else "New patient added.", markup=False)

        self.app.push_screen(dialog, added)

    def _show_found(self, text: str, found: tuple[PatientView, ...]) -> None:
        if text != self.query_one("#call-search", Input).value:
            return  # typed on meanwhile
        self.found = found
        candidates = self.query_one("#call-candidates", OptionList)
        candidates.clear_options()
        candidates.add_options([Option(Content(patient_line(p, self.places)), id=str(p.id))
                                for p in found])
        candidates.display = bool(found)
        self.query_one("#call-search", SearchField).results_shown(text)
        self._hint(f"{pick_words(len(found), 'confirm')}" if found
                   else "Nobody found: check the spelling, or Ctrl+N adds the caller as a new "
                        "patient.")


def overridden_words(patient: PatientView) -> str:
    """' Payer rules overridden for visit(s) 12, 15: reason recorded.' or ''."""
    visits = getattr(patient, "overridden_visits", ())
    if not visits:
        return ""
    return (f" Payer rules overridden for visit(s) {', '.join(str(v) for v in visits)}: "
            "reason recorded.")
