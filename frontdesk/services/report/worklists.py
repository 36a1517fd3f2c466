"""The worklists' figures for the daily report: each worklist counts its own list.

Every worklist service (:mod:`frontdesk.services.worklists`) has a ``report_lines`` that counts
with the query its list is read with, so the report and the lists always agree. This module only
asks each in turn, inside the report's one read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from frontdesk.services.context import Context
from frontdesk.services.errors import FrontDeskError
from frontdesk.services.report.values import DrillKind, Figure, WorklistLine

log = logging.getLogger(__name__)
#: The line a worklist that could not be read shows (its count is 0: nothing was counted).
COULD_NOT_READ = "Could not be read (see the log)"


@dataclass(frozen=True, slots=True)
class WorklistDay:
    """The day the report is for: its local bounds (aware UTC), the moment it is read as of
    (the end of the day, or now for today), and the location (None: all); ``ctx`` and ``by``
    (who reads the report) for a list that reads in its own session."""

    ctx: Context
    by: str
    day: date
    start: datetime
    end: datetime
    as_of: datetime
    location_id: int | None
    zone: ZoneInfo


Gatherer = Callable[[Session, WorklistDay], list[WorklistLine]]


def _confirmations(session: Session, wday: WorklistDay) -> list[WorklistLine]:
    from frontdesk.services.worklists import confirmations

    return confirmations.report_lines(session, wday.day, wday.location_id)


def _recalls(_session: Session, wday: WorklistDay) -> list[WorklistLine]:
    from frontdesk.services.worklists import recalls

    return recalls.report_lines(wday.ctx, by=wday.by, day=wday.day,
                                location_id=wday.location_id)


def _reminders(_session: Session, wday: WorklistDay) -> list[WorklistLine]:
    from frontdesk.services.worklists import reminders

    return reminders.report_lines(wday.ctx, day=wday.day)


def _waitlist(_session: Session, wday: WorklistDay) -> list[WorklistLine]:
    from frontdesk.services.worklists import waitlist

    return waitlist.report_lines(wday.ctx, by=wday.by, day=wday.day,
                                 location_id=wday.location_id)


#: Each worklist's name in the report, and how its lines are gathered.
GATHERERS: tuple[tuple[str, Gatherer], ...] = (
    ("Confirmations", _confirmations),
    ("Reminders", _reminders),
    ("Waitlist", _waitlist),
    ("Recalls", _recalls),
)


def worklist_lines(session: Session, wday: WorklistDay) -> tuple[WorklistLine, ...]:
    """Every worklist's lines. One list that cannot be read (a row it does not understand, a
    setting gone wrong) says so in its own line and leaves the rest of the report whole."""
    lines: list[WorklistLine] = []
    for name, gather in GATHERERS:
        try:
            lines += gather(session, wday)
        except FrontDeskError:
            raise  # e.g. the person may not read the report: the report says so
        except Exception as exc:  # the report must stand without this list
            log.warning("worklist %s could not be read: %s", name, type(exc).__name__)
            lines.append(WorklistLine(name, COULD_NOT_READ, Figure(DrillKind.APPOINTMENTS, (),
                                                                   f"{name}: not read")))
    return tuple(lines)
