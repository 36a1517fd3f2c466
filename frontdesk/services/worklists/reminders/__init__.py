"""Reminders that are really sent: the outbox (``outbox``), what a reminder says
(``letter``), how it goes out (``transport``), the background sender (``sender``) and the
day's outbox for people and the daily report (``status``). See docs/reminders.md."""

from frontdesk.services.worklists.reminders.outbox import (
    Outcome,
    Planned,
    claim,
    plan,
    plan_rows,
    record,
    recover,
    retry,
)
from frontdesk.services.worklists.reminders.sender import Pass, run, work_due
from frontdesk.services.worklists.reminders.status import (
    DayOutbox,
    LogLine,
    ReminderRow,
    day_outbox,
    report_lines,
)

__all__ = ["DayOutbox", "LogLine", "Outcome", "Pass", "Planned", "ReminderRow", "claim",
           "day_outbox", "plan", "plan_rows", "record", "recover", "report_lines", "retry",
           "run", "work_due"]
