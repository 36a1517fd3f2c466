"""The recalls worklist's reads and writes: the list, and what came of a call on one."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from frontdesk.services.errors import Busy, FrontDeskError, InvalidInput
from frontdesk.ui.backend.changes import Outcome
from frontdesk.ui.backend.core import BackendCore

if TYPE_CHECKING:  # the recalls' services load when the list is first opened
    from frontdesk.domain.recalls import RecallKind
    from frontdesk.services.worklists.recalls import Progress, Recall


class RecallDoor(BackendCore):
    """What the recalls screen asks of the services."""

    def recalls(self, location_id: int | None, kind: RecallKind | None = None, *,
                audit: bool = True) -> list[Recall]:
        """The recalls due at ``location_id`` (None: everywhere), of ``kind`` (None: all).
        They show names and phones, so the read is audited (``patient.list``: who, how
        many), as the command line's is — unless ``audit`` is False: a read that only keeps
        the same list fresh."""
        from frontdesk.services import directory
        from frontdesk.services.worklists import recalls

        staff = self._acting()
        found = recalls.recalls(self.ctx, by=staff, location_id=location_id, kind=kind)
        if audit:
            directory.record_listed(self.ctx, staff=staff, command="recalls", rows=len(found))
        return found

    def recall_progress(self, location_id: int | None) -> Progress:
        """What the desk did with the recalls today (tried, reached, booked)."""
        from frontdesk.services.worklists import recalls

        return recalls.progress(self.ctx, by=self._acting(), day=self.today(),
                                location_id=location_id)

    def record_recall(self, key: str, outcome: str, *, until: date | None = None,
                      note: str = "") -> Outcome:
        """Write what came of a call on the recall ``key``; how it went, in words."""
        from frontdesk.domain.recalls import RecallOutcome
        from frontdesk.services.worklists import recalls

        try:
            done = recalls.record_outcome(self.ctx, staff=self._acting(), key=key,
                                          outcome=outcome, until=until, note=note)
        except InvalidInput as exc:
            return Outcome(f"Not recorded: {exc.message}.", "warning")
        except Busy:
            return Outcome("The database is busy; nothing was recorded. Try again.", "error")
        except FrontDeskError as exc:  # a role that may not do it
            return Outcome(f"Not recorded: {exc}.", "error")
        again = f"; on the list again {done.until:%a %d %b}" if done.until else ""
        said = ("Booked: recorded for the recall" if done.outcome is RecallOutcome.BOOKED
                else f"Recorded: {done.outcome.label.lower()}")
        return Outcome(f"{said} (try {done.tries}){again}.", changed=True)
