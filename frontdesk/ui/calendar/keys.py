"""The keys for the selected appointment: details, cancel, check in, done, no-show, confirm.
A base for the today board and the day view, so those screens stay about days and locations.

Every change carries the version the row showed: a change made elsewhere meanwhile comes back
as a plain warning and the board shows the fresh state, never a silent overwrite.
"""

from __future__ import annotations

from collections.abc import Hashable
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.binding import Binding, BindingType
from textual.worker import Worker, WorkerState

from frontdesk.domain.model import Status
from frontdesk.domain.text import printable
from frontdesk.ui.backend.changes import Change, Move, Outcome, Request, allowed
from frontdesk.ui.live import BoardT, LiveScreen
from frontdesk.ui.text import when_text
from frontdesk.ui.visit.cancel import CancelDialog
from frontdesk.ui.visit.details import DetailsScreen
from frontdesk.ui.widgets.waitlist import offer_freed_time

if TYPE_CHECKING:
    from frontdesk.services.views import AppointmentView

STATUS = Binding.Group("Status", compact=True)


class AppointmentKeys(LiveScreen[BoardT, None]):
    """A live screen of visits with keys that act on the one under the cursor. Needs ``day``,
    ``location_id`` and ``selected`` from the screen that uses it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "details", "Details", id="board.details", priority=True,
                tooltip="The selected visit in full, with its history"),
        Binding("x", "cancel_visit", "Cancel", id="board.cancel",
                tooltip="Cancel the selected visit (asks for a reason)"),
        Binding("i", "set_status('checked_in')", "In", id="board.check_in", group=STATUS,
                tooltip="Check the selected patient in"),
        Binding("o", "set_status('completed')", "Done", id="board.complete", group=STATUS,
                tooltip="Mark the selected visit done (completed)"),
        Binding("n", "set_status('no_show')", "No-show", id="board.no_show", group=STATUS,
                tooltip="Mark the selected visit a no-show"),
        Binding("f", "set_status('confirmed')", "Confirm", id="board.confirm", group=STATUS,
                tooltip="Mark the selected visit confirmed"),
    ]

    #: The actions whose keys grey out and back in with the cursor (see ``check_action``).
    FOOTER_ACTIONS: ClassVar[tuple[tuple[str, tuple[object, ...]], ...]] = (
        ("details", ()), ("cancel_visit", ()), ("set_status", ("checked_in",)),
        ("set_status", ("completed",)), ("set_status", ("no_show",)),
        ("set_status", ("confirmed",)),
    )

    day: date
    location_id: int | None
    _binding_state: object = None
    _freeing: dict[int, AppointmentView] | None = None  # visits whose time is being freed

    def binding_state(self) -> object:
        """The answers of ``check_action`` themselves (the footer redraws when one changes):
        moving the cursor from one visit to another like it, or to the next day, leaves the
        footer alone."""
        return tuple(self.check_action(action, params) for action, params in self.FOOTER_ACTIONS)

    def sync_bindings(self) -> None:
        """Refresh the footer only when its answers may have changed: rebuilding it is the
        costliest part of a repaint."""
        state = self.binding_state()
        if state != self._binding_state:
            self._binding_state = state
            self.refresh_bindings()

    @property
    def selected(self) -> AppointmentView | None:
        """The appointment under the cursor, as the screen last showed it."""
        raise NotImplementedError

    def action_details(self) -> None:
        if (appt := self.selected) is not None:
            self.app.push_screen(DetailsScreen(appt, partial(self.backend.open_record, appt.id),
                                               backend=self.backend, earlier=self._earlier))

    def _earlier(self, appt: AppointmentView) -> None:
        """Visit details' ``w``: the patient wants this visit earlier (the waitlist form)."""
        from frontdesk.ui.backend.waitlist import Wish
        from frontdesk.ui.widgets.waitlist_form import WaitlistForm

        def saved(message: str | None) -> None:
            if message:
                self.notify(message, markup=False)

        self.app.push_screen(WaitlistForm(
            self.backend, f"Earlier time wanted · {printable(appt.patient_short)}\n"
                          f"{appt.visit_type_name.split(' (')[0]}, now {when_text(appt)} at "
                          f"{appt.location_name}", Wish(appt.patient_id, appointment_id=appt.id),
            today=self.backend.today()), saved)

    def action_cancel_visit(self) -> None:
        if (appt := self.selected) is None:
            return

        def reason_given(reason: str | None) -> None:
            if reason is not None:
                self.freeing(appt)
                self._submit(Request(appt.id, appt.version, reason=reason))

        dialog = CancelDialog(appt, late=self.backend.is_late_cancel(appt),
                              late_hours=self.backend.late_cancel_hours())
        self.app.push_screen(dialog, reason_given)

    def action_set_status(self, status: str) -> None:
        if (appt := self.selected) is not None:
            self._submit(Request(appt.id, appt.version, Status(status)))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Appointment keys show greyed out until a row is selected whose status allows them
        (the service still has the last word)."""
        if action == "details":
            return True if self.selected is not None else None
        if action in ("set_status", "cancel_visit"):
            target = Status(str(parameters[0])) if parameters else Status.CANCELLED
            usable = self.backend.staff is not None and not self.acting
            return True if usable and allowed(self.selected, target, today=self.today) else None
        return True

    def freeing(self, appt: AppointmentView) -> None:
        """``appt``'s time is about to free (a cancel or a move): once it has, the waitlisted
        patients it suits are shown."""
        if self._freeing is None:
            self._freeing = {}
        self._freeing[appt.id] = appt

    def _freed(self, change: Change, outcome: Outcome) -> None:
        if outcome.ask is not None:
            return  # asked first: it may still be done
        before = (self._freeing or {}).pop(getattr(change, "appointment_id", -1), None)
        if before is None or not outcome.changed:
            return
        if isinstance(change, Move) or (isinstance(change, Request) and change.status is None):
            offer_freed_time(self, self.backend, before,
                             "moved" if isinstance(change, Move) else "cancelled")

    def followed(self, change: Change, outcome: Outcome, script: Any) -> None:
        """After a change: a screen that books or moves asks what the booking checks need
        (``outcome.ask``) and shows the read-back (``script``). Here, nothing more."""

    def _submit(self, change: Change) -> None:
        """Write one change in a worker; a read begun before it must not repaint over it."""
        self.acting, self._loading = True, None
        self.sync_bindings()
        self._act(change, self.shown)

    @work(thread=True, group="act", exit_on_error=False)
    def _act(self, change: Change, shown: Hashable) -> tuple[Outcome, Any, Change, Any]:
        outcome = self.backend.apply(change)
        script = None
        if outcome.appointment_id is not None:  # booked or moved: the read-back for the caller
            try:
                script = self.backend.read_back(outcome.appointment_id,
                                                moved=isinstance(change, Move))
            except Exception:  # noqa: BLE001 - the visit is booked; say so without it
                script = None
        return outcome, self.read(shown), change, script

    @on(Worker.StateChanged)
    def _acted(self, event: Worker.StateChanged) -> None:
        finished = (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED)
        if event.worker.group != "act" or event.state not in finished:
            return  # the event's state: the worker's own may have moved on since
        self.acting = False
        result: tuple[Outcome, BoardT, Change, Any] | None = event.worker.result
        if event.state != WorkerState.SUCCESS or result is None:
            self.notify("Could not reach the database; the change may not have been saved. "
                        "The board reads the day again.", severity="error", markup=False)
            self.reload()
            return
        outcome, board, change, script = result
        if outcome.ask is None:
            self.notify(outcome.message, severity=outcome.severity, markup=False,
                        timeout=8 if outcome.severity == "information" else 12)
        self.followed(change, outcome, script)
        self._freed(change, outcome)
        if self.shows(board) == self.shown:
            self._settled()
            self.board = board
            self._paint()
        else:
            self.reload()
        self.sync_bindings()
