"""What one reminder says: the practice's template filled for the visit, and for an email an
iCalendar invitation made with the ``icalendar`` library.

The invitation is ``METHOD:PUBLISH``, not REQUEST: REQUEST is a meeting request that names an
organizer and the patient as an attendee and asks for a reply (mail programs show Accept and
Decline); the practice reads no such replies, and a declined "meeting" would not cancel the
visit. PUBLISH puts the visit in the patient's calendar; its UID is the visit's (the same the
calendar export uses) and its SEQUENCE the visit's version, so a later reminder of a moved
visit updates the entry instead of adding a second one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session

from frontdesk.db.engine import read_session
from frontdesk.db.models import Appointment, Location, Patient, Provider, Reminder, VisitType
from frontdesk.domain import reminders as r
from frontdesk.services.context import Context
from frontdesk.services.exports.common import practice_name, slug
from frontdesk.services.worklists.reminders.outbox import reach, utc

PRODID = "-//frontdesk//reminder//EN"


@dataclass(frozen=True, slots=True)
class Letter:
    """One reminder ready to go. ``to``: an email address or a mobile number."""

    reminder_id: int
    channel: str
    message_id: str
    to: str
    body: str
    subject: str = ""
    ics: bytes = b""


class LetterProblem(Exception):
    """Why a reminder cannot be made now (the setup or the data is wrong); no patient detail."""


def load(ctx: Context, reminder_id: int) -> Letter | str:
    """The reminder as it would go out now, or why it must not (the visit moved, was
    cancelled or has begun; the consent or the address is gone)."""
    with read_session(ctx.engine) as session:
        return _load(session, ctx, reminder_id)


def _load(session: Session, ctx: Context, reminder_id: int) -> Letter | str:
    row = session.get(Reminder, reminder_id)
    appt = session.get(Appointment, row.appointment_id) if row is not None else None
    if row is None or appt is None:
        return "reminder gone"
    patient = session.get(Patient, appt.patient_id)
    location = session.get(Location, appt.location_id)
    if patient is None or location is None:
        return "visit gone"
    why = r.stale_reason(status=appt.status, starts_at=utc(appt.starts_at),
                         made_for=utc(row.visit_starts_at), reach=reach(patient),
                         channel=row.channel, now=ctx.now())
    settings = ctx.settings.reminders
    if why is None and row.before_min not in settings.offsets(row.channel):
        why = "no longer set up: this channel or time was turned off in the settings"
    if why is not None:
        return why
    practice = practice_name(session, ctx)
    try:
        zone = ZoneInfo(location.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise LetterProblem(f"location {location.id} has an unknown time zone: correct it "
                            "in the practice file") from None
    start = utc(appt.starts_at).astimezone(zone)
    arrive = start - timedelta(minutes=settings.arrive_early_min)
    visit = session.get(VisitType, appt.visit_type_id)
    provider = session.get(Provider, appt.provider_id)
    values = {
        "first_name": patient.first_name, "practice": practice,
        "date": f"{start:%A, %B} {start.day}", "time": _clock(start),
        "arrive_by": _clock(arrive), "location": location.name, "address": location.address,
        "practice_phone": _phone(ctx.settings.practice_phone),
        "visit": visit.name if visit is not None else "",
        "provider": provider.name if provider is not None else ""}
    assert row.id is not None
    if row.channel == r.SMS:
        return Letter(row.id, r.SMS, row.message_id, patient.mobile.strip(),
                      r.render(settings.templates.sms_body, values))
    assert appt.id is not None
    ics = invitation(uid=f"appointment-{appt.id}@{slug(practice)}", sequence=appt.version,
                     start=start, end=utc(appt.ends_at).astimezone(zone),
                     summary=f"Appointment at {practice}",
                     location=f"{location.name}, {location.address}", stamp=ctx.now())
    return Letter(row.id, r.EMAIL, row.message_id, patient.email.strip(),
                  r.render(settings.templates.email_body, values),
                  subject=r.render(settings.templates.subject, values), ics=ics)


def invitation(*, uid: str, sequence: int, start: datetime, end: datetime, summary: str,
               location: str, stamp: datetime) -> bytes:
    """A one-event calendar (PUBLISH) with the zone's rules for the visit's year."""
    from icalendar import Calendar, Event

    calendar = Calendar.new(prodid=PRODID, method="PUBLISH")
    event = Event.new(uid=uid, start=start, end=end, summary=summary, location=location,
                      stamp=stamp, sequence=sequence)
    calendar.add_component(event)
    calendar.add_missing_timezones(first_date=date(start.year, 1, 1),
                                   last_date=date(start.year, 12, 31))
    return bytes(calendar.to_ical())


def _clock(moment: datetime) -> str:
    return f"{moment:%I:%M %p}".lstrip("0")


def _phone(e164: str) -> str:
    """+19187427030 -> 918-742-7030 (other forms as they are)."""
    digits = e164.removeprefix("+1")
    if len(digits) == 10 and digits.isdigit():
        return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    return e164
