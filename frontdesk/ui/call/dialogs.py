"""The call's two small dialogs: which unfinished call to resume (or a new one), and how the
call ended."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from frontdesk.domain.calls import CallOutcome
from frontdesk.domain.text import printable
from frontdesk.ui.call.pathway import ChoiceList

if TYPE_CHECKING:
    from frontdesk.services.calls import CallView


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
