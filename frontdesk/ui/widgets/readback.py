"""The confirmation read to the caller once a visit is booked or moved — the same script
wherever it was booked: the call, the day view's keys, the treatment lookup."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

if TYPE_CHECKING:
    from frontdesk.services.readback import ReadBack


class ReadBackDialog(ModalScreen[bool]):
    """The confirmation to read to the caller. Enter: done (in a call, log the call as
    booked, or as a move); Esc: back (the visit stays booked either way)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "dismiss(True)", "Done: log the call", id="readback.done",
                priority=True),
        Binding("escape", "dismiss(False)", "Back to the call", id="readback.back"),
    ]
    in_call = True

    def __init__(self, script: ReadBack, *, heading: str = "") -> None:
        super().__init__()
        self.script = script
        self.heading = heading

    def compose(self) -> ComposeResult:
        with Vertical(id="readback"):
            yield Static(self.heading or "Read this back to the caller", id="readback-title",
                         markup=False)
            yield Static(self.script.text, id="readback-text", markup=False)
            done = "moved" if self.script.moved else "booked"
            yield Static(f"Enter: done, log the call as {done} · Esc: back to the call"
                         if self.in_call else f"Enter or Esc: done (the visit is {done})",
                         id="readback-help", markup=False)


class VisitReadBack(ReadBackDialog):
    """The read-back after booking or moving a visit outside a call (the day view's keys)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "dismiss(True)", "Done", id="readback.done", priority=True),
        Binding("escape", "dismiss(False)", "Done", id="readback.back"),
    ]
    in_call = False
