"""The confirmation list's reads and writes: a day's list at a location, and each call's
outcome recorded against the version the row showed, said back in plain words. Its services
load when the list is first opened, not at start (they bring the report's figures)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from frontdesk.domain.confirmations import Outcome as CallOutcome
from frontdesk.services.errors import Busy, FrontDeskError, InvalidInput, StaleAppointment
from frontdesk.ui.backend.changes import Outcome
from frontdesk.ui.backend.core import BackendCore
from frontdesk.ui.text import when_text

if TYPE_CHECKING:
    from frontdesk.services.worklists.confirmations import ConfirmationList, ConfirmRow


class ConfirmationsDoor(BackendCore):
    """What the confirmation list asks of the services."""

    def confirmation_list(self, day: date | None, location_id: int | None, *,
                          audit: bool = True) -> ConfirmationList:
        """The list of ``day`` (None: the next working day) at ``location_id`` (None: every
        location); ``audit`` False for a read that only keeps the same list fresh."""
        from frontdesk.services.worklists import confirmations

        return confirmations.confirmation_list(self.ctx, by=self._acting(), day=day,
                                               location_id=location_id, audit=audit)

    def record_call(self, row: ConfirmRow, outcome: CallOutcome, *, reason: str = ""
                    ) -> Outcome:
        """Record the call's outcome against the version ``row`` showed; say how it went by
        the visit's time, never the patient's name."""
        from frontdesk.services.worklists import confirmations

        if self.staff is None:
            return Outcome("Nobody to act as: sign in first.", "error")
        try:
            done = confirmations.record(self.ctx, staff=self.staff, appointment_id=row.id,
                                        outcome=outcome, reason=reason,
                                        expected_version=row.appointment.version)
        except StaleAppointment as exc:
            return Outcome("The visit was changed by someone else meanwhile (now "
                           f"{exc.current.status.label}, {when_text(exc.current)}); nothing "
                           "was recorded. The list shows it as it is now; look again before "
                           "acting.", "warning", stale=True)
        except InvalidInput as exc:
            return Outcome(f"Nothing was recorded: {exc.message}.", "error")
        except Busy:
            return Outcome("The database is busy; nothing was recorded. Try again.", "error")
        except FrontDeskError as exc:  # a role that may not do it
            return Outcome(f"Nothing was recorded: {exc}.", "error")
        late = " (late cancel)" if outcome is CallOutcome.CANCELLED and done.late_cancel else ""
        return Outcome(f"{confirmations.outcome_words(outcome)}: {when_text(done)}{late}.",
                       changed=True, appointment_id=done.id)
