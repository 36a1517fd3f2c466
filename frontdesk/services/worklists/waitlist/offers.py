"""Offering a time to a waiting patient: what came of the call (declined, no answer, a
message left: the entry stays waiting), or the offer accepted — booked through the one booking
path (``scheduling.book``, or ``scheduling.reschedule`` for the visit they hold) with the entry
closed in that booking's own transaction."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from enum import StrEnum

from sqlmodel import Session

from frontdesk.db import queries as q
from frontdesk.db.models import Appointment, Outreach, Staff, WaitlistEntry
from frontdesk.domain.permissions import Permission
from frontdesk.services import scheduling
from frontdesk.services.access import acting
from frontdesk.services.context import Context, write
from frontdesk.services.errors import InvalidInput
from frontdesk.services.views import AppointmentView
from frontdesk.services.worklists.waitlist.entries import (
    MAX_NOTE,
    EntryStatus,
    get,
    locked_entry,
    snapshot,
)

WORKLIST = "waitlist"


class OfferOutcome(StrEnum):
    """What came of offering a time (the ``outreach.outcome`` of a waitlist row)."""

    DECLINED = "offered-declined"
    NO_ANSWER = "no-answer"
    LEFT_MESSAGE = "left-message"
    BOOKED = "booked"

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self]


OUTCOME_LABELS = {
    OfferOutcome.DECLINED: "declined the time",
    OfferOutcome.NO_ANSWER: "no answer",
    OfferOutcome.LEFT_MESSAGE: "left a message",
    OfferOutcome.BOOKED: "booked",
}


#: Marks the subject of an accepted offer that filled time a cancel or a move freed.
REFILL = "refill"


def slot_subject(start: datetime, provider_id: int, location_id: int, *,
                 refill: bool = False) -> str:
    """The time offered, as the outreach row keeps it: '2027-03-11T15:00Z/p1/l1', with
    '/refill' when the booking filled a freed time (what the report counts as refilled)."""
    subject = f"{start.astimezone(UTC):%Y-%m-%dT%H:%MZ}/p{provider_id}/l{location_id}"
    return f"{subject}/{REFILL}" if refill else subject


def record_offer(ctx: Context, *, staff: str, entry_id: int, outcome: OfferOutcome | str,
                 start: datetime, provider_id: int, location_id: int,
                 note: str = "") -> None:
    """The desk offered ``start`` and the patient declined, did not answer, or got a message:
    one outreach row and its audit event; the entry stays waiting. (Booked goes through
    :func:`accept`.)"""
    try:
        outcome = OfferOutcome(outcome)
    except ValueError:
        raise InvalidInput("outcome", "is one of offered-declined, no-answer, left-message"
                           ) from None
    if outcome is OfferOutcome.BOOKED:
        raise InvalidInput("outcome", "an accepted offer is booked with accept")
    if start.tzinfo is None:
        raise InvalidInput("start", "needs a time zone (e.g. 2027-03-15T09:00-05:00)")
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise InvalidInput("note", f"keep it under {MAX_NOTE} characters")

    def work(session: Session) -> None:
        now = ctx.now()
        staff_row = acting(session, staff, Permission.BOOK)
        entry = locked_entry(session, entry_id)
        _outreach(session, ctx, entry, outcome, staff_row, now, note=note,
                  subject=slot_subject(start, provider_id, location_id),
                  appointment_id=entry.appointment_id)

    write(ctx, work)


def _outreach(session: Session, ctx: Context, entry: WaitlistEntry, outcome: OfferOutcome,
              staff_row: Staff, now: datetime, *, subject: str, appointment_id: int | None,
              note: str = "") -> None:
    row = Outreach(worklist=WORKLIST, patient_id=entry.patient_id,
                   appointment_id=appointment_id, waitlist_id=entry.id, subject=subject,
                   outcome=outcome.value, note=note, at=now, staff_id=staff_row.id or 0)
    session.add(row)
    session.flush()
    q.add_audit(session, origin=ctx.origin.stamp, at=now, staff_id=staff_row.id,
                action="waitlist.offer", entity="waitlist_entry", entity_id=entry.id,
                after={"outcome": outcome.value, "offered": subject, "outreach_id": row.id,
                       "appointment_id": appointment_id})


def accept(
    ctx: Context, *, staff: str, entry_id: int, start: datetime, provider_id: int,
    location_id: int, expected_version: int | None = None, held_version: int | None = None,
    region: str | None = None, levels: str | None = None, side: str | None = None,
    ordered_by_physician: bool = False, accept_warnings: Collection[str] = (),
    override_reason: str | None = None, override_by: str | None = None,
    override_password: str | None = None, refill: bool = False,
) -> AppointmentView:
    """Book the offered time for the entry through the one booking path: a new visit with
    ``scheduling.book`` (every guard and payer rule; BookingNeedsConfirmation,
    PayerRulesBroken, FirstVisitRefused come back as they do for any booking), or the visit
    the entry holds moved there with ``scheduling.reschedule``. In the same transaction the
    entry becomes booked (with the visit), with an outreach row and its audit event: a
    second accept of the same time finds it taken (SlotTaken) and leaves its entry waiting;
    an entry booked or removed meanwhile refuses the booking (InvalidInput 'waitlist'), as
    does one changed since ``expected_version`` (its wishes) or a held visit changed since
    ``held_version`` (StaleAppointment); the held visit only moves earlier. ``refill``: the
    time was freed by a cancel or a move (the matches shown after one), so the booking counts
    among the report's slots refilled; an open time found for the entry does not."""
    if start.tzinfo is None:
        raise InvalidInput("start", "needs a time zone (e.g. 2027-03-15T09:00-05:00)")
    entry = get(ctx, entry_id)
    if entry.status is not EntryStatus.WAITING:
        raise InvalidInput("waitlist", f"this entry is {entry.status.value} already; the "
                                       "list shows it no more")
    if expected_version is not None and entry.version != expected_version:
        raise InvalidInput("waitlist", "this entry was changed meanwhile; look at it again")
    if entry.held is not None and start >= entry.held.start:
        raise InvalidInput("start", "is not earlier than the visit they hold; the waitlist "
                                    "only moves a visit earlier")
    subject = slot_subject(start, provider_id, location_id, refill=refill)

    def close(session: Session, appt: Appointment, staff_row: Staff, now: datetime) -> None:
        row = locked_entry(session, entry_id, expected_version)
        if row.appointment_id is not None and row.appointment_id != appt.id:
            raise InvalidInput("waitlist", "this entry now holds another visit; look again")
        if row.patient_id != appt.patient_id:  # merged meanwhile
            raise InvalidInput("waitlist", "this entry was changed meanwhile; look again")
        before = snapshot(row)
        row.status = EntryStatus.BOOKED.value
        row.booked_appointment_id = appt.id
        row.closed_at, row.closed_by_id = now, staff_row.id
        row.version += 1
        session.add(row)
        _outreach(session, ctx, row, OfferOutcome.BOOKED, staff_row, now, subject=subject,
                  appointment_id=appt.id)
        q.add_audit(session, origin=ctx.origin.stamp, at=now, staff_id=staff_row.id,
                    action="waitlist.book", entity="waitlist_entry", entity_id=row.id,
                    before=before, after=snapshot(row))

    if entry.held is not None:
        return scheduling.reschedule(
            ctx, staff=staff, appointment_id=entry.held.id, start=start,
            provider_id=provider_id, location_id=location_id, region=region, levels=levels,
            side=side, expected_version=held_version, ordered_by_physician=ordered_by_physician,
            accept_warnings=accept_warnings, override_reason=override_reason,
            override_by=override_by, override_password=override_password, within=close)
    if entry.held_gone:
        raise InvalidInput("waitlist", "the visit this entry was for is no longer booked")
    return scheduling.book(
        ctx, staff=staff, patient_id=entry.patient_id, visit_type=entry.visit_type_code,
        provider_id=provider_id, location_id=location_id, start=start,
        region=region or entry.region, levels=levels or entry.levels,
        side=side or entry.side, ordered_by_physician=ordered_by_physician,
        accept_warnings=accept_warnings, override_reason=override_reason,
        override_by=override_by, override_password=override_password, within=close)
