"""Go to a date typed in everyday words: "next tue", "12/3", "in 2 weeks", "2027-03-15"."""

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


class GoToDialog(ModalScreen[date | None]):
    """Dismisses with the day, or ``None`` when the person backs out. Bad words keep it open."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Back", id="goto.back",
                tooltip="Close without changing the day"),
    ]

    def __init__(self, *, today: date) -> None:
        super().__init__()
        self.today = today

    def compose(self) -> ComposeResult:
        with Vertical(id="goto"):
            yield Static("Go to which day?", id="goto-title", markup=False)
            yield Input(placeholder="e.g. tomorrow, next tue, 3/15, in 2 weeks, 2027-03-15",
                        id="goto-input")
            yield Static("", id="goto-error", markup=False)
            yield Static(f"Today is {format_day(self.today)} · Enter goes · Esc backs out",
                         id="goto-help", markup=False)

    def on_mount(self) -> None:
        self.query_one("#goto-error").display = False

    @on(Input.Submitted, "#goto-input")
    def _submitted(self, event: Input.Submitted) -> None:
        try:
            day = parse_date_words(event.value, today=self.today)
        except DateWordsError as exc:
            note = self.query_one("#goto-error", Static)
            note.update(f"{str(exc)[:1].upper()}{str(exc)[1:]}.")
            note.display = True
            return
        self.dismiss(day)

    @on(Input.Changed, "#goto-input")
    def _typing(self) -> None:
        self.query_one("#goto-error").display = False
