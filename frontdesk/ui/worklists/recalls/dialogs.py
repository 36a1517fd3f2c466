"""What a not-now or a decline needs before it is recorded: the day to call again, or why."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from frontdesk.domain.dates import DateWordsError, parse_date_words
from frontdesk.ui.text import format_day


class AskDialog(ModalScreen[str | None]):
    """One line asked for; dismisses with the text, or None when the person backs out. An
    empty answer keeps it open, saying what is needed."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Back", id="recall-ask.back",
                tooltip="Close without recording anything"),
    ]

    def __init__(self, title: str, *, placeholder: str, help_text: str,
                 needed: str) -> None:
        super().__init__()
        self.title_text, self.placeholder = title, placeholder
        self.help_text, self.needed = help_text, needed

    def compose(self) -> ComposeResult:
        with Vertical(id="recall-ask"):
            yield Static(self.title_text, id="recall-ask-title", markup=False)
            yield Input(placeholder=self.placeholder, id="recall-ask-input", max_length=400)
            yield Static("", id="recall-ask-error", markup=False)
            yield Static(self.help_text, id="recall-ask-help", markup=False)

    def on_mount(self) -> None:
        self.query_one("#recall-ask-error").display = False

    def refuse(self, reason: str) -> None:
        note = self.query_one("#recall-ask-error", Static)
        note.update(reason)
        note.display = True

    @on(Input.Submitted, "#recall-ask-input")
    def _submitted(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            self.refuse(self.needed)
            return
        try:
            answer = self.read(event.value.strip())
        except ValueError as exc:
            self.refuse(str(exc))
            return
        self.dismiss(answer)

    def read(self, text: str) -> str:
        """The answer ``text`` gives; ValueError saying what is wrong keeps the dialog open."""
        return text

    @on(Input.Changed, "#recall-ask-input")
    def _typing(self) -> None:
        self.query_one("#recall-ask-error").display = False


class UntilDialog(AskDialog):
    """The day to call again after a not-now, in everyday words; a day after today."""

    def __init__(self, *, today: date, who: str) -> None:
        super().__init__(f"Not now ({who}): call again from which day?",
                         placeholder="e.g. in 2 weeks, next mon, 4/1, 2027-04-01",
                         help_text=f"Today is {format_day(today)} · Enter records · Esc "
                                   "backs out",
                         needed="Type the day to call again.")
        self.today = today

    def read(self, text: str) -> str:
        try:
            day = parse_date_words(text, today=self.today)
        except DateWordsError as exc:
            raise ValueError(f"{str(exc)[:1].upper()}{str(exc)[1:]}.") from None
        except (ValueError, OverflowError):
            raise ValueError("That day is too far from today.") from None
        if day <= self.today:
            raise ValueError("Pick a day after today.")
        return day.isoformat()


def decline_dialog(who: str) -> AskDialog:
    return AskDialog(f"Declined ({who}): why? (a short note)",
                     placeholder="e.g. seeing another clinic, pain gone",
                     help_text="Enter records the decline: the recall leaves the list · Esc "
                               "backs out",
                     needed="A decline needs a note saying why.")
