"""Schedulers edit providers' weekly templates and the closures that cut into them.

Every write is one transaction with its audit event. A change that would take booked visits out
of working time is refused with ``WouldStrand`` (nothing written) unless the caller confirms;
confirmed, the visits stay booked and come back listed so someone can move them.

``reading`` gives the rows the editor shows; ``hours`` and ``closures`` are the edits, each
checked by ``stranding``; ``weekdays`` turns weekly rules into weekdays and back.
"""

from frontdesk.services.schedule_admin.closures import add_closure, remove_closure
from frontdesk.services.schedule_admin.hours import remove_template, save_template
from frontdesk.services.schedule_admin.reading import (
    ClosureRow,
    Saved,
    TemplateRow,
    closures_between,
    provider_week,
)
from frontdesk.services.schedule_admin.stranding import WouldStrand
from frontdesk.services.schedule_admin.weekdays import (
    is_plain_rule,
    rule_weekdays,
    weekdays_text,
    weekly_rule,
)

__all__ = [
    "ClosureRow",
    "Saved",
    "TemplateRow",
    "WouldStrand",
    "add_closure",
    "closures_between",
    "is_plain_rule",
    "provider_week",
    "remove_closure",
    "remove_template",
    "rule_weekdays",
    "save_template",
    "weekdays_text",
    "weekly_rule",
]
