"""What every way to book asks before and after the services check it, shared by the call and
the day view: a procedure's details (region, levels, side) with the payer's verdict on them, and
a plain question when the services warn or need a physician's order.

The services have the last word (``services/scheduling/guards.py``); these dialogs only ask the
person what the services would otherwise refuse, and show their words.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from frontdesk.domain.model import Region
from frontdesk.domain.pathway import QUESTIONS, AnswerError, count_levels
from frontdesk.domain.pathway.questions import normalise_levels
from frontdesk.ui.backend.changes import Ask, Move, NewBooking
from frontdesk.ui.widgets.override import Authorised, OverrideDialog

if TYPE_CHECKING:
    from textual.app import App

    from frontdesk.domain.pathway import PayerCheck
    from frontdesk.ui.backend.door import Backend

Booking = Move | NewBooking

SPINE_PROCEDURES = frozenset({"facet-diagnostic", "facet-therapeutic", "rfa"})
#: Asked before a visit is booked or moved: about a procedure still to come.
PROMPTS = {"region": "Which part of the spine will be injected?", "levels": "Which levels?",
           "side": "Which side?"}
ABLATION_REGION = "Which part of the spine will be treated?"  # RFA burns, it does not inject


@dataclass(frozen=True)
class ProcedureDetails:
    region: str | None = None
    levels: str | None = None
    side: str | None = None

    @property
    def words(self) -> str:
        return " ".join(p for p in (self.region, self.levels, self.side) if p)

    def complete_for(self, visit_type: str) -> bool:
        spine = visit_type in SPINE_PROCEDURES
        return bool(self.region and self.side and (self.levels or not spine))


def payer_verdict(checks: Sequence[PayerCheck]) -> str:
    """Each applicable payer's verdict on the visit, in the call's words."""
    if not checks:
        return "Payer rules: the patient's plan has none for this visit (e.g. self-pay)."
    lines: list[str] = []
    for check in checks:
        if check.allowed:
            lines.append(f"✓ {check.payer}: allowed ({check.count} of {check.limit} "
                         f"{check.procedure.noun} sessions in {check.window_months} months)")
        else:
            lines += [f"✗ {check.payer}: {p.text}" for p in check.problems]
        lines += [f"  {check.payer} {note}." for note in check.notes]
    broken = [c for c in checks if not c.allowed]
    if broken:
        earliest = [c.earliest for c in broken if c.earliest is not None]
        lines.append("⚠ Booking this anyway needs an override by someone allowed to override "
                     "payer rules, with a reason"
                     + (f". Allowed without override from {min(earliest):%a %d %b %Y}."
                        if earliest else "."))
    return "\n".join(lines)


def refused_text(checks: Sequence[PayerCheck]) -> str:
    """The payer problems that refused a booking, one a line (what the override dialog shows)."""
    return "\n".join(f"{c.payer}: {p.text}" for c in checks for p in c.problems)


class ProcedureDialog(ModalScreen["ProcedureDetails | None"]):
    """Where the procedure is done: the region, the levels (spine procedures) and the side,
    then the payer's verdict on it. Dismisses with the details, or None (Esc)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Back", id="procedure.back",
                tooltip="Back without booking"),
    ]

    def __init__(self, title: str, visit_type: str, *, known: ProcedureDetails | None = None,
                 verdict: Callable[[ProcedureDetails], str] | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.visit_type = visit_type
        self.spine = visit_type in SPINE_PROCEDURES
        self.known = known or ProcedureDetails()
        self.verdict = verdict
        self.area: str | None = self.known.region
        self.details = self.known

    def compose(self) -> ComposeResult:
        with Vertical(id="procedure"):
            yield Static(self.title_text, id="procedure-title", markup=False)
            yield Static(self._prompt("region"), id="procedure-ask", markup=False)
            yield OptionList(*(Option(Content(label), id=value)
                               for value, label in QUESTIONS["region"].choices),
                             id="procedure-region")
            yield Input(self.known.levels or "", placeholder=QUESTIONS["levels"].hint,
                        id="procedure-levels", compact=True)
            yield OptionList(*(Option(Content(label), id=value)
                               for value, label in QUESTIONS["side"].choices),
                             id="procedure-side")
            yield Static("", id="procedure-error", markup=False)
            yield Static("", id="procedure-verdict", markup=False)
            yield OptionList(Option(Content("Book it"), id="book"), id="procedure-book")

    def on_mount(self) -> None:
        for widget in ("#procedure-levels", "#procedure-side", "#procedure-book",
                       "#procedure-verdict"):
            self.query_one(widget).display = False
        regions = self.query_one("#procedure-region", OptionList)
        codes = [value for value, _ in QUESTIONS["region"].choices]
        regions.highlighted = codes.index(self.area) if self.area in codes else 0
        regions.focus()

    def _prompt(self, key: str) -> str:
        return ABLATION_REGION if key == "region" and self.visit_type == "rfa" else PROMPTS[key]

    def _ask(self, key: str) -> None:
        self.query_one("#procedure-ask", Static).update(self._prompt(key))

    @on(OptionList.OptionSelected, "#procedure-region")
    def _region(self, event: OptionList.OptionSelected) -> None:
        self.area = event.option_id
        event.option_list.display = False
        if self.spine:
            self._ask("levels")
            levels = self.query_one("#procedure-levels", Input)
            levels.display = True
            levels.focus()
        else:
            self._to_side()

    @on(Input.Submitted, "#procedure-levels")
    def _levels(self, event: Input.Submitted) -> None:
        error = self.query_one("#procedure-error", Static)
        try:
            count_levels(event.value, Region(self.area or "lumbar"))
        except AnswerError as exc:
            error.update(f"Levels: {exc.reason}.")
            return
        error.update("")
        event.input.value = normalise_levels(event.value)
        event.input.display = False
        self._to_side()

    def _to_side(self) -> None:
        self._ask("side")
        sides = self.query_one("#procedure-side", OptionList)
        sides.display = True
        codes = [value for value, _ in QUESTIONS["side"].choices]
        sides.highlighted = codes.index(self.known.side) if self.known.side in codes else 0
        sides.focus()

    @on(OptionList.OptionSelected, "#procedure-side")
    def _side(self, event: OptionList.OptionSelected) -> None:
        event.option_list.display = False
        levels = self.query_one("#procedure-levels", Input).value if self.spine else ""
        self.details = ProcedureDetails(self.area, levels or None, event.option_id)
        self.query_one("#procedure-ask", Static).update(self.details.words)
        verdict = self.query_one("#procedure-verdict", Static)
        verdict.display = True
        if self.verdict is None:
            self._ready("")
        else:
            verdict.update("Checking the payer rules…")
            self._check(self.details)

    @work(thread=True, exclusive=True, group="procedure-verdict", exit_on_error=False)
    def _check(self, details: ProcedureDetails) -> str:
        assert self.verdict is not None
        return self.verdict(details)

    @on(Worker.StateChanged)
    def _checked(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "procedure-verdict":
            return
        if event.state == WorkerState.SUCCESS:
            self._ready(str(event.worker.result or ""))
        elif event.state == WorkerState.ERROR:
            self._ready("The payer rules could not be read now; they are checked again when "
                        "it is booked.")

    def _ready(self, verdict: str) -> None:
        self.query_one("#procedure-verdict", Static).update(
            (verdict + "\n" if verdict else "") + "Enter books it · Esc: back")
        book = self.query_one("#procedure-book", OptionList)
        book.display = True
        book.highlighted = 0
        book.focus()

    @on(OptionList.OptionSelected, "#procedure-book")
    def _book(self) -> None:
        self.dismiss(self.details)


class BookingQuestion(ModalScreen[bool]):
    """A plain question before booking: the services' words, then Enter for ``yes`` or Esc."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(False)", "Back", id="confirm.back",
                tooltip="Back without booking"),
    ]

    def __init__(self, title: str, text: str, yes: str) -> None:
        super().__init__()
        self.title_text = title
        self.text = text
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm"):
            yield Static(self.title_text, id="confirm-title", markup=False)
            yield Static(self.text, id="confirm-text", markup=False)
            yield OptionList(Option(Content(self.yes), id="yes"),
                             Option(Content("Back: do not book it"), id="no"),
                             id="confirm-options")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option_id == "yes")


def warnings_text(warnings: Sequence[str]) -> str:
    """The services' warnings, one a line, for the confirm dialog."""
    return "\n".join(f"⚠ {w[:1].upper()}{w[1:]}." for w in warnings)


def warnings_question(warnings: Sequence[str]) -> BookingQuestion:
    """The booking's warnings, to accept (book anyway) or not."""
    return BookingQuestion("Before booking: read these to the caller or check them",
                           warnings_text(warnings), "Book it anyway: I have checked these")


def first_visit_question(message: str) -> BookingQuestion:
    """A new patient's first visit that is not the evaluation: did a physician order it?"""
    return BookingQuestion("A new patient's first visit", f"{message[:1].upper()}{message[1:]}.",
                           "Ordered by the physician: book it (the audit log records it)")


class CheckAnswers:
    """Asks the person what the booking checks need — accept the warnings, a physician's
    order, an override signed by who authorises it, a procedure's details — and hands the
    change back to try again with the answer (or drops it, on Esc). One per screen that books:
    it remembers the payer problems while an override is asked again."""

    def __init__(self, app: App[object], backend: Backend) -> None:
        self.app = app
        self.backend = backend
        self.problems = ""

    def answer(self, change: Booking, ask: Ask, visit_type: str,
               retry: Callable[[Booking], object]) -> None:
        said = change.said
        if ask.kind == "warnings":
            def accepted(yes: bool | None) -> None:
                if yes:
                    codes = tuple(dict.fromkeys((*said.accept_warnings, *ask.codes)))
                    retry(replace(change, said=replace(said, accept_warnings=codes)))

            self.app.push_screen(warnings_question(ask.text.split("\n")), accepted)
        elif ask.kind == "first-visit":
            def ordered(yes: bool | None) -> None:
                if yes:
                    retry(replace(change, said=replace(said, ordered_by_physician=True)))

            self.app.push_screen(first_visit_question(ask.text), ordered)
        elif ask.kind == "payer":
            self.problems = ask.text or self.problems

            def authorised(answer: Authorised | None) -> None:
                if answer is not None:
                    retry(replace(change, said=replace(
                        said, override_by=answer.who, override_reason=answer.why,
                        override_password=answer.password or None)))

            self.app.push_screen(OverrideDialog(
                self.problems, self.backend.staff, may_override=self.backend.may_override(),
                who=said.override_by or "", why=said.override_reason or "", error=ask.error),
                authorised)
        else:
            def given(details: ProcedureDetails | None) -> None:
                if details is not None:
                    retry(replace(change, said=replace(
                        said, region=details.region, levels=details.levels,
                        side=details.side)))

            self.app.push_screen(ProcedureDialog(
                f"{ask.text[:1].upper()}{ask.text[1:]}", visit_type,
                known=ProcedureDetails(said.region, said.levels, said.side)), given)
