"""What the reminders screen asks of the services: the day's outbox and a manager's re-queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from frontdesk.domain.permissions import Permission
from frontdesk.ui.backend.core import BackendCore

if TYPE_CHECKING:  # the reminder services load when the list is first opened
    from frontdesk.services.worklists.reminders import DayOutbox


@dataclass(frozen=True)
class RemindersDoor(BackendCore):
    """Built from the app's backend (``RemindersDoor.of(backend)``): the same database, zone
    and person."""

    @classmethod
    def of(cls, core: BackendCore) -> RemindersDoor:
        return cls(ctx=core.ctx, zone=core.zone, owned=False, person=core.person)

    def day_outbox(self, day: date) -> DayOutbox:
        from frontdesk.services.worklists.reminders import day_outbox

        return day_outbox(self.ctx, by=self._acting(), day=day)

    def may_requeue(self) -> bool:
        return self.may(Permission.REMINDERS)

    def requeue(self, reminder_id: int) -> None:
        from frontdesk.services.worklists.reminders import retry

        retry(self.ctx, by=self._acting(), reminder_id=reminder_id)
