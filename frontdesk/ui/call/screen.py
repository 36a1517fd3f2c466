"""The call a receptionist has open while the caller waits: who is calling, why, a note, and
how the call ended — saved as a draft on every change, so a killed terminal loses nothing.

F2 starts a call from any screen (or offers the unfinished ones for resume). Saves run one at a
time in a thread: a change made while one is on its way is sent right after it, against the
version the first save returned.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar
from zoneinfo import ZoneInfo

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from frontdesk.domain.calls import CallOutcome, CallReason
from frontdesk.ui.call.pathway import PATHWAY_REASONS, ChoiceList, PathwayPanel
from frontdesk.ui.call.visits import VisitsPanel
from frontdesk.ui.text import patient_line
from frontdesk.ui.treatments.screen import TreatmentPanel
from frontdesk.ui.widgets.footer import KeyFooter

if TYPE_CHECKING:
    from frontdesk.services.callbacks import CallbackView
    from frontdesk.services.calls import CallView
    from frontdesk.services.views import AppointmentView, LocationView, PatientView
    from frontdesk.ui.backend.door import Backend

SEARCH_DELAY = 0.15
WIDE = 120  # columns from which the treatment answers sit beside the call, not over it
NOTE_DELAY = 0.5  # seconds after the last key before the note is saved


def elapsed(since: datetime, now: datetime) -> str:
    """'02:07' (or '1:02:07' past an hour)."""
    seconds = max(0, int((now - since).total_seconds()))
    hours, rest = divmod(seconds, 3600)
    return (f"{hours}:" if hours else "") + f"{rest // 60:02d}:{rest % 60:02d}"


def call_line(call: CallView, zone: Any) -> str:
    """'Tue 10:02 · Testcase, C. · New pain problem' for the resume list."""
    start = call.started_at.astimezone(zone)
    who = call.patient_short or "caller not identified"
    why = call.reason.label if call.reason else "no reason yet"
    return f"Call from {start:%a %H:%M} · {who} · {why}"


def callback_line(callback: CallbackView, zone: Any, today: Any) -> str:
    """'overdue 08:45 · Testcase, C. · relief report · block Mon 9 Mar L4-L5'."""
    due = callback.due_at.astimezone(zone)
    when = f"{due:%H:%M}" if due.date() == today else f"{due:%a %H:%M}"
    about = ""
    if callback.procedure_at is not None:
        done = callback.procedure_at.astimezone(zone)
        about = f" · block {done:%a} {done.day} {done:%b}"
        about += f" {callback.levels or callback.region or ''}".rstrip()
    return (f"{'overdue' if callback.overdue else 'due'} {when} · {callback.patient_short} · "
            f"{callback.label.lower()}{about}")


class CallbackList(OptionList):
    """The callbacks due. Enter works the highlighted one; ``n``: no answer, try later."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "no_answer", "No answer", id="callbacks.no_answer",
                tooltip="Nobody answered: keep the callback, due again in 2 hours"),
    ]

    class NoAnswer(Message):
        def __init__(self, callback_id: str) -> None:
            super().__init__()
            self.callback_id = callback_id

    def action_no_answer(self) -> None:
        if self.highlighted is not None:
            option = self.get_option_at_index(self.highlighted)
            if option.id is not None:
                self.post_message(self.NoAnswer(option.id))


class ResumeDialog(ModalScreen["CallView | str | None"]):
    """Unfinished calls: dismisses with the one to resume, 'new', or None (Esc)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Back", id="resume.back",
                tooltip="Close without starting a call"),
    ]

    def __init__(self, drafts: list[CallView], zone: Any) -> None:
        super().__init__()
        self.drafts = drafts
        self.zone = zone

    def compose(self) -> ComposeResult:
        with Vertical(id="resume"):
            yield Static("Unfinished calls — resume one, or start a new call",
                         id="resume-title", markup=False)
            yield OptionList(*(Option(Content(call_line(c, self.zone)), id=str(c.id))
                               for c in self.drafts),
                             Option(Content("Start a new call"), id="new"), id="resume-options")

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option_id == "new":
            self.dismiss("new")
            return
        self.dismiss(next(c for c in self.drafts if str(c.id) == event.option_id))


class OutcomeDialog(ModalScreen["CallOutcome | None"]):
    """How the call ended. "Booked" is offered once the call has booked a visit."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Back", id="outcome.back",
                tooltip="Back to the call without ending it"),
    ]

    def __init__(self, *, booked: bool = False) -> None:
        super().__init__()
        self.booked = booked

    def compose(self) -> ComposeResult:
        outcomes = [o for o in CallOutcome if self.booked or o is not CallOutcome.BOOKED]
        with Vertical(id="outcome"):
            yield Static("How did the call end?", id="outcome-title", markup=False)
            yield ChoiceList(*(Option(Content(f"{i}  {o.label}"), id=o.value)
                               for i, o in enumerate(outcomes, start=1)),
                             id="outcome-options")

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(CallOutcome(str(event.option_id)))


class CallScreen(Screen[None]):
    """One call. Esc leaves it as a draft (F2 resumes); Ctrl+F ends and logs it."""

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
    ]

    def __init__(self, backend: Backend, call: CallView, *,
                 locations: tuple[LocationView, ...]) -> None:
        super().__init__()
        self.backend = backend
        self.call = call
        self.locations = locations
        self.places: Mapping[int, str] = {loc.id: loc.name for loc in locations}
        self.patient: PatientView | None = None
        self.found: tuple[PatientView, ...] = ()
        self._pending: dict[str, Any] = {}
        self._inflight: dict[str, Any] = {}  # changes in the save on its way
        self._saving = False
        self._search_timer: Timer | None = None
        self._note_timer: Timer | None = None
        self.callbacks: tuple[CallbackView, ...] = ()
        self.booked: AppointmentView | None = None
        self._reported: dict[str, Any] | None = None  # answers last stored as a relief report

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Static(id="call-title", markup=False)
        with Horizontal(id="call-main"):
            yield from self._body()
            yield TreatmentPanel(self.backend, can_book=True, id="call-lookup")
        yield Static("", id="call-status", markup=False)
        yield KeyFooter()

    def _body(self) -> ComposeResult:
        with VerticalScroll(id="call-body"):
            with Horizontal(classes="call-row"):
                yield Label("Caller", classes="call-label")
                yield Input(self.call.answers.get("search", ""),
                            placeholder="Phone, name or date of birth", id="call-search",
                            compact=True)
            yield Static("", id="call-hint", markup=False)
            yield Static("", id="call-caller", markup=False)
            yield OptionList(id="call-candidates")
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

    def _tick(self) -> None:
        clock = elapsed(self.call.started_at, self.backend.ctx.now())
        p = self.patient
        who = (f"{p.last_name}, {p.first_name} · born {p.dob.day} {p.dob:%b %Y}" if p
               else "caller not identified")
        self.query_one("#call-title", Static).update(f"Call · {clock} · {who}", layout=False)

    # ------------------------------------------------------------------ the caller

    @on(Input.Changed, "#call-search")
    def _typed(self, event: Input.Changed) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        text = event.value
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

    @on(Input.Submitted, "#call-search")
    def _to_candidates(self) -> None:
        candidates = self.query_one("#call-candidates", OptionList)
        if candidates.display and candidates.option_count:
            candidates.highlighted = 0
            candidates.focus()

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
        self._pathway(take_focus=False)
        self.query_one("#call-reason", OptionList).focus()

    def _hint(self, text: str) -> None:
        hint = self.query_one("#call-hint", Static)
        hint.update(text)
        hint.display = bool(text)

    def _show_caller(self) -> None:
        line = self.query_one("#call-caller", Static)
        line.display = self.patient is not None
        if self.patient is None:
            return
        line.update(f"✓ {patient_line(self.patient, self.places)}"
                    + (f" · {self.patient.payer}" if self.patient.payer else ""))
        self._tick()

    @work(thread=True, exclusive=True, group="call-patient", exit_on_error=False)
    def _load_patient(self, patient_id: int) -> PatientView:
        return self.backend.patient(patient_id)

    def action_new_patient(self) -> None:
        from frontdesk.ui.call.new_patient import NewPatientDialog

        typed = self.query_one("#call-search", Input).value.strip()
        name = typed if typed and not any(ch.isdigit() for ch in typed) else ""

        def added(patient: PatientView | None) -> None:
            if patient is not None:
                self.notify("New patient added.", markup=False)
                self._confirm(patient)

        self.app.push_screen(NewPatientDialog(save=self.backend.add_patient,
                                              locations=self.locations,
                                              today=self.backend.today(), given_name=name),
                             added)

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

    def _answers(self) -> dict[str, Any]:
        """The draft's answers with any change still on its way."""
        return dict(self._latest("answers"))

    def _latest(self, key: str) -> Any:
        """A draft field as it will be once the saves queued and on their way are done."""
        for changes in (self._pending, self._inflight):
            if key in changes:
                return changes[key]
        return getattr(self.call, key)

    def _pathway(self, *, take_focus: bool, reason: CallReason | None = None) -> None:
        panel = self.query_one(PathwayPanel)
        why = reason or self._latest("reason")
        panel.load(self.patient, why, self._answers(), take_focus=take_focus)
        self.query_one(VisitsPanel).load(self.patient, show=why == CallReason.CHANGE_VISIT,
                                         take_focus=take_focus)

    @on(VisitsPanel.Changed)
    def _visit_changed(self, event: VisitsPanel.Changed) -> None:
        outcome = event.outcome
        self.notify(outcome.message, severity=outcome.severity, markup=False)
        self.query_one("#call-status", Static).update(outcome.message[:200], layout=False)
        if outcome.changed and event.moved:
            self._moved(event.appointment_id)

    @work(thread=True, exclusive=True, group="call-moved", exit_on_error=False)
    def _moved(self, appointment_id: int) -> AppointmentView:
        return self.backend.details(appointment_id)[0]

    @on(PathwayPanel.Answered)
    def _answered(self, event: PathwayPanel.Answered) -> None:
        kept = {k: v for k, v in self._answers().items() if k in ("search", "callback_id")}
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
        self._offer(event.visit_type)

    def _offer(self, visit_type: str) -> None:
        from frontdesk.domain.pathway import Procedure
        from frontdesk.ui.backend.door import CallBooking
        from frontdesk.ui.call.booking import CallBookingDialog

        if self.patient is None:
            self.notify("Identify the caller first: their phone, name or date of birth.",
                        severity="warning", markup=False)
            self.query_one("#call-search", Input).focus()
            return
        answers = self._answers()
        procedure = visit_type in {p.value for p in Procedure}
        booking = CallBooking(
            visit_type=visit_type,
            region=answers.get("region") if procedure else None,
            levels=answers.get("levels") if procedure else None,
            side=answers.get("side") if procedure else None)
        name = self.query_one(PathwayPanel).names.get(visit_type, visit_type)
        self.app.push_screen(CallBookingDialog(self.backend, self.patient, booking, name),
                             self._after_booking)

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

    def _after_booking(self, appt: AppointmentView | None) -> None:
        if appt is None:
            return
        self.booked = appt
        self.query_one("#call-status", Static).update(
            f"Booked: {appt.visit_type_name} · appointment {appt.id}.", layout=False)
        self._read_back(appt.id)

    @work(thread=True, exclusive=True, group="call-readback", exit_on_error=False)
    def _read_back(self, appointment_id: int) -> Any:
        return self.backend.read_back(appointment_id)

    def _show_read_back(self, script: Any) -> None:
        from frontdesk.ui.call.booking import ReadBackDialog

        def done(log: bool | None) -> None:
            if log:
                self._end(CallOutcome.BOOKED)

        self.app.push_screen(ReadBackDialog(script), done)

    # ------------------------------------------------------------------ callbacks due

    @work(thread=True, exclusive=True, group="call-callbacks", exit_on_error=False)
    def _due(self) -> tuple[CallbackView, ...]:
        return tuple(self.backend.callbacks_due())

    def _show_callbacks(self, due: tuple[CallbackView, ...]) -> None:
        self.callbacks = due
        title = self.query_one("#call-callbacks-title", Static)
        listing = self.query_one("#call-callbacks", OptionList)
        show = bool(due) and self.patient is None
        title.display = listing.display = show
        if not show:
            return
        zone = ZoneInfo(self.backend.zone)
        title.update(f"Callbacks due ({len(due)}) · Ctrl+R, then Enter to call back, "
                     "n no answer")
        listing.clear_options()
        listing.add_options([Option(Content(callback_line(c, zone, self.backend.today())),
                                    id=str(c.id))
                             for c in due])

    def action_callbacks(self) -> None:
        listing = self.query_one("#call-callbacks", OptionList)
        if not self.callbacks:
            self.notify("No callbacks are due.", markup=False)
            return
        if self.patient is not None:
            self.notify("This call already has a caller; start a new call (F2) for a callback.",
                        markup=False)
            return
        listing.highlighted = 0
        listing.focus()

    @on(CallbackList.NoAnswer)
    def _no_answer(self, event: CallbackList.NoAnswer) -> None:
        chosen = next((c for c in self.callbacks if str(c.id) == event.callback_id), None)
        if chosen is not None:
            self._retry(chosen)

    @work(thread=True, group="call-callback-retry", exit_on_error=False)
    def _retry(self, callback: CallbackView) -> CallbackView:
        return self.backend.retry_callback(callback)

    @on(OptionList.OptionSelected, "#call-callbacks")
    def _work_callback(self, event: OptionList.OptionSelected) -> None:
        chosen = next((c for c in self.callbacks if str(c.id) == event.option_id), None)
        if chosen is None:
            return
        answers: dict[str, Any] = {"callback_id": chosen.id}
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

    @on(Input.Changed, "#call-note")
    def _noted(self, event: Input.Changed) -> None:
        if self._note_timer is not None:
            self._note_timer.stop()
        text = event.value
        self._note_timer = self.set_timer(NOTE_DELAY, lambda: self._save(note=text))

    # ------------------------------------------------------------------ leaving and ending

    def action_leave(self) -> None:
        self._flush_note()
        self.notify("The call stays open as a draft: F2 resumes it.", markup=False)
        self.dismiss()

    def action_finish(self) -> None:
        self._flush_note()

        def ended(outcome: CallOutcome | None) -> None:
            if outcome is not None:
                self._end(outcome)

        self.app.push_screen(OutcomeDialog(booked=self.booked is not None), ended)

    def _flush_note(self) -> None:
        if self._note_timer is not None:
            self._note_timer.stop()
            self._note_timer = None
            note = self.query_one("#call-note", Input).value
            if note != self.call.note:
                self._save(note=note)

    def _end(self, outcome: CallOutcome) -> None:
        if self._saving or self._pending:
            self.set_timer(0.1, lambda: self._end(outcome))  # after the draft's last save
            return
        self._finish(outcome, self.query_one("#call-note", Input).value)

    @work(thread=True, exclusive=True, group="call-finish", exit_on_error=False)
    def _finish(self, outcome: CallOutcome, note: str) -> CallView:
        appointment = self.booked.id if self.booked is not None else None
        return self.backend.finish_call(self.call, outcome, note, appointment)

    # ------------------------------------------------------------------ saving the draft

    def _save(self, **changes: Any) -> None:
        """Queue ``changes``; one save at a time, each against the version the last returned."""
        self._pending.update(changes)
        if not self._saving:
            self._send()

    def _send(self) -> None:
        changes, self._pending = self._pending, {}
        self._inflight = changes
        self._saving = True
        self.query_one("#call-status", Static).update("Saving…", layout=False)
        self._write(self.call, changes)

    @work(thread=True, group="call-save", exit_on_error=False)
    def _write(self, call: CallView, changes: dict[str, Any]) -> CallView:
        return self.backend.save_call(call, **changes)

    @on(Worker.StateChanged)
    def _worked(self, event: Worker.StateChanged) -> None:
        group, state, worker = event.worker.group, event.state, event.worker
        if state not in (WorkerState.SUCCESS, WorkerState.ERROR):
            return
        if group == "call-save":
            self._saved(worker)
        elif group == "call-search" and state == WorkerState.SUCCESS and worker.result:
            self._show_found(*worker.result)
        elif group == "call-patient" and state == WorkerState.SUCCESS and worker.result:
            self.patient = worker.result
            self._show_caller()
            self._show_callbacks(())
            if self.call.patient_id != self.patient.id:
                self._save(patient_id=self.patient.id)
            self._pathway(take_focus=True)
        elif group == "call-moved" and state == WorkerState.SUCCESS and worker.result:
            self.booked = worker.result  # the call's outcome may be "booked" with this visit
        elif group == "call-callback-retry":
            if state == WorkerState.SUCCESS and worker.result is not None:
                due = worker.result.due_at.astimezone(ZoneInfo(self.backend.zone))
                self.notify(f"No answer: the callback is due again at {due:%H:%M}.",
                            markup=False)
                self._due()
            else:
                self.notify("The callback could not be updated; try again.",
                            severity="warning", markup=False)
        elif group == "call-callbacks" and state == WorkerState.SUCCESS:
            self._show_callbacks(worker.result or ())
        elif group == "call-readback":
            if state == WorkerState.SUCCESS and worker.result is not None:
                self._show_read_back(worker.result)
            else:
                self.notify("Booked, but the read-back could not be loaded: see the visit's "
                            "details.", severity="warning", markup=False)
        elif group == "call-relief":
            if state == WorkerState.SUCCESS and worker.result is not None:
                closed = " and the callback closed" if worker.result.callbacks_closed else ""
                self.query_one("#call-status", Static).update(
                    f"Relief report saved{closed}.", layout=False)
            elif state == WorkerState.ERROR:
                self._reported = None
                self.query_one("#call-status", Static).update(
                    "The relief report was not saved; change an answer to try again.",
                    layout=False)
        elif group == "call-finish":
            self._finished(worker)

    def _saved(self, worker: Worker[Any]) -> None:
        from frontdesk.services.calls import StaleCall

        self._saving = False
        self._inflight = {}
        status = self.query_one("#call-status", Static)
        if worker.state == WorkerState.SUCCESS and worker.result is not None:
            self.call = worker.result
            saved = self.call.updated_at.astimezone(ZoneInfo(self.backend.zone))
            status.update(f"Draft saved at {saved:%H:%M:%S}.", layout=False)
        elif isinstance(worker.error, StaleCall):
            self.call, self._pending = worker.error.current, {}
            self.notify("This call was changed in another terminal; showing that version.",
                        severity="warning", markup=False)
            status.update("Reloaded the version saved elsewhere.", layout=False)
            return
        else:
            status.update("Could not save the draft; it will be saved with the next change.",
                          layout=False)
        if self._pending:
            self._send()

    def _show_found(self, text: str, found: tuple[PatientView, ...]) -> None:
        if text != self.query_one("#call-search", Input).value:
            return  # typed on meanwhile
        self.found = found
        candidates = self.query_one("#call-candidates", OptionList)
        candidates.clear_options()
        candidates.add_options([Option(Content(patient_line(p, self.places)), id=str(p.id))
                                for p in found])
        candidates.display = bool(found)
        self._hint(f"{len(found)} found: confirm the date of birth, then ↓ and Enter."
                   if found else "Nobody found: check the spelling, or Ctrl+N adds the caller "
                                 "as a new patient.")

    def _finished(self, worker: Worker[Any]) -> None:
        if worker.state == WorkerState.SUCCESS and worker.result is not None:
            call: CallView = worker.result
            length = elapsed(call.started_at, call.ended_at or call.updated_at)
            outcome = call.outcome.label if call.outcome else ""
            self.notify(f"Call logged: {outcome} ({length}).", markup=False)
            self.dismiss()
            return
        message = getattr(worker.error, "message", "") or str(worker.error or "")
        self.query_one("#call-status", Static).update(
            f"The call was not logged: {message[:120]}", layout=False)
