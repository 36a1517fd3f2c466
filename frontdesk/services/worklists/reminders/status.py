"""The outbox of one day for people: its rows and the delivery log, counts by status, and the
daily report's lines. No message text, no address, no patient name: who a reminder is for is
found by opening the visit.

The day's outbox is the reminders due on that practice-local day; its log is the lines
written that day. The report's figures count the same rows.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from frontdesk.db.engine import read_session
from frontdesk.db.models import Location, Reminder, ReminderAttempt
from frontdesk.domain import reminders as r
from frontdesk.services.access import acting
from frontdesk.services.context import Context
from frontdesk.services.holidays import local_day_bounds
from frontdesk.services.report.values import DrillKind, Figure, WorklistLine
from frontdesk.services.worklists.reminders.outbox import utc

PRACTICE_ZONE = "America/Chicago"
WORKLIST = "Reminders"


@dataclass(frozen=True, slots=True)
class ReminderRow:
    id: int
    appointment_id: int
    channel: str
    before_min: int
    due_at: datetime
    visit_starts_at: datetime
    status: str
    attempts: int
    sent_at: datetime | None
    last_error: str


@dataclass(frozen=True, slots=True)
class LogLine:
    reminder_id: int
    at: datetime
    channel: str
    outcome: str
    detail: str


@dataclass(frozen=True, slots=True)
class DayOutbox:
    day: date
    zone: str
    rows: tuple[ReminderRow, ...]
    log: tuple[LogLine, ...]

    @property
    def counts(self) -> dict[str, int]:
        found = Counter(row.status for row in self.rows)
        return {status: found.get(status, 0) for status in r.STATUSES}


def practice_zone(session: Session) -> str:
    found = session.exec(select(Location.timezone).order_by(col(Location.id)).limit(1)).first()
    return found or PRACTICE_ZONE


def day_outbox(ctx: Context, *, by: str, day: date) -> DayOutbox:
    """The reminders due on ``day`` and the delivery log of ``day``, for any staff member."""
    with read_session(ctx.engine) as session:
        acting(session, by)
        return _day(session, day)


def _day(session: Session, day: date) -> DayOutbox:
    zone = practice_zone(session)
    start, end = local_day_bounds(day, ZoneInfo(zone))
    rows = session.exec(select(Reminder).where(col(Reminder.due_at) >= start,
                                               col(Reminder.due_at) < end)
                        .order_by(col(Reminder.due_at), col(Reminder.id))).all()
    lines = session.exec(select(ReminderAttempt, Reminder.channel)
                         .join(Reminder, col(Reminder.id) == ReminderAttempt.reminder_id)
                         .where(col(ReminderAttempt.at) >= start, col(ReminderAttempt.at) < end)
                         .order_by(col(ReminderAttempt.at), col(ReminderAttempt.id))).all()
    return DayOutbox(
        day=day, zone=zone,
        rows=tuple(ReminderRow(
            id=row.id or 0, appointment_id=row.appointment_id, channel=row.channel,
            before_min=row.before_min, due_at=utc(row.due_at),
            visit_starts_at=utc(row.visit_starts_at), status=row.status,
            attempts=row.attempts, sent_at=utc(row.sent_at) if row.sent_at else None,
            last_error=row.last_error) for row in rows),
        log=tuple(LogLine(reminder_id=line.reminder_id, at=utc(line.at), channel=channel,
                          outcome=line.outcome, detail=line.detail)
                  for line, channel in lines))


_LABELS = ((r.SENT, "Sent"), (r.FAILED, "Failed"), (r.UNSURE, "Unsure (may have gone out)"))


def report_lines(ctx: Context, *, day: date) -> list[WorklistLine]:
    """The day's reminders sent, failed and unsure, as the daily report shows them: each
    figure counts reminders (as ``reminders status`` does) and drills down to their visits."""
    with read_session(ctx.engine) as session:
        outbox = _day(session, day)
    return lines_of(outbox)


def lines_of(outbox: DayOutbox) -> list[WorklistLine]:
    out: list[WorklistLine] = []
    for status, label in _LABELS:
        rows = [row for row in outbox.rows if row.status == status]
        visits = tuple(dict.fromkeys(row.appointment_id for row in rows))
        out.append(WorklistLine(WORKLIST, label, Figure(
            DrillKind.APPOINTMENTS, visits, f"Visits with a reminder {status} on {outbox.day}",
            count=len(rows))))
    return out


def practice_day(ctx: Context) -> date:
    """Today in the practice's zone."""
    with read_session(ctx.engine) as session:
        zone = ZoneInfo(practice_zone(session))
    return ctx.now().astimezone(zone).date()
