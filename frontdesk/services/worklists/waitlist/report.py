"""The waitlist's lines in the daily report, counted by the queries the list itself uses."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from frontdesk.db.engine import read_session
from frontdesk.db.models import Appointment, Outreach
from frontdesk.domain.permissions import Permission
from frontdesk.services.access import require
from frontdesk.services.context import Context
from frontdesk.services.holidays import local_day_bounds
from frontdesk.services.report.values import DrillKind, Figure, WorklistLine
from frontdesk.services.worklists.waitlist.entries import PRACTICE_ZONE, waiting
from frontdesk.services.worklists.waitlist.offers import WORKLIST, OfferOutcome

TITLE = "Waitlist"
ENTRY_KIND = DrillKind.WAITLIST  # ids of waitlist entries
OFFER_KIND = DrillKind.OUTREACH  # ids of outreach rows (the offers)


def report_lines(ctx: Context, *, by: str, day: date,
                 location_id: int | None = None) -> list[WorklistLine]:
    """On ``day`` (practice-local) at ``location_id`` (None: all):

    - Slots refilled: the visits booked or moved through an accepted offer that day (the
      figure's ids are those appointments);
    - Still waiting: the entries the waitlist shows now (:func:`waiting`: ``until`` not
      passed, a held visit still ahead) — who can come to the location, when one is named;
    - Offers made: every offer recorded that day, whatever came of it (outreach rows)."""
    require(ctx, by, Permission.BOOK)
    start, end = local_day_bounds(day, ZoneInfo(PRACTICE_ZONE))
    with read_session(ctx.engine) as session:
        rows = session.exec(
            select(Outreach.id, Outreach.outcome, Outreach.appointment_id,
                   Appointment.location_id)
            .outerjoin(Appointment, col(Appointment.id) == Outreach.appointment_id)
            .where(Outreach.worklist == WORKLIST, col(Outreach.at) >= start,
                   col(Outreach.at) < end)
            .order_by(col(Outreach.id))).all()
    here = [r for r in rows if location_id is None or r[3] is None or r[3] == location_id]
    refilled = tuple(r[2] for r in here
                     if r[1] == OfferOutcome.BOOKED.value and r[2] is not None
                     and (location_id is None or r[3] == location_id))
    entries = tuple(e.id for e in waiting(ctx, by=by, location_id=location_id))
    offers = tuple(r[0] or 0 for r in here)
    return [
        WorklistLine(TITLE, "Slots refilled",
                     Figure(DrillKind.APPOINTMENTS, refilled, "Slots refilled from the waitlist")),
        WorklistLine(TITLE, "Still waiting",
                     Figure(ENTRY_KIND, entries, "Waitlist entries still waiting")),
        WorklistLine(TITLE, "Offers made",
                     Figure(OFFER_KIND, offers, "Waitlist offers made")),
    ]
