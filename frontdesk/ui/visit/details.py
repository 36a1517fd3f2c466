"""One appointment in full, with its history of changes from the audit log.

The screen opens at once with what the board row knew; a worker then reads the fresh state and
the history (``load`` runs in a thread: it is the backend's ``details``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, ClassVar
from zoneinfo import ZoneInfo

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from frontdesk.services.views import AppointmentView, PatientView
from frontdesk.ui.text import (
    alerts_text,
    details_text,
    format_day,
    phone_text,
    printable,
    status_text,
    when_text,
)

if TYPE_CHECKING:
    from frontdesk.services.history import HistoryEntry
    from frontdesk.ui.backend.door import Backend

    Load = Callable[[], tuple[AppointmentView, Sequence[HistoryEntry], PatientView | None]]

LABEL = 10


def facts(appt: AppointmentView, patient: PatientView | None = None
          ) -> list[tuple[str, str]]:
    """The appointment as label/value pairs: the patient by short name, and — once their
    record is read — the date of birth and phones, to confirm who is on the line."""
    booked = appt.booked_at.astimezone(ZoneInfo(appt.timezone))
    rows = [
        ("Patient", appt.patient_short),
        *([("Alerts", alerts)] if (alerts := alerts_text(appt.patient_alerts,
                                                         appt.patient_alert_note)) else []),
        *([("Born", f"{patient.dob.day} {patient.dob:%b %Y}"),
           ("Phone", phone_text(patient.phone)
            + (f" · mobile {phone_text(patient.mobile)}" if patient.mobile else ""))]
          if patient is not None else []),
        ("Visit", appt.visit_type_name),
        ("When", f"{format_day(appt.local_start.date())}, {when_text(appt).split(' ')[-1]}"),
        ("Where", f"{appt.location_name} · {appt.room_name}"),
        ("Provider", appt.provider_name),
        ("Status", status_text(appt.status)),
    ]
    if details_text(appt):
        rows.append(("Procedure", details_text(appt)))
    rows.append(("Booked", f"by {appt.booked_by}, {format_day(booked.date())} "
                           f"{booked:%H:%M}"))
    if appt.cancel_reason:
        late = " (late cancel)" if appt.late_cancel else ""
        rows.append(("Reason", appt.cancel_reason + late))
    return rows


def history_lines(entries: Sequence[HistoryEntry], zone: str) -> list[str]:
    if not entries:
        return ["No changes recorded."]
    lines = []
    for e in entries:
        at = e.at.astimezone(ZoneInfo(zone))
        lines.append(printable(f"{at:%a} {at.day} {at:%b %H:%M}  {e.staff}  {e.action}: "
                               f"{e.changes}"))
    return lines


class DetailsScreen(ModalScreen[None]):
    """Esc or Enter closes it; w puts a visit still to come on the waitlist (wanted earlier)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Close", id="details.close",
                tooltip="Back to the board"),
        Binding("enter", "dismiss(None)", "Close", id="details.close_enter", show=False,
                tooltip="Back to the board"),
        Binding("w", "waitlist", "Earlier time wanted", id="details.waitlist",
                tooltip="The patient wants this visit earlier: put it on the waitlist "
                        "(where, which days, what times, until)"),
    ]

    def __init__(self, appt: AppointmentView, load: Load, *, backend: Backend | None = None,
                 earlier: Callable[[AppointmentView], object] | None = None) -> None:
        super().__init__()
        self.appt = appt
        self.patient: PatientView | None = None
        self._load_details = load
        self.backend = backend
        self.earlier = earlier  # ``w``: the visit wanted earlier (the waitlist form)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """``w`` only for a visit still to come, booked or confirmed, by someone who may book."""
        if action != "waitlist":
            return True
        from frontdesk.domain.model import Status
        from frontdesk.domain.permissions import Permission

        b = self.backend
        usable = (b is not None and self.earlier is not None and b.may(Permission.BOOK)
                  and self.appt.status in (Status.BOOKED, Status.CONFIRMED)
                  and self.appt.start > b.ctx.now())
        return True if usable else None

    def action_waitlist(self) -> None:
        if self.earlier is not None and self.check_action("waitlist", ()) is not None:
            self.earlier(self.appt)

    def compose(self) -> ComposeResult:
        with Vertical(id="details"):
            yield Static(id="details-facts", markup=False)
            yield Static("History", id="details-history-title", markup=False)
            with VerticalScroll(id="details-history-scroll"):
                yield Static("Reading the history…", id="details-history", markup=False)

    def on_mount(self) -> None:
        self._show(self.appt)
        self._read()

    @work(thread=True, exclusive=True, group="details", exit_on_error=False)
    def _read(self) -> tuple[AppointmentView, Sequence[HistoryEntry], PatientView | None]:
        return self._load_details()

    @on(Worker.StateChanged)
    def _loaded(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "details":
            return
        note = self.query_one("#details-history", Static)
        if event.state == WorkerState.ERROR:
            note.update("Could not read the history; close and try again.")
        elif event.state == WorkerState.SUCCESS and event.worker.result is not None:
            appt, entries, self.patient = event.worker.result
            self.appt = appt
            self._show(appt)
            note.update("\n".join(history_lines(entries, appt.timezone)))

    def _show(self, appt: AppointmentView) -> None:
        text = "\n".join(f"{label:<{LABEL}}{printable(value)}"
                         for label, value in facts(appt, self.patient))
        self.query_one("#details-facts", Static).update(text)
        self.refresh_bindings()
