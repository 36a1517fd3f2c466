"""The waitlist with match-on-cancel (issue 21): callers who want an earlier time, offered
the time that opens — a cancelled or moved visit's, hours opened in the editor — best match
first; an accepted offer books through the one booking path and leaves the list.

``entries``: add, list, remove; ``matching``: who a time suits, and the times that suit one
entry; ``offers``: what came of an offer, and accepting it; ``report``: the daily report's
lines.
"""

from frontdesk.services.worklists.waitlist.entries import (
    Added,
    EntryStatus,
    HeldVisit,
    WaitlistView,
    add,
    get,
    remove,
    waiting,
)
from frontdesk.services.worklists.waitlist.matching import (
    Match,
    OpenedTime,
    match,
    opened_by,
    rank,
    slots_for,
)
from frontdesk.services.worklists.waitlist.offers import (
    OfferOutcome,
    accept,
    record_offer,
)
from frontdesk.services.worklists.waitlist.opened import (
    Hours,
    hours_of,
    match_opened,
    opened_since,
)
from frontdesk.services.worklists.waitlist.report import report_lines

__all__ = [
    "Added",
    "EntryStatus",
    "HeldVisit",
    "Hours",
    "Match",
    "OfferOutcome",
    "OpenedTime",
    "WaitlistView",
    "accept",
    "add",
    "get",
    "hours_of",
    "match",
    "match_opened",
    "opened_by",
    "opened_since",
    "rank",
    "record_offer",
    "remove",
    "report_lines",
    "slots_for",
    "waiting",
]
