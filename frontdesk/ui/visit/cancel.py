"""Ask why a visit is cancelled; warn when the cancel counts as late."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from frontdesk.domain.text import printable
from frontdesk.services.views import AppointmentView
from frontdesk.ui.text import when_text

MAX_REASON = 500  # the service's limit, checked here so the message sits next to the field


class CancelDialog(ModalScreen[str | None]):
    """Dismisses with the reason (stripped, never empty), or ``None`` to keep the visit."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Keep the visit", id="cancel.back",
                tooltip="Close without cancelling"),
    ]

    def __init__(self, appt: AppointmentView, *, late: bool, late_hours: int) -> None:
        super().__init__()
        self.appt = appt
        self.late = late
        self.late_hours = late_hours

    def compose(self) -> ComposeResult:
        appt = self.appt
        with Vertical(id="cancel"):
            yield Static(f"Cancel {printable(appt.patient_short)} — "
                         f"{appt.visit_type_name.split(' (')[0]}",
                         id="cancel-title", markup=False)
            yield Static(f"{when_text(appt)} · {appt.location_name} · {appt.provider_name}",
                         id="cancel-when", markup=False)
            if self.late:
                yield Static(f"Late cancel: the visit starts within {self.late_hours} hours, "
                             "so it will be recorded as a late cancel.", id="cancel-late",
                             markup=False)
            yield Input(placeholder="Reason (e.g. patient called, feeling better)",
                        max_length=MAX_REASON, id="cancel-reason")
            yield Static("", id="cancel-error", markup=False)
            yield Static("Enter cancels the visit · Esc keeps it", id="cancel-help",
                         markup=False)

    def on_mount(self) -> None:
        self.query_one("#cancel-error").display = False

    @on(Input.Submitted, "#cancel-reason")
    def _submitted(self, event: Input.Submitted) -> None:
        reason = event.value.strip()
        if not reason:
            self._error("Say why the visit is cancelled; nothing was changed.")
            return
        self.dismiss(reason)

    @on(Input.Changed, "#cancel-reason")
    def _typing(self) -> None:
        self.query_one("#cancel-error").display = False

    def _error(self, text: str) -> None:
        note = self.query_one("#cancel-error", Static)
        note.update(text)
        note.display = True
