"""The waitlist's lines in the daily report, counted by the queries the list itself uses."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import select as sa_select
from sqlmodel import col

from frontdesk.db.engine import read_session
from frontdesk.db.models import Appointment, Outreach
from frontdesk.domain.model import Status
from frontdesk.domain.permissions import Permission
from frontdesk.services.access import require
from frontdesk.services.context import Context
from frontdesk.services.holidays import local_day_bounds
from frontdesk.services.report.values import DrillKind, Figure, WorklistLine
from frontdesk.services.worklists.waitlist.entries import PRACTICE_ZONE, waiting
from frontdesk.services.worklists.waitlist.offers import REFILL, WORKLIST, OfferOutcome

TITLE = "Waitlist"
ENTRY_KIND = DrillKind.WAITLIST  # ids of waitlist entries
OFFER_KIND = DrillKind.OUTREACH  # ids of outreach rows (the offers)


#: A visit booked from an offer that no longer fills the time: let go (cancelled) since.
_UNDONE = (Status.CANCELLED.value, Status.EXPIRED.value)


def offered_at(subject: str) -> int | None:
    """The location of a waitlist offer's time ('2027-03-11T15:00Z/p1/l1' -> 1)."""
    parts = subject.split("/")
    place = parts[2] if len(parts) > 2 else ""
    return int(place[1:]) if place.startswith("l") and place[1:].isdigit() else None


def refilled_time(subject: str) -> bool:
    """Whether the accepted offer filled time a cancel or a move freed."""
    return subject.split("/")[3:4] == [REFILL]


def report_lines(ctx: Context, *, by: str, day: date,
                 location_id: int | None = None) -> list[WorklistLine]:
    """On ``day`` (practice-local) at ``location_id`` (None: all):

    - Slots refilled: the visits booked or moved through an accepted offer that day into
      time a cancel or a move freed (the matches shown after one; not an open time found for
      an entry, nor hours the editor opened) at the location, still kept (not cancelled
      since; the figure's ids are those appointments);
    - Still waiting: the entries the waitlist shows now (:func:`waiting`: ``until`` not
      passed, a held visit still ahead) — who can come to the location, when one is named;
    - Offers made: every offer recorded that day of a time at the location, whatever came
      of it (outreach rows)."""
    require(ctx, by, Permission.BOOK)
    start, end = local_day_bounds(day, ZoneInfo(PRACTICE_ZONE))
    with read_session(ctx.engine) as session:
        rows = session.connection().execute(
            sa_select(col(Outreach.id), col(Outreach.outcome), col(Outreach.appointment_id),
                      col(Outreach.subject), col(Appointment.status))
            .outerjoin(Appointment, col(Appointment.id) == Outreach.appointment_id)
            .where(col(Outreach.worklist) == WORKLIST, col(Outreach.at) >= start,
                   col(Outreach.at) < end)
            .order_by(col(Outreach.id))).all()
    # where the time offered was (the outreach row's own record of it), not where a visit
    # holding the offer has been moved to since
    here = [r for r in rows if location_id is None or offered_at(r[3]) == location_id]
    refilled = tuple(dict.fromkeys(
        r[2] for r in here if r[1] == OfferOutcome.BOOKED.value and r[2] is not None
        and refilled_time(r[3]) and r[4] not in _UNDONE))
    entries = tuple(e.id for e in waiting(ctx, by=by, location_id=location_id, audit=False))
    offers = tuple(r[0] or 0 for r in here)
    return [
        WorklistLine(TITLE, "Slots refilled",
                     Figure(DrillKind.APPOINTMENTS, refilled, "Slots refilled from the waitlist")),
        WorklistLine(TITLE, "Still waiting",
                     Figure(ENTRY_KIND, entries, "Waitlist entries still waiting")),
        WorklistLine(TITLE, "Offers made",
                     Figure(OFFER_KIND, offers, "Waitlist offers made")),
    ]
