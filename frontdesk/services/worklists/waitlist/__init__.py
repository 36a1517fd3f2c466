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
from frontdesk.services.worklists.waitlist.report import report_lines

__all__ = [
    "Added",
    "EntryStatus",
    "HeldVisit",
    "Match",
    "OfferOutcome",
    "OpenedTime",
    "WaitlistView",
    "accept",
    "add",
    "get",
    "match",
    "opened_by",
    "rank",
    "record_offer",
    "remove",
    "report_lines",
    "slots_for",
    "waiting",
]
