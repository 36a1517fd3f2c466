"""The worklists' figures for the daily report: each worklist counts its own list.

Every worklist service (:mod:`frontdesk.services.worklists`) has a ``report_lines`` that counts
with the query its list is read with, so the report and the lists always agree. This module only
asks each in turn, inside the report's one read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from frontdesk.services.context import Context
from frontdesk.services.report.values import WorklistLine


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


def _gatherers() -> tuple[Gatherer, ...]:
    return (_confirmations, _reminders, _recalls)


def worklist_lines(session: Session, wday: WorklistDay) -> tuple[WorklistLine, ...]:
    return tuple(line for gather in _gatherers() for line in gather(session, wday))
