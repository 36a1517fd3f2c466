"""The schedule editor's small dialogs: confirm (with the visits a change would strand), pick a
provider, and the base every editing form shares (field errors, saving in a worker, the
stranded-visits question)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar, Generic, TypeVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, Label, Static

from frontdesk.ui.schedule.text import (
    Done,
    FormError,
    Outcome,
    Refused,
    Stranding,
    stranding_title,
    visit_line,
)

if TYPE_CHECKING:
    from frontdesk.ui.backend.door import Backend

D = TypeVar("D")

DIALOG_CSS = """
    align: center middle;
    & > Vertical {
        width: 76;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        padding: 0 1;
        border: round $primary;
        background: $surface;
    }
    .dialog-title { text-style: bold; }
    .dialog-help { color: $text-muted; }
    .form-error, .dialog-warning { color: $text-error; }
    .form-error { padding: 0 0 0 13; }
"""


class ConfirmDialog(ModalScreen[bool]):
    """Asks before a change; Y goes ahead, Esc (or N) backs out with nothing written."""

    DEFAULT_CSS = "ConfirmDialog {" + DIALOG_CSS + """
        #confirm-lines { height: auto; max-height: 14; }
        #confirm-note { padding: 1 0 0 0; }
        #confirm-help { padding: 1 0 0 0; }
    }"""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "dismiss(True)", "Yes", id="schedule.confirm.yes",
                tooltip="Go ahead with the change"),
        Binding("escape,n", "dismiss(False)", "No", id="schedule.confirm.no", key_display="esc",
                tooltip="Back out; nothing is written"),
    ]

    def __init__(self, title: str, lines: Sequence[str], *, yes: str, warning: bool = False,
                 note: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.lines = tuple(lines)
        self.yes = yes
        self.warning = warning
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm"):
            yield Static(("⚠ " if self.warning else "") + self.title_text, id="confirm-title",
                         classes="dialog-title" + (" dialog-warning" if self.warning else ""),
                         markup=False)
            with VerticalScroll(id="confirm-lines", can_focus=False):
                for line in self.lines:
                    yield Static(f"• {line}", markup=False, classes="confirm-line")
            if self.note:
                yield Static(self.note, id="confirm-note", markup=False)
            yield Static(f"Y {self.yes} · Esc backs out, nothing written", id="confirm-help",
                         classes="dialog-help", markup=False)


def stranding_dialog(outcome: Stranding) -> ConfirmDialog:
    """'These N booked visits would fall outside working hours: …' — Y saves anyway."""
    count = len(outcome.visits)
    note = ("Saving keeps " + ("it booked: move or cancel it" if count == 1
                               else "them booked: move or cancel them") + " afterwards.")
    providers = {v.provider_name for v in outcome.visits}
    one = providers.pop() if len(providers) == 1 else None
    lines = [visit_line(v, with_provider=one is None) for v in outcome.visits]
    return ConfirmDialog(stranding_title(count, one), lines, yes="saves anyway", warning=True,
                         note=note)


class EditorForm(ModalScreen[str | None], Generic[D]):
    """A form that saves itself: dismisses with a sentence saying what was saved, or None.

    Bad input shows next to its field and nothing is saved. A save that would strand booked
    visits lists them and needs Y; Esc there leaves the form open with nothing written.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Close", id="schedule.form.close",
                tooltip="Close without saving"),
        Binding("ctrl+s", "submit", "Save", id="schedule.form.save",
                tooltip="Save (Enter in a field does the same)"),
    ]

    def __init__(self, backend: Backend) -> None:
        super().__init__()
        self.backend = backend
        self.saving = False

    # ---------------------------------------------------------------- for subclasses

    def read(self) -> D:
        """The draft from the fields; FormError names the field to fix."""
        raise NotImplementedError

    def save(self, draft: D, confirm: bool) -> Outcome:
        """Save in a worker thread (import the services inside)."""
        raise NotImplementedError

    @staticmethod
    def field(label: str, *widgets: Widget, errors: Sequence[str]) -> ComposeResult:
        """A labelled row with one error line per field under it (hidden until needed)."""
        with Horizontal(classes="form-row"):
            yield Label(label, classes="form-label")
            yield from widgets
        for name in errors:
            yield Static("", id=f"{name}-error", classes="form-error", markup=False)

    # ---------------------------------------------------------------- flow

    def on_mount(self) -> None:
        for note in self.query(".form-error"):
            note.display = False

    @on(Input.Submitted)
    def _entered(self) -> None:
        self.action_submit()

    @on(Input.Changed)
    def _edited(self, event: Input.Changed) -> None:
        """A field's error goes away as soon as the field is changed."""
        if event.input.id:
            for note in self.query(f"#{event.input.id}-error"):
                note.display = False

    def action_submit(self) -> None:
        if self.saving:
            return
        self.clear_errors()
        try:
            draft = self.read()
        except FormError as exc:
            for problem in getattr(exc, "problems", (exc,)):  # every one at once
                self.show_error(problem.field, problem.message)
            self._focus_field(exc.field)  # the cursor on the first
            return
        self._send(draft, False)

    def clear_errors(self) -> None:
        for note in self.query(".form-error"):
            note.display = False

    def show_error(self, field: str, message: str) -> None:
        found = self.query(f"#{field}-error") if field else None
        note = found.first(Static) if found else self.query_one("#form-error", Static)
        note.update(message[:1].upper() + message[1:])
        note.display = True

    def _focus_field(self, field: str) -> None:
        """The cursor to the field to fix (a field's own widget shares its name)."""
        found = self.query(f"#{field}") if field else None
        if found:
            found.first().focus()

    def _send(self, draft: D, confirm: bool) -> None:
        self.saving = True
        self._save(draft, confirm)

    @work(thread=True, exclusive=True, group="schedule-form", exit_on_error=False)
    def _save(self, draft: D, confirm: bool) -> None:
        try:
            outcome = self.save(draft, confirm)
        except Exception as exc:  # the backend already turns errors into words; belt and braces
            outcome = Refused("", f"Could not save ({type(exc).__name__}); nothing was saved.")
        self.app.call_from_thread(self._saved, draft, outcome)

    def _saved(self, draft: D, outcome: Outcome) -> None:
        self.saving = False
        if self not in self.app.screen_stack:
            return  # closed while saving; the editor rereads when it is next shown
        if isinstance(outcome, Done):
            self.dismiss(outcome.message)
        elif isinstance(outcome, Refused):
            self.show_error(outcome.field, outcome.message)
            self._focus_field(outcome.field)
        else:
            def answered(go_ahead: bool | None) -> None:
                if go_ahead:
                    self._send(draft, True)
                else:
                    self.show_error("", "Nothing saved. Change the form, or Esc to leave.")

            self.app.push_screen(stranding_dialog(outcome), answered)
