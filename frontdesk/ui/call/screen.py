"""The call a receptionist has open while the caller waits: who is calling, why, a note, and
how the call ended — saved as a draft on every change, so a killed terminal loses nothing.

F2 starts a call from any screen (or offers the unfinished ones for resume). Saves run one at a
time in a thread: a change made while one is on its way is sent right after it, against the
version the first save returned.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar
from zoneinfo import ZoneInfo

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from frontdesk.domain.calls import CallbackKind, CallOutcome, CallReason
from frontdesk.domain.text import printable
from frontdesk.ui.call.callbacks import CallbackList
from frontdesk.ui.call.caller import CallerOnLine
from frontdesk.ui.call.dialogs import NO_ANSWER, CallbackDialog, OutcomeDialog
from frontdesk.ui.call.draft import DID_KEY
from frontdesk.ui.call.pathway import PATHWAY_REASONS, ChoiceList, PathwayPanel
from frontdesk.ui.call.record import RecordPanel
from frontdesk.ui.call.visits import VisitsPanel
from frontdesk.ui.widgets.footer import KeyFooter
from frontdesk.ui.widgets.search_field import ResultList, SearchField
from frontdesk.ui.widgets.title import TitleRow
from frontdesk.ui.widgets.treatment_lookup import TreatmentPanel

if TYPE_CHECKING:
    from frontdesk.services.callbacks import CallbackView
    from frontdesk.services.calls import CallView
    from frontdesk.services.views import LocationView, PatientView
    from frontdesk.ui.backend.door import Backend

WIDE = 120  # columns from which the treatment answers sit beside the call, not over it



class CallScreen(CallerOnLine):
    """One call. Esc leaves it as a draft (F2 resumes); Ctrl+F ends and logs it."""

    REPORT_KEY_OFF: ClassVar[bool] = True  # F4 is not offered over this screen
    PLACE_NAME = "Call"
    FOOTER_ORDER = ("call.finish", "call.new_patient", "call.edit_patient", "call.callbacks",
                    "call.lookup", "call.leave")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "leave", "Leave", id="call.leave",
                tooltip="Leave the call open as a draft (F2 resumes it)"),
        Binding("ctrl+n", "new_patient", "New patient", id="call.new_patient",
                tooltip="Add the caller as a new patient"),
        Binding("ctrl+f", "finish", "End call", id="call.finish",
                tooltip="End the call and log how it ended"),
        Binding("f3", "lookup", "Treatments", id="call.lookup",
                tooltip="Show or hide the treatment answers beside the call"),
        Binding("ctrl+r", "callbacks", "Callbacks", id="call.callbacks",
                tooltip="The callbacks due: pick one to call the patient back"),
        Binding("ctrl+t", "edit_patient", "Edit", id="call.edit_patient",
                tooltip="Correct the caller's details: phones, address, payer, alerts…"),
    ]

    def __init__(self, backend: Backend, call: CallView, *,
                 locations: tuple[LocationView, ...], popped: str = "",
                 callers: tuple[PatientView, ...] = ()) -> None:
        """``popped``: the number (E.164) the phone system said the call is from, and
        ``callers`` the patients on file with it (listed to pick from, even just one: caller
        ID is no proof of who is calling); none: the new-patient form opens with the number."""
        super().__init__(backend, call, locations=locations)
        self._popped = (popped, callers)
        self.callbacks: tuple[CallbackView, ...] = ()
        self._reported: dict[str, Any] | None = None  # answers last stored as a relief report

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield TitleRow(title_id="call-title")
        with Horizontal(id="call-main"):
            yield from self._body()
            yield TreatmentPanel(self.backend, can_book=True, id="call-lookup")
        yield Static("", id="call-status", markup=False)
        yield KeyFooter()

    def _body(self) -> ComposeResult:
        with VerticalScroll(id="call-body"):
            with Horizontal(classes="call-row"):
                yield Label("Caller", classes="call-label")
                yield SearchField(self.call.answers.get("search", ""),
                                  placeholder="Phone, name or date of birth", id="call-search",
                                  compact=True, results="#call-candidates")
            yield Static("", id="call-hint", markup=False)
            yield Static("", id="call-caller", markup=False)
            yield Static("", id="call-alerts", markup=False)
            yield RecordPanel(self.backend, id="call-record")
            yield ResultList(id="call-candidates", field="#call-search")
            yield Static("", id="call-callbacks-title", markup=False)
            yield CallbackList(id="call-callbacks")
            with Horizontal(classes="call-row"):
                yield Label("Reason", classes="call-label")
                yield ChoiceList(*(Option(Content(f"{i}  {r.label}"), id=r.value)
                                   for i, r in enumerate(CallReason, start=1)),
                                 id="call-reason")
            yield PathwayPanel(self.backend, id="call-pathway")
            yield VisitsPanel(self.backend, id="call-visits")
            with Horizontal(classes="call-row"):
                yield Label("Note", classes="call-label")
                yield Input(self.call.note, placeholder="What the caller asked or said",
                            id="call-note", max_length=2000, compact=True)

    def on_mount(self) -> None:
        self.query_one("#call-candidates").display = False
        self.query_one("#call-lookup").display = False
        self.query_one("#call-callbacks").display = False
        self.query_one("#call-callbacks-title").display = False
        if self.call.patient_id is None:
            self._due()
        self._hint("")
        self._show_caller()
        reasons = self.query_one("#call-reason", OptionList)
        if self.call.reason is not None:
            reasons.highlighted = list(CallReason).index(self.call.reason)
        self._tick()
        self.set_interval(1.0, self._tick, name="call-timer")
        if self.call.patient_id is not None:
            self._load_patient(self.call.patient_id)
        self.query_one("#call-search", Input).focus()
        number, callers = self._popped
        if number and self.call.patient_id is None:
            self.offer_callers(number, callers)
            if not callers:
                self.action_new_patient()

    # ------------------------------------------------------------------ reason and note

    @on(OptionList.OptionSelected, "#call-reason")
    def _reason(self, event: OptionList.OptionSelected) -> None:
        reason = CallReason(str(event.option_id))
        self._save(reason=reason)
        if self.patient is not None and (reason in PATHWAY_REASONS
                                         or reason == CallReason.CHANGE_VISIT):
            reasons = self.query_one("#call-reason", OptionList)
            reasons.add_class("chosen")
            self.call_after_refresh(reasons.scroll_to_highlight)
            self._pathway(take_focus=True, reason=reason)
        else:
            self._pathway(take_focus=False, reason=reason)
            self.query_one("#call-note", Input).focus()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """The reason list shows only the chosen reason while the pathway is being worked;
        all of them again when it is focused to change it."""
        reasons = self.query_one("#call-reason", OptionList)
        if event.widget is reasons:
            reasons.remove_class("chosen")
        elif ((self.query_one(PathwayPanel).display or self.query_one(VisitsPanel).display)
              and reasons.highlighted is not None):
            reasons.add_class("chosen")
            self.call_after_refresh(reasons.scroll_to_highlight)

    # ------------------------------------------------------------------ the pathway

    @on(VisitsPanel.Changed)
    def _visit_changed(self, event: VisitsPanel.Changed) -> None:
        outcome = event.outcome
        self.notify(outcome.message, severity=outcome.severity, markup=False)
        self.query_one("#call-status", Static).update(outcome.message[:200], layout=False)
        if outcome.changed and event.moved:
            self._done(CallOutcome.MOVED, event.appointment_id)
            # the new time, read back to the caller
            self._read_back(event.appointment_id, moved=True)
        elif outcome.changed:
            self._done(CallOutcome.CANCELLED, event.appointment_id)
        if outcome.changed:
            self._read_record()

    @on(PathwayPanel.Answered)
    def _answered(self, event: PathwayPanel.Answered) -> None:
        kept = {k: v for k, v in self._answers().items()
                if k in ("search", "callback_id", DID_KEY)}
        self._save(answers={**kept, **event.answers})

    @on(PathwayPanel.Advised)
    def _advised(self, event: PathwayPanel.Advised) -> None:
        """A complete injection report is stored as data (once per call; corrected on change)."""
        reason = self._latest("reason")
        answers = self._answers()
        if (reason == CallReason.INJECTION_REPORT and event.advice.recommendation.complete
                and answers != self._reported):
            self._reported = answers
            self._store_report(answers)

    def _store_report(self, answers: dict[str, Any]) -> None:
        if self._saving or self._pending or self.call.patient_id is None:
            self.set_timer(0.1, lambda: self._store_report(answers))  # after the draft save
            return
        self._record(self.call, answers)

    @work(thread=True, exclusive=True, group="call-relief", exit_on_error=False)
    def _record(self, call: CallView, answers: dict[str, Any]) -> Any:
        return self.backend.record_relief(call, answers)

    @on(PathwayPanel.Book)
    def _book(self, event: PathwayPanel.Book) -> None:
        rec = event.advice.recommendation
        self._offer(event.visit_type, physician_review=rec.physician_review
                    and rec.visit_types[:1] == (event.visit_type,))

    # ------------------------------------------------------------------ treatment lookup

    def action_lookup(self) -> None:
        """F3: the treatment answers beside the call (over it on a narrow terminal); the call,
        its timer and its draft carry on untouched."""
        lookup = self.query_one(TreatmentPanel)
        body = self.query_one("#call-body")
        if lookup.display:
            lookup.display = False
            body.display = True
            self.query_one("#call-search", Input).focus()
            return
        lookup.display = True
        body.display = self.size.width >= WIDE
        lookup.focus_search()

    @on(TreatmentPanel.BookVisit)
    def _book_from_lookup(self, event: TreatmentPanel.BookVisit) -> None:
        self.query_one(TreatmentPanel).display = False
        self.query_one("#call-body").display = True
        self._offer(event.visit_type)

    # ------------------------------------------------------------------ callbacks due

    @on(OptionList.OptionSelected, "#call-callbacks")
    def _work_callback(self, event: OptionList.OptionSelected) -> None:
        chosen = next((c for c in self.callbacks if str(c.id) == event.option_id), None)
        if chosen is None:
            return
        answers: dict[str, Any] = {"callback_id": chosen.id}
        if chosen.kind == CallbackKind.CALL_BACK:  # logging this call closes it
            self._save(answers={**self._answers(), **answers})
            self._hint(f"Calling back: {chosen.phone_display}. About: {printable(chosen.note)}")
            self._load_patient(chosen.patient_id)
            return
        if chosen.procedure:
            answers["procedure"] = chosen.procedure
        for key in ("region", "levels", "side"):
            value = getattr(chosen, key)
            if value:
                answers[key] = value
        self._save(answers={**self._answers(), **answers},
                   reason=CallReason.INJECTION_REPORT)
        reasons = self.query_one("#call-reason", OptionList)
        reasons.highlighted = list(CallReason).index(CallReason.INJECTION_REPORT)
        self._hint(f"Calling back: {chosen.phone_display}. Ask how the injection went.")
        self._load_patient(chosen.patient_id)

    # ------------------------------------------------------------------ leaving and ending

    def action_leave(self) -> None:
        self._flush_note()
        self.notify("The call stays open as a draft: F2 resumes it.", markup=False)
        self.dismiss()

    def action_finish(self) -> None:
        self._flush_note()

        def ended(outcome: CallOutcome | str | None) -> None:
            if outcome == NO_ANSWER:  # their callback stays open, due again
                self._end(CallOutcome.CALLBACK, reached=False)
            elif outcome is CallOutcome.CALLBACK:
                self._ask_callback()
            elif outcome is not None:
                self._end(CallOutcome(outcome))

        calling_back = isinstance(self._answers().get("callback_id"), int)
        self.app.push_screen(OutcomeDialog(did=self.did, calling_back=calling_back), ended)

    def _ask_callback(self) -> None:
        """A callback is for the caller on file: when, and what about, then the call is
        logged with the callback task in the same write."""
        if self.patient is None:
            said = ("A callback needs the caller on file: find them here (or Ctrl+N adds "
                    "them), then Ctrl+F again.")
            self._hint(said)
            self.notify(said, severity="warning", markup=False)
            self.query_one("#call-search", Input).focus()
            return
        reason = self._latest("reason")
        about = (self.query_one("#call-note", Input).value.strip()
                 or (CallReason(reason).label if reason else ""))

        def given(callback: tuple[datetime, str] | None) -> None:
            if callback is not None:
                self._end(CallOutcome.CALLBACK, callback)

        zone = ZoneInfo(self.backend.zone)
        self.app.push_screen(CallbackDialog(clock=lambda: self.backend.ctx.now().astimezone(zone),
                                            about=about), given)

    # ------------------------------------------------------------------ saving the draft

    @on(Worker.StateChanged)
    def _worked(self, event: Worker.StateChanged) -> None:
        group, state, worker = event.worker.group, event.state, event.worker
        if state not in (WorkerState.SUCCESS, WorkerState.ERROR):
            return
        if group == "call-search" and state == WorkerState.SUCCESS and worker.result:
            self._show_found(*worker.result)
        elif group == "call-patient" and state == WorkerState.SUCCESS and worker.result:
            self.patient = worker.result
            self._show_caller()
            self._show_callbacks(())
            if self.call.patient_id != self.patient.id:
                self._save(patient_id=self.patient.id)
            self._read_record()
            self._pathway(take_focus=True)
        elif group == "call-relief":
            if state == WorkerState.SUCCESS and worker.result is not None:
                closed = " and the callback closed" if worker.result.callbacks_closed else ""
                self.query_one("#call-status", Static).update(
                    f"Relief report saved{closed}.", layout=False)
            elif state == WorkerState.ERROR and self._caller_merged(worker.error):
                self._reported = None  # stored again for the record kept
            elif state == WorkerState.ERROR:
                self._reported = None
                self.query_one("#call-status", Static).update(
                    "The relief report was not saved; change an answer to try again.",
                    layout=False)
