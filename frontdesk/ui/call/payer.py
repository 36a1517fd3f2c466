"""The caller's payer, set during the call: a plan from the practice's payer list (found as it
is typed) and the member id — the fix for a payer that is not recognised."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static
from textual.worker import Worker, WorkerState

from frontdesk.domain.payers import PayerPlan
from frontdesk.services.errors import FrontDeskError, MergedAway, StalePatient
from frontdesk.services.views import PatientView
from frontdesk.ui.backend.calls import Signed
from frontdesk.ui.call.patient_form import PlanSuggester, plans_hint
from frontdesk.ui.call.plan_override import PlanSigning, Upcoming, dated
from frontdesk.ui.text import printable


class PayerDialog(ModalScreen[PatientView | None]):
    """Dismisses with the patient as saved, or ``None`` when the person backs out (when the
    record changed meanwhile, ``fresh`` holds it as it is now). ``save`` runs in a thread
    (``payer``, ``member_id``, ``version`` and ``seen_member_id`` as the dialog opened, and
    ``override`` once someone signed for broken payer rules); an ``InvalidInput`` shows under
    its field; visits the new plan's rules break show in the dialog and the override is asked
    for (:mod:`~frontdesk.ui.call.plan_override`)."""

    DEFAULT_CSS = """
    PayerDialog { align: center middle; }
    #payer-dialog { width: 72; max-width: 100%; height: auto; padding: 1 2;
                    border: round $primary; background: $surface; }
    #payer-dialog .form-row { height: 1; }
    #payer-dialog .form-label { width: 11; }
    #payer-dialog .form-error { color: $text-error; padding: 0 0 0 11; }
    #payer-dialog .form-hint { color: $text-muted; padding: 0 0 0 11; }
    #payer-title { text-style: bold; padding: 0 0 1 0; }
    #payer-help { color: $text-muted; padding: 1 0 0 0; }
    #payer-broken { color: $text-warning; padding: 1 0 0 0; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Back", id="payer.back",
                tooltip="Close without changing the payer"),
    ]

    def __init__(self, *, patient: PatientView, current: str,
                 plans: Callable[[str], Sequence[PayerPlan]],
                 save: Callable[..., PatientView], acting: str | None = None,
                 may_override: bool = False, upcoming: Upcoming | None = None) -> None:
        super().__init__()
        self.fresh: PatientView | None = None  # the record as it is now, when it changed
        self.upcoming = upcoming
        self.signing = PlanSigning(self, acting=acting, may_override=may_override,
                                   show=self._broken, retry=self._signed)
        self.typed: tuple[str, str] = ("", "")
        self.patient = patient
        self.current = current
        self.plans = plans
        self._save_payer = save
        self.merged: MergedAway | None = None  # the record was merged into another meanwhile
        self.saving = False

    def compose(self) -> ComposeResult:
        with Vertical(id="payer-dialog"):
            yield Static(printable(f"Payer of {self.patient.full_name} · on file: "
                                   f"{self.current}"), id="payer-title", markup=False)
            with Horizontal(classes="form-row"):
                yield Label("Payer", classes="form-label")
                yield Input(placeholder="type to search the payer list", id="payer",
                            max_length=61, compact=True, suggester=PlanSuggester(self.plans))
            yield Static("", id="payer-matches", classes="form-hint", markup=False)
            yield Static("", id="payer-error", classes="form-error", markup=False)
            with Horizontal(classes="form-row"):
                yield Label("Member id", classes="form-label")
                yield Input(printable(self.patient.member_id),
                            placeholder="from the card (optional)", id="member_id",
                            max_length=41, compact=True)
            yield Static("", id="member_id-error", classes="form-error", markup=False)
            yield Static("", id="payer-broken", markup=False)
            yield Static("Enter saves · → takes the plan offered · Esc closes", id="payer-help",
                         markup=False)

    def on_mount(self) -> None:
        for note in self.query(".form-error, .form-hint, #payer-broken"):
            note.display = False
        self.query_one("#payer", Input).focus()

    @on(Input.Changed)
    def _edited(self, event: Input.Changed) -> None:
        if event.input.id:
            self.query_one(f"#{event.input.id}-error", Static).display = False
        if event.input.id == "payer":
            hint = self.query_one("#payer-matches", Static)
            hint.display = bool(event.value.strip())
            hint.update(plans_hint(self.plans, event.value)
                        or "Not in the practice's payer list")

    @on(Input.Submitted)
    def _entered(self) -> None:
        if self.saving:
            return
        payer = self.query_one("#payer", Input).value.strip()
        if not payer:
            self._error("payer", "Type the payer (e.g. Medicare) and pick it from the list.")
            self.query_one("#payer", Input).focus()
            return
        self.saving = True
        self.typed = (payer, self.query_one("#member_id", Input).value.strip())
        self._save(*self.typed)

    def _broken(self, text: str) -> None:
        note = self.query_one("#payer-broken", Static)
        note.update(text)
        note.display = bool(text)

    def _signed(self, override: Signed) -> None:
        self.saving = True
        self._save(*self.typed, override=override)

    def _error(self, field: str, message: str) -> None:
        note = self.query_one(f"#{field if field == 'member_id' else 'payer'}-error", Static)
        note.update(message[:1].upper() + message[1:])
        note.display = True

    @work(thread=True, exclusive=True, group="payer-save", exit_on_error=False)
    def _save(self, payer: str, member_id: str, override: Signed | None = None) -> PatientView:
        p = self.patient
        return dated(lambda: self._save_payer(
            patient_id=p.id, payer=payer, member_id=member_id, version=p.version,
            seen_member_id=p.member_id, override=override),
            self.upcoming, p.id, self.signing.when)

    @on(Worker.StateChanged)
    def _saved(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "payer-save":
            return
        if event.state == WorkerState.SUCCESS and event.worker.result is not None:
            self.dismiss(event.worker.result)
        elif event.state == WorkerState.ERROR:
            self.saving = False
            error = event.worker.error
            if isinstance(error, MergedAway):  # back to the call, on the record kept
                self.merged = error
                self.dismiss(None)
                return
            if self.signing.handle(error):
                return
            if isinstance(error, StalePatient):
                self.fresh = error.current
                self._error("payer", "Changed by someone else meanwhile: nothing was saved. "
                                     "Esc, then Ctrl+Y to reopen it as it is now.")
                return
            field = getattr(error, "field", "payer")
            known = isinstance(error, FrontDeskError)  # a refusal says why; nothing else does
            self._error(field, getattr(error, "message", "") or (str(error) if known else "")
                        or "Could not save; nothing was written.")
            self.query_one("#member_id" if field == "member_id" else "#payer", Input).focus()
