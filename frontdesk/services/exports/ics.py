"""A provider's or a location's calendar as an iCalendar file (RFC 5545), for a calendar app.

One VEVENT per visit whose day in its location's zone is between ``first`` and ``last``: a
visit that takes the time (held while the hold lasts, booked, confirmed, checked in, completed)
as it is, and a cancelled visit, a no-show or a lapsed hold as ``STATUS:CANCELLED`` with the
same UID (``appointment-ID@practice``) and no patient at all, so a calendar app that re-imports
the file takes the visit off. ``SEQUENCE`` is the visit's version and ``LAST-MODIFIED`` its
last change, so an app keeps the newest. Times are the location's wall clock with a TZID and a
VTIMEZONE built by the ``icalendar`` library from the zone database, so a visit at 09:00 stays
at 09:00 across a change of the clocks.

A calendar leaves the practice: the summary names the visit type and the patient as "Last, F."
by default, or no patient at all (``names=False``). No phone, birth date, payer or cancel
reason is written.

The file is written as a private temporary file beside ``output``; the audit event is
committed; only then is the file moved into place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from frontdesk.db.models import Appointment, Location, Patient, Provider, Room, VisitType
from frontdesk.domain.model import BLOCKING_STATUSES, Status
from frontdesk.domain.permissions import Permission
from frontdesk.services.access import require
from frontdesk.services.context import Context
from frontdesk.services.errors import InvalidInput
from frontdesk.services.exports.common import (
    MAX_CALENDAR_DAYS,
    audited,
    check_day,
    check_folder,
    practice_name,
    remove_stale_parts,
    signals_stop,
    slug,
    snapshot,
    uninterrupted,
)
from frontdesk.services.files import staged_file

PRODID = "-//frontdesk//calendar export//EN"


@dataclass(frozen=True, slots=True)
class IcsExport:
    path: Path
    calendar: str  # whose calendar: the provider's or the location's name
    events: int
    first: date
    last: date
    cancelled: int = 0  # visits written as cancelled (besides ``events``)


def default_name(calendar: str, first: date) -> str:
    """A file name for the calendar when the person gives none: ``dr-avery-able-2027-03-10.ics``."""
    return f"{slug(calendar)}-{first.isoformat()}.ics"


def export_ics(ctx: Context, *, by: str, output: Path, first: date, last: date,
               provider_id: int | None = None, location_id: int | None = None,
               names: bool = True) -> IcsExport:
    """Write the calendar of one provider or one location to ``output`` (0600, atomically).

    Audited as ``export.ics``: whose calendar, the dates and how many visits; no patient."""
    require(ctx, by, Permission.EXPORT)
    if (provider_id is None) == (location_id is None):
        raise InvalidInput("calendar", "give a provider or a location")
    check_day("from", first)
    check_day("to", last)
    if last < first:
        raise InvalidInput("to", "is before the first day")
    if (last - first).days >= MAX_CALENDAR_DAYS:
        raise InvalidInput("to", f"a calendar spans at most {MAX_CALENDAR_DAYS} days "
                                 f"(three years)")
    output = Path(output)
    if output.is_dir():
        raise InvalidInput("output", f"{output} is a folder; give a file name")
    check_folder("output", output.parent if output.parent != Path() else Path.cwd())
    from icalendar import Calendar

    now = ctx.now()
    with snapshot(ctx) as session:
        practice = practice_name(session, ctx)
        owner = (session.get(Provider, provider_id) if provider_id is not None
                 else session.get(Location, location_id))
        if owner is None:
            which = "provider" if provider_id is not None else "location"
            raise InvalidInput(which, f"no {which} with id {provider_id or location_id}")
        domain = slug(practice)
        calendar = Calendar.new(
            prodid=PRODID, name=f"{owner.name} — {practice}",
            uid=f"calendar-{'provider' if provider_id else 'location'}-{owner.id}@{domain}")
        events = cancelled = 0
        for row in _visits(session, provider_id, location_id, first, last, now):
            event = _event(row, domain=domain, names=names, stamp=now, now=now)
            calendar.add_component(event)
            if _gone(row, now):
                cancelled += 1
            else:
                events += 1
    # the zones' rules for the whole years the visits are in: both changes of the clocks
    calendar.add_missing_timezones(first_date=date(first.year, 1, 1),
                                   last_date=date(last.year, 12, 31))
    with signals_stop():
        remove_stale_parts(output.parent, [output.name])
        with staged_file(output) as (out, staged):
            out.write(calendar.to_ical())
        audited(ctx, [staged], by=by, action="export.ics",
                entity="provider" if provider_id is not None else "location",
                entity_id=owner.id, after={"events": events, "cancelled": cancelled,
                                           "from": first.isoformat(), "to": last.isoformat(),
                                           "names": names})
        with uninterrupted():
            staged.publish()
    return IcsExport(output, owner.name, events, first, last, cancelled)


def short_name(last: str, first: str) -> str:
    """"Last, F.": enough to tell visits apart on a calendar, less than the full name."""
    initial = first.strip()[:1]
    return f"{last.strip()}, {initial}." if initial else last.strip()


@dataclass(frozen=True, slots=True)
class _Visit:
    id: int
    status: Status
    hold_expires_at: datetime | None
    version: int
    updated_at: datetime
    starts_at: datetime
    ends_at: datetime
    visit_type: str
    provider: str
    location: str
    address: str
    zone: str
    room: str
    last_name: str
    first_name: str


def _visits(session: Session, provider_id: int | None, location_id: int | None,
            first: date, last: date, now: datetime) -> list[_Visit]:
    """The visits whose local day is in [first, last], in time order: every status this
    version knows (a cancelled one is written as cancelled)."""
    start = datetime.combine(first, time(), UTC) - timedelta(days=1)  # every zone's day
    end = datetime.combine(last, time(), UTC) + timedelta(days=2)
    query = (
        sa_select(col(Appointment.id), col(Appointment.status),
                  col(Appointment.hold_expires_at), col(Appointment.version),
                  col(Appointment.updated_at), col(Appointment.starts_at),
                  col(Appointment.ends_at),
                  col(VisitType.name), col(Provider.name), col(Location.name),
                  col(Location.address), col(Location.timezone), col(Room.name),
                  col(Patient.last_name), col(Patient.first_name))
        .join(VisitType, col(VisitType.id) == Appointment.visit_type_id)
        .join(Provider, col(Provider.id) == Appointment.provider_id)
        .join(Location, col(Location.id) == Appointment.location_id)
        .join(Room, col(Room.id) == Appointment.room_id)
        .join(Patient, col(Patient.id) == Appointment.patient_id)
        .where(col(Appointment.starts_at) >= start, col(Appointment.starts_at) < end,
               col(Appointment.status).in_([s.value for s in Status]))
        .order_by(col(Appointment.starts_at), col(Appointment.id))
    )
    if provider_id is not None:
        query = query.where(col(Appointment.provider_id) == provider_id)
    else:
        query = query.where(col(Appointment.location_id) == location_id)
    found = []
    for row in session.execute(query).all():
        visit = _Visit(int(row[0] or 0), Status(row[1]), *row[2:])
        if first <= visit.starts_at.astimezone(ZoneInfo(visit.zone)).date() <= last:
            found.append(visit)
    return found


def _gone(visit: _Visit, now: datetime) -> bool:
    """Whether the visit no longer takes the time: cancelled, a no-show, a lapsed hold."""
    if visit.status is Status.HELD:
        return visit.hold_expires_at is not None and visit.hold_expires_at <= now
    return visit.status not in BLOCKING_STATUSES


def _event(visit: _Visit, *, domain: str, names: bool, stamp: datetime, now: datetime) -> Any:
    from icalendar import Event
    from icalendar.enums import STATUS

    zone = ZoneInfo(visit.zone)
    gone = _gone(visit, now)
    lapsed = gone and visit.status is Status.HELD  # not yet marked expired: one change ahead
    who = f" — {short_name(visit.last_name, visit.first_name)}" if names and not gone else ""
    label = "hold lapsed" if lapsed else visit.status.label
    changed = visit.updated_at
    if lapsed and visit.hold_expires_at is not None:
        changed = max(changed, visit.hold_expires_at)
    return Event.new(
        uid=f"appointment-{visit.id}@{domain}",
        summary=f"{'Cancelled: ' if gone else ''}{visit.visit_type}{who}",
        start=visit.starts_at.astimezone(zone),
        end=visit.ends_at.astimezone(zone),
        location=f"{visit.location}, {visit.address}" if visit.address else visit.location,
        description=f"With {visit.provider}, {visit.room}. Visit {visit.id}: {label}.",
        status=(STATUS.CANCELLED if gone else STATUS.TENTATIVE if visit.status is Status.HELD
                else STATUS.CONFIRMED),
        sequence=visit.version + (1 if lapsed else 0),
        last_modified=changed.astimezone(UTC),
        stamp=stamp,
    )
