"""The guided part of a call: only the questions the pathway needs next, one at a time, then
the visit to book and why — the practice's verdict beside each payer's, the sessions counted
in the region, and any override booking would need.

The rules are ``domain/pathway/``; this widget asks, shows and hands the chosen visit type to
the call screen (:class:`PathwayPanel.Book`). Each answer is posted (:class:`Answered`) so the
call's draft keeps it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from frontdesk.domain.calls import CallReason
from frontdesk.domain.model import Region
from frontdesk.domain.pathway import (
    ANSWER_KEYS,
    QUESTIONS,
    AnswerError,
    Question,
    Recommendation,
    answers_from,
    count_levels,
    parse_answer,
    still_to_ask,
)
from frontdesk.ui.call.advice import (
    SAY_HEADING,
    STAFF_HEADING,
    advice_text,
    answered_line,
    stored,
)

if TYPE_CHECKING:
    from frontdesk.services.record import CallerRecord
    from frontdesk.services.views import PatientView, VisitTypeView
    from frontdesk.ui.backend.door import Advice, Backend

PATHWAY_REASONS = (CallReason.NEW_PROBLEM, CallReason.INJECTION_REPORT, CallReason.ORDERED_VISIT)


class ChoiceList(OptionList):
    """An option list where 1-9 pick an option at once (one key per answer)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(str(n), f"pick({n})", show=False) for n in range(1, 10)
    ]

    def action_pick(self, number: int) -> None:
        if number <= self.option_count:
            self.highlighted = number - 1
            self.action_select()


class PathwayPanel(Vertical):
    """Questions, then the recommendation, for the call's reason and caller."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+b", "back", "Back a question", id="call.back_question",
                tooltip="Undo the last answer and ask it again"),
    ]

    class Answered(Message):
        def __init__(self, answers: dict[str, Any]) -> None:
            super().__init__()
            self.answers = answers

    class Advised(Message):
        def __init__(self, advice: Advice) -> None:
            super().__init__()
            self.advice = advice

    class Book(Message):
        def __init__(self, visit_type: str, advice: Advice) -> None:
            super().__init__()
            self.visit_type = visit_type
            self.advice = advice

    def __init__(self, backend: Backend, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.backend = backend
        self.patient: PatientView | None = None
        self.reason: CallReason | None = None
        self.call_id: int | None = None  # the call whose stored report the answers stand for
        self.answers: dict[str, Any] = {}
        self.question: Question | None = None
        self.advice: Advice | None = None
        self.visit_types: tuple[VisitTypeView, ...] = ()
        self.record: CallerRecord | None = None  # what the practice has on file for the caller
        self._take_focus = False

    def compose(self) -> ComposeResult:
        yield Static("", id="path-answered", markup=False)
        yield Static("", id="path-question", markup=False)
        yield ChoiceList(id="path-choices")
        yield Input(id="path-input", compact=True)
        yield Static("", id="path-error", markup=False)
        yield Static("", id="path-advice", markup=False)
        yield ChoiceList(id="path-actions")

    def on_mount(self) -> None:
        for child in ("#path-choices", "#path-input", "#path-error", "#path-actions"):
            self.query_one(child).display = False
        self.display = False

    @property
    def names(self) -> dict[str, str]:
        return {v.code: v.name for v in self.visit_types}

    # ------------------------------------------------------------------ inputs

    def load(self, patient: PatientView | None, reason: CallReason | None,
             answers: dict[str, Any], *, take_focus: bool, call_id: int | None = None) -> None:
        """Show the pathway for this caller and reason (answers from the draft of the call
        ``call_id``: a report that call stored is counted once, as these answers)."""
        self.patient, self.reason, self.call_id = patient, reason, call_id
        self.answers = {k: v for k, v in answers.items() if k in ANSWER_KEYS or k == "callback_id"}
        self.display = patient is not None and reason in PATHWAY_REASONS
        if not self.display or patient is None:
            return
        self._take_focus = take_focus
        self._next()

    def _next(self) -> None:
        """Ask the next question at once (it needs no database), so an answer typed straight
        after the last one lands on the right question; the recommendation, which reads the
        patient's history, is worked out in a thread once nothing is left to ask."""
        assert self.patient is not None
        answers = answers_from(self.answers, self.reason)
        questions = still_to_ask(answers, self.backend.ctx.settings.rules,
                                 payer=self.backend.payer_of(self.patient).rules_key)
        if questions and self.visit_types:
            self._show_question(questions[0])
            return
        self._advise(self.patient.id, self.reason, dict(self.answers))

    @work(thread=True, exclusive=True, group="pathway", exit_on_error=False)
    def _advise(self, patient_id: int, reason: CallReason | None,
                answers: dict[str, Any]) -> tuple[Advice, tuple[VisitTypeView, ...]]:
        types = self.visit_types or self.backend.visit_types()
        return self.backend.recommend(patient_id, reason, answers, self.call_id), types

    @on(Worker.StateChanged)
    def _advised(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "pathway":
            return
        event.stop()
        if event.state == WorkerState.ERROR:
            self._error("Could not work out the pathway; try the answer again.")
            return
        if event.state != WorkerState.SUCCESS or event.worker.result is None:
            return
        advice, self.visit_types = event.worker.result
        self.advice = advice
        self._show_advice(advice)
        self.post_message(self.Advised(advice))

    # ------------------------------------------------------------------ showing

    def _show_advice(self, advice: Advice) -> None:
        rec: Recommendation = advice.recommendation
        self._show_answered()
        choices = self.query_one("#path-choices", ChoiceList)
        field = self.query_one("#path-input", Input)
        actions = self.query_one("#path-actions", ChoiceList)
        if rec.questions:
            self._show_question(rec.questions[0])
            return
        self.question = None
        self._error("")
        prompt = self.query_one("#path-question", Static)
        prompt.display = choices.display = field.display = False
        self.query_one("#path-advice", Static).update(self._advice_content(advice))
        actions.clear_options()
        actions.add_options([
            Option(Content(f"{i}  Offer times: {self.names.get(code, code)}"), id=code)
            for i, code in enumerate(rec.visit_types, start=1)])
        actions.display = bool(rec.visit_types)
        if rec.visit_types:
            actions.highlighted = 0
            if self._take_focus:
                actions.focus()

    def _show_answered(self) -> None:
        said = self.query_one("#path-answered", Static)
        said.update(answered_line(self.answers, self.names))
        said.display = bool(self.answers.keys() - {"callback_id"})

    def _advice_content(self, advice: Advice) -> Content:
        """The advice, its first line (the visit to book) and the two headings in bold."""
        words = advice_text(advice, self.names)
        content = Content(words)
        at = 0
        for number, line in enumerate(words.split("\n")):
            if number == 0 or line in (SAY_HEADING, STAFF_HEADING):
                content = content.stylize("bold", at, at + len(line))
            at += len(line) + 1
        return content

    def _show_question(self, q: Question) -> None:
        self._show_answered()
        choices = self.query_one("#path-choices", ChoiceList)
        field = self.query_one("#path-input", Input)
        same = self.question is not None and self.question.key == q.key
        self.question = q
        if not same:
            self._error("")
        options = self._choices_for(q)
        prompt = self.query_one("#path-question", Static)
        prompt.update(q.prompt + (f"  ({q.hint})" if q.hint and options else ""))
        prompt.display = True
        choices.display = bool(options)
        field.display = not options
        self.query_one("#path-actions", ChoiceList).display = False
        self.query_one("#path-advice", Static).update("")
        if options:
            choices.clear_options()
            choices.add_options([Option(Content(f"{i}  {label}"), id=value)
                                 for i, (value, label) in enumerate(options, start=1)])
            choices.highlighted = 0
            if self._take_focus:
                choices.focus()
        else:
            if not same:
                field.value = ""  # asked again (a wrong answer): leave it there to correct
            field.placeholder = q.hint or "type the answer, then Enter"
            if self._take_focus:
                field.focus()
        self._prefill(q)

    def know(self, record: CallerRecord | None) -> None:
        """The caller's record: a question it answers is shown filled in from it."""
        self.record = record
        if record is not None and self.question is not None and self.display:
            self._prefill(self.question)

    def _prefill(self, q: Question) -> None:
        """The answer on file, chosen or typed in for the receptionist to confirm with one
        Enter (or change: typing replaces it) — never taken without that Enter."""
        known = self.record.on_file(q.key, self.answers) if self.record is not None else None
        if known is None:
            return
        choices = self.query_one("#path-choices", ChoiceList)
        field = self.query_one("#path-input", Input)
        if choices.display:
            values = [value for value, _label in self._choices_for(q)]
            if known.value not in values or choices.highlighted not in (None, 0):
                return
            choices.highlighted = values.index(known.value)
        elif field.value and field.value != known.value:
            return  # the receptionist typed something else
        else:
            field.value = known.value
            field.select_all()
        self.query_one("#path-question", Static).update(Content.assemble(
            q.prompt, "\n", (f"On file: {known.words} — Enter to confirm", "$text-success")))

    def _choices_for(self, question: Question) -> tuple[tuple[str, str], ...]:
        if question.key == "ordered":
            return tuple((v.code, v.name) for v in self.visit_types)
        return question.choices

    def _error(self, text: str) -> None:
        error = self.query_one("#path-error", Static)
        error.update(text)
        error.display = bool(text)

    # ------------------------------------------------------------------ answering

    @on(OptionList.OptionSelected, "#path-choices")
    def _chose(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._answer(str(event.option_id))

    @on(Input.Submitted, "#path-input")
    def _typed(self, event: Input.Submitted) -> None:
        event.stop()
        self._answer(event.value)

    def _answer(self, raw: str) -> None:
        if self.question is None or self.patient is None:
            return
        key = self.question.key
        try:
            value = parse_answer(key, raw)
            if key == "levels":
                region = self.answers.get("region")
                count_levels(value, Region(region) if region else None)
        except AnswerError as exc:
            self._error(f"{self.question.prompt.rstrip('?')}: {exc.reason}.")
            return
        self.answers[key] = stored(value)
        self.post_message(self.Answered(dict(self.answers)))
        self._take_focus = True
        self._next()

    def action_back(self) -> None:
        """Forget the last answer given (in the pathway's order) and ask it again."""
        if self.patient is None:
            return
        given = [k for k in QUESTIONS if k in self.answers]
        if not given:
            return
        self.answers.pop(given[-1])
        self.post_message(self.Answered(dict(self.answers)))
        self._take_focus = True
        self._next()

    @on(OptionList.OptionSelected, "#path-actions")
    def _book(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if self.advice is not None:
            self.post_message(self.Book(str(event.option_id), self.advice))
