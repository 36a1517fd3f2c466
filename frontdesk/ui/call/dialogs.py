"""The call's small dialogs: which unfinished call to resume (or a new one), how the call
ended, and, for a callback, when and what about."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from frontdesk.domain.calls import (
    MAX_CALLBACK_DAYS,
    VISIT_OUTCOMES,
    CallOutcome,
    callback_default,
    callback_due_problem,
)
from frontdesk.domain.dates import DateWordsError, parse_when_words
from frontdesk.domain.text import printable
from frontdesk.ui.call.pathway import ChoiceList

if TYPE_CHECKING:
    from frontdesk.services.calls import CallView

MAX_ABOUT = 500  # a callback task's note


def call_line(call: CallView, zone: Any) -> str:
    """'Tue 10:02 · Testcase, C. · New pain problem' for the resume list."""
    start = call.started_at.astimezone(zone)
    who = printable(call.patient_short) or "caller not identified"
    why = call.reason.label if call.reason else "no reason yet"
    return f"Call from {start:%a %H:%M} · {who} · {why}"


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


NO_ANSWER = "no-answer"  # the outcome dialog's choice for a patient called back not answering


class OutcomeDialog(ModalScreen["CallOutcome | str | None"]):
    """How the call ended. "Booked", "Moved a visit" and "Cancelled a visit" are offered once
    the call did it (``did``, in the order done); the last thing done is highlighted. A call
    that called a patient back (``calling_back``) also offers "No answer" (``NO_ANSWER``):
    their callback then stays open, due again, rather than closing with the call."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Back", id="outcome.back",
                tooltip="Back to the call without ending it"),
    ]

    def __init__(self, *, did: Sequence[CallOutcome] = (), calling_back: bool = False) -> None:
        super().__init__()
        self.did = tuple(did)
        self.offered = [o for o in CallOutcome if o not in VISIT_OUTCOMES or o in self.did]
        self.calling_back = calling_back

    def compose(self) -> ComposeResult:
        options = [Option(Content(f"{i}  {o.label}"), id=o.value)
                   for i, o in enumerate(self.offered, start=1)]
        if self.calling_back:
            options.append(Option(Content(f"{len(options) + 1}  No answer: keep the "
                                          "callback, due again in 2 hours"), id=NO_ANSWER))
        with Vertical(id="outcome"):
            yield Static("How did the call end?", id="outcome-title", markup=False)
            yield ChoiceList(*options, id="outcome-options")

    def on_mount(self) -> None:
        if self.did:
            self.query_one(OptionList).highlighted = self.offered.index(self.did[-1])

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option_id == NO_ANSWER:
            self.dismiss(NO_ANSWER)
            return
        self.dismiss(CallOutcome(str(event.option_id)))


class CallbackDialog(ModalScreen["tuple[datetime, str] | None"]):
    """When to call back and what about: dismisses with (the time, aware; the note), or None
    (Esc, back to the call). The time is typed as the app takes times elsewhere ("in 2
    hours", "2pm", "tomorrow 9:00", "tue 10:30"); what it means is shown as it is typed, and
    the call's limits (not passed, at most a year ahead) are applied before it closes, against
    the time then (``clock``: local, aware), so the call is not refused after it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Back", id="callback.back",
                tooltip="Back to the call without ending it"),
    ]

    def __init__(self, *, clock: Callable[[], datetime], about: str = "") -> None:
        super().__init__()
        self.clock = clock
        self.about = about
        self.due: datetime | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="callback"):
            yield Static("Callback: when, and what about?", id="callback-title", markup=False)
            with Horizontal(classes="callback-row"):
                yield Label("When", classes="callback-label")
                yield Input(callback_default(self.clock()), id="callback-when", compact=True,
                            placeholder="in 2 hours, 2pm, tomorrow 9:00, tue 10:30")
            yield Static("", id="callback-due", markup=False)
            with Horizontal(classes="callback-row"):
                yield Label("About", classes="callback-label")
                yield Input(self.about[:MAX_ABOUT], id="callback-about", compact=True,
                            max_length=MAX_ABOUT, placeholder="What the callback is about")
            yield Static("Enter: next field, then schedule it · Esc: back to the call",
                         id="callback-help", markup=False)

    def on_mount(self) -> None:
        self._read(self.query_one("#callback-when", Input).value)
        self.query_one("#callback-when", Input).focus()

    @on(Input.Changed, "#callback-when")
    def _typed(self, event: Input.Changed) -> None:
        self._read(event.value)

    def _read(self, text: str) -> bool:
        """Say what the typed time means, or what is wrong with it, under the field; whether
        it is a time the callback can be due at now."""
        shown = self.query_one("#callback-due", Static)
        now = self.clock()
        try:
            due = parse_when_words(text, now=now)
        except DateWordsError as exc:
            self._wrong(f"{str(exc)[:1].upper()}{str(exc)[1:]}.")
            return False
        if callback_due_problem(due, now):  # the call's own limits, said for the dialog
            day = f"{due:%a} {due.day} {due:%b}"
            self._wrong(f"{day} {due:%H:%M} has passed: give a later time." if due < now
                        else f"{day} {due:%Y} is too far off: at most {MAX_CALLBACK_DAYS} "
                             "days ahead.")
            return False
        self.due = due
        day = "today" if due.date() == now.date() else f"{due:%a} {due.day} {due:%b}"
        shown.update(f"Due {day} at {due:%H:%M}")
        shown.remove_class("-error")
        return True

    def _wrong(self, said: str) -> None:
        self.due = None
        shown = self.query_one("#callback-due", Static)
        shown.update(said)
        shown.add_class("-error")

    @on(Input.Submitted, "#callback-when")
    def _when_given(self, event: Input.Submitted) -> None:
        if self._read(event.value):
            self.query_one("#callback-about", Input).focus()

    @on(Input.Submitted, "#callback-about")
    def _about_given(self, event: Input.Submitted) -> None:
        about = event.value.strip()
        if not self._read(self.query_one("#callback-when", Input).value):
            self.query_one("#callback-when", Input).focus()  # e.g. the time passed meanwhile
            return
        if not about:
            self._wrong("Say what the callback is about, so whoever calls back knows.")
            return
        assert self.due is not None
        self.dismiss((self.due, about))
