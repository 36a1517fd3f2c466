"""The waitlist's entries: put a caller on it (or change what they asked for), read who is
waiting, take someone off with a reason. Each write one transaction with its audit event."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from frontdesk.db import queries as q
from frontdesk.db.engine import read_session
from frontdesk.db.models import Appointment, Location, Patient, Staff, VisitType, WaitlistEntry
from frontdesk.domain.model import Status
from frontdesk.domain.permissions import Permission
from frontdesk.services.access import acting, require
from frontdesk.services.context import Context, write
from frontdesk.services.errors import InvalidInput
from frontdesk.services.patients.lookup import live_patient
from frontdesk.services.scheduling.booking import _procedure_details

PRACTICE_ZONE = "America/Chicago"  # "today" for ``until``, as the other services read it
MAX_NOTE = 500
#: A held visit that can still move earlier: one still to happen and counted.
_LIVE = (Status.BOOKED.value, Status.CONFIRMED.value)
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class EntryStatus(StrEnum):
    WAITING = "waiting"
    BOOKED = "booked"  # an accepted offer booked (or moved) the visit
    REMOVED = "removed"  # taken off by the desk, with a reason


@dataclass(frozen=True, slots=True)
class HeldVisit:
    """The visit a waiting patient holds now and wants earlier."""

    id: int
    start: datetime
    timezone: str
    location_name: str
    version: int

    @property
    def local_start(self) -> datetime:
        return self.start.astimezone(ZoneInfo(self.timezone))


@dataclass(frozen=True, slots=True)
class WaitlistView:
    """One entry as the desk sees it: who, what they want, where and when they can come."""

    id: int
    patient_id: int
    patient_short: str
    patient_phone: str
    visit_type_code: str
    visit_type_name: str
    held: HeldVisit | None
    region: str | None
    levels: str | None
    side: str | None
    location_ids: tuple[int, ...]
    location_names: tuple[str, ...]
    weekdays: tuple[int, ...]
    earliest: time | None
    latest: time | None
    until: date | None
    note: str
    status: EntryStatus
    created_at: datetime
    created_by: str
    version: int
    booked_appointment_id: int | None = None
    #: the visit it was for is no longer booked ahead (cancelled, done): nothing to offer
    held_gone: bool = False

    def waited_days(self, now: datetime) -> int:
        return max(0, (now - self.created_at).days)

    @property
    def wants_text(self) -> str:
        """'Follow-up · any location · Mon, Wed · 08:00–12:00 · until Fri 2 Apr'."""
        parts = [self.visit_type_name.split(" (")[0]]
        if self.region:
            parts.append(" ".join(p for p in (self.region, self.levels, self.side) if p))
        parts.append(", ".join(self.location_names) if self.location_names else "any location")
        parts.append(", ".join(WEEKDAY_NAMES[d] for d in self.weekdays) if self.weekdays
                     else "any day")
        if self.earliest or self.latest:
            parts.append(f"{_clock(self.earliest) or 'open'}–{_clock(self.latest) or 'close'}")
        if self.until is not None:
            parts.append(f"until {self.until:%a} {self.until.day} {self.until:%b}")
        return " · ".join(parts)


@dataclass(frozen=True, slots=True)
class Added:
    """The entry as saved; ``updated``: the patient was already waiting for this visit type,
    and that entry now says what was asked this time."""

    entry: WaitlistView
    updated: bool


def _clock(at: time | None) -> str:
    return "" if at is None else f"{at:%H:%M}"


def add(
    ctx: Context, *, staff: str, patient_id: int, visit_type: str | None = None,
    appointment_id: int | None = None, region: str | None = None, levels: str | None = None,
    side: str | None = None, location_ids: Iterable[int] = (), weekdays: Iterable[int] = (),
    earliest: time | None = None, latest: time | None = None, until: date | None = None,
    note: str = "",
) -> Added:
    """Put the patient on the waitlist for ``visit_type`` — or, with ``appointment_id``, for
    an earlier time for that visit of theirs (its visit type and procedure details).

    Checked: the visit type is active; the locations exist and are in use; the weekdays are
    0–6; ``earliest`` is before ``latest`` (local clock times at the location); ``until`` is
    not in the past. A patient waits once per visit type: asking again updates the waiting
    entry (``Added.updated``) rather than adding a second one."""
    locs = tuple(dict.fromkeys(int(i) for i in location_ids))
    days = tuple(sorted(set(int(d) for d in weekdays)))
    if any(d < 0 or d > 6 for d in days):
        raise InvalidInput("weekdays", "days are 0 (Monday) to 6 (Sunday)")
    if earliest is not None and latest is not None and earliest >= latest:
        raise InvalidInput("times", f"from {earliest:%H:%M} must be before to {latest:%H:%M}")
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise InvalidInput("note", f"keep it under {MAX_NOTE} characters")
    region, levels, side = _procedure_details(region, levels, side)

    def work(session: Session) -> Added:
        now = ctx.now()
        staff_row = acting(session, staff, Permission.BOOK)
        patient = live_patient(session, patient_id, lock=True)
        if until is not None and until < now.astimezone(ZoneInfo(PRACTICE_ZONE)).date():
            raise InvalidInput("until", f"{until:%a} {until.day} {until:%b %Y} is past")
        held = None
        if appointment_id is not None:
            held = _held(session, appointment_id, patient_id, now)
            vt = session.get(VisitType, held.visit_type_id)
        else:
            vt = q.visit_type_by_code(session, visit_type or "") if visit_type else None
            if vt is None:
                raise InvalidInput("visit-type", f"unknown visit type {(visit_type or '')[:40]!r}")
        assert vt is not None
        assert vt.id is not None
        if not vt.active:
            raise InvalidInput("visit-type", f"{vt.code} is retired: it is booked no more")
        if held is None and _holding(session, patient_id, vt.id, now):
            # the entry would want a second visit: an accepted offer would book another
            raise InvalidInput("appointment", "a time is held for them for this visit: book "
                                              "it first, then ask an earlier time for that "
                                              "visit")
        for loc_id in locs:
            place = session.get(Location, loc_id)
            if place is None:
                raise InvalidInput("locations", f"no location with id {loc_id}")
            if not place.active:
                raise InvalidInput("locations", f"{place.name} is retired")
        found = session.exec(select(WaitlistEntry).where(
            WaitlistEntry.patient_id == patient.id, WaitlistEntry.visit_type_id == vt.id,
            WaitlistEntry.status == EntryStatus.WAITING.value).with_for_update()).first()
        entry = found or WaitlistEntry(patient_id=patient_id, visit_type_id=vt.id,
                                       created_at=now, created_by_id=staff_row.id or 0)
        before = snapshot(entry) if found is not None else None
        entry.appointment_id = held.id if held is not None else None
        entry.region = (held.region if held is not None else region) if vt.is_procedure \
            else None
        entry.levels = (held.levels if held is not None else levels) if vt.is_procedure \
            else None
        entry.side = (held.side if held is not None else side) if vt.is_procedure else None
        entry.location_ids, entry.weekdays = list(locs), list(days)
        entry.earliest, entry.latest, entry.until, entry.note = earliest, latest, until, note
        if found is not None:
            entry.version += 1
        session.add(entry)
        session.flush()
        q.add_audit(session, origin=ctx.origin.stamp, at=now, staff_id=staff_row.id,
                    action="waitlist.update" if found else "waitlist.add",
                    entity="waitlist_entry", entity_id=entry.id, before=before,
                    after=snapshot(entry))
        return Added(views(session, [entry])[0], updated=found is not None)

    return write(ctx, work)


def _holding(session: Session, patient_id: int, visit_type_id: int, now: datetime) -> bool:
    """Whether a time is held (not yet booked) for the patient for this visit type."""
    return session.exec(select(Appointment.id).where(
        Appointment.patient_id == patient_id, Appointment.visit_type_id == visit_type_id,
        Appointment.status == Status.HELD.value,
        col(Appointment.hold_expires_at) > now)).first() is not None


def _held(session: Session, appointment_id: int, patient_id: int,
          now: datetime) -> Appointment:
    appt = session.get(Appointment, appointment_id)
    if appt is None or appt.patient_id != patient_id:
        raise InvalidInput("appointment", f"no visit {appointment_id} of this patient")
    if appt.status not in _LIVE or appt.starts_at <= now:
        raise InvalidInput("appointment", "only a booked visit still to come can be moved "
                                          "earlier")
    return appt


def waiting(ctx: Context, *, by: str, location_id: int | None = None,
            audit: bool = True) -> list[WaitlistView]:
    """Who is waiting, longest first. Not listed: an entry whose ``until`` has passed, and one
    whose visit can be offered nothing earlier (it is over, cancelled, or starts within the
    minimum notice). ``location_id``: those who can come there.

    The list names patients and their phones, so the read is audited (``patient.list``: who,
    how many) unless ``audit`` is False — a count, or a screen reading it again to keep it
    fresh."""
    require(ctx, by, Permission.BOOK)
    now = ctx.now()

    def work(session: Session) -> list[WaitlistView]:
        rows = session.exec(select(WaitlistEntry)
                            .where(WaitlistEntry.status == EntryStatus.WAITING.value)
                            .order_by(col(WaitlistEntry.created_at), col(WaitlistEntry.id))
                            ).all()
        found = [v for v in views(session, rows)
                 if still_wanted(v, ctx, now)
                 and (location_id is None or not v.location_ids
                      or location_id in v.location_ids)]
        if audit:
            listed(session, ctx, by=by, command="waitlist", rows=len(found))
        return found

    if audit:
        return write(ctx, work)
    with read_session(ctx.engine) as session:
        return work(session)


def listed(session: Session, ctx: Context, *, by: str, command: str, rows: int) -> None:
    """The audit event of a list of patients read (who, which list, how many; no rows)."""
    person = acting(session, by, Permission.BOOK)
    q.add_audit(session, origin=ctx.origin.stamp, at=ctx.now(), staff_id=person.id,
                action="patient.list", entity="patient", entity_id=None,
                after={"command": command, "rows": rows})


def still_wanted(entry: WaitlistView, ctx: Context, now: datetime) -> bool:
    """Whether anything could still be offered: ``until`` not passed, and a held visit still
    booked later than the soonest bookable time."""
    today = now.astimezone(ZoneInfo(PRACTICE_ZONE)).date()
    if entry.until is not None and entry.until < today:
        return False
    if entry.held_gone:
        return False
    soonest = now + timedelta(minutes=ctx.settings.booking.min_notice_min)
    return entry.held is None or entry.held.start > soonest


def get(ctx: Context, entry_id: int) -> WaitlistView:
    with read_session(ctx.engine) as session:
        row = session.get(WaitlistEntry, entry_id)
        if row is None:
            raise InvalidInput("waitlist", f"no waitlist entry {entry_id}")
        return views(session, [row])[0]


def remove(ctx: Context, *, staff: str, entry_id: int, reason: str,
           expected_version: int | None = None) -> WaitlistView:
    """Take an entry off the list, saying why (the patient found a time, no longer wants one).
    Anyone who may book may remove anyone's entry (DESIGN: the list is the desk's)."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput("reason", "say why they come off the waitlist")
    if len(reason) > MAX_NOTE:
        raise InvalidInput("reason", f"keep it under {MAX_NOTE} characters")

    def work(session: Session) -> WaitlistView:
        now = ctx.now()
        staff_row = acting(session, staff, Permission.BOOK)
        entry = locked_entry(session, entry_id, expected_version)
        before = snapshot(entry)
        entry.status = EntryStatus.REMOVED.value
        entry.closed_at, entry.closed_by_id = now, staff_row.id
        entry.note = (f"{entry.note} · " if entry.note else "") + f"removed: {reason}"
        entry.note = entry.note[-MAX_NOTE:]
        entry.version += 1
        session.add(entry)
        q.add_audit(session, origin=ctx.origin.stamp, at=now, staff_id=staff_row.id,
                    action="waitlist.remove", entity="waitlist_entry", entity_id=entry.id,
                    before=before, after=snapshot(entry) | {"reason": reason})
        return views(session, [entry])[0]

    return write(ctx, work)


def merged(session: Session, ctx: Context, *, staff_row: Staff, keep_id: int, other_id: int,
           now: datetime) -> list[int]:
    """Inside a patient merge: the merged-away record's entries go to the record kept. One
    that would wait beside the kept record's own for the same visit type comes off the list
    (removed, audited), the kept record's standing. Returns the ids moved."""
    rows = session.exec(select(WaitlistEntry).where(WaitlistEntry.patient_id == other_id)
                        .order_by(col(WaitlistEntry.id)).with_for_update()).all()
    kept_types = set(session.exec(select(WaitlistEntry.visit_type_id).where(
        WaitlistEntry.patient_id == keep_id,
        WaitlistEntry.status == EntryStatus.WAITING.value)).all())
    for entry in rows:
        before = snapshot(entry)
        entry.patient_id = keep_id
        entry.version += 1
        twin = (entry.status == EntryStatus.WAITING.value
                and entry.visit_type_id in kept_types)
        if twin:
            entry.status = EntryStatus.REMOVED.value
            entry.closed_at, entry.closed_by_id = now, staff_row.id
            entry.note = ((f"{entry.note} · " if entry.note else "")
                          + f"removed: merged into patient {keep_id}")[-MAX_NOTE:]
        session.add(entry)
        q.add_audit(session, origin=ctx.origin.stamp, at=now, staff_id=staff_row.id,
                    action="waitlist.remove" if twin else "waitlist.update",
                    entity="waitlist_entry", entity_id=entry.id, before=before,
                    after=snapshot(entry) | {"reason": f"merged into patient {keep_id}"})
    return [e.id or 0 for e in rows]


def locked_entry(session: Session, entry_id: int,
                 expected_version: int | None = None) -> WaitlistEntry:
    """The entry read afresh and locked for this transaction (PostgreSQL), still waiting and
    at ``expected_version`` — else InvalidInput saying it changed meanwhile."""
    entry = session.exec(select(WaitlistEntry).where(WaitlistEntry.id == entry_id)
                         .with_for_update()).first()
    if entry is None:
        raise InvalidInput("waitlist", f"no waitlist entry {entry_id}")
    if entry.status != EntryStatus.WAITING.value:
        raise InvalidInput("waitlist", f"this entry is {entry.status} already (changed "
                                       "meanwhile); the list shows it no more")
    if expected_version is not None and entry.version != expected_version:
        raise InvalidInput("waitlist", "this entry was changed meanwhile; look at it again")
    return entry


def snapshot(entry: WaitlistEntry) -> dict[str, Any]:
    """What the audit event keeps of an entry: ids and wishes, no patient details."""
    return {
        "patient_id": entry.patient_id, "visit_type_id": entry.visit_type_id,
        "appointment_id": entry.appointment_id, "region": entry.region,
        "levels": entry.levels, "side": entry.side, "location_ids": list(entry.location_ids),
        "weekdays": list(entry.weekdays), "earliest": _clock(entry.earliest) or None,
        "latest": _clock(entry.latest) or None,
        "until": entry.until.isoformat() if entry.until else None, "status": entry.status,
        "booked_appointment_id": entry.booked_appointment_id,
    }


def views(session: Session, rows: Sequence[WaitlistEntry]) -> list[WaitlistView]:
    """Entries to views: their patients, visit types, held visits and places read at once."""
    if not rows:
        return []
    patients = {p.id: p for p in session.exec(select(Patient).where(
        col(Patient.id).in_({r.patient_id for r in rows})))}
    types = {v.id: v for v in session.exec(select(VisitType))}
    places = {p.id: p for p in session.exec(select(Location))}
    staff = {s.id: s.username for s in session.exec(select(Staff).where(
        col(Staff.id).in_({r.created_by_id for r in rows})))}
    held_ids = {r.appointment_id for r in rows if r.appointment_id is not None}
    held = {a.id: a for a in session.exec(select(Appointment).where(
        col(Appointment.id).in_(held_ids)))} if held_ids else {}
    out = []
    for r in rows:
        patient, vt = patients[r.patient_id], types[r.visit_type_id]
        appt = held.get(r.appointment_id) if r.appointment_id is not None else None
        visit = None
        if appt is not None and appt.status in _LIVE:
            place = places[appt.location_id]
            visit = HeldVisit(appt.id or 0, appt.starts_at, place.timezone, place.name,
                              appt.version)
        assert r.id is not None
        view = WaitlistView(
            id=r.id, patient_id=r.patient_id,
            patient_short=f"{patient.last_name}, {patient.first_name[:1]}.",
            patient_phone=patient.phone, visit_type_code=vt.code, visit_type_name=vt.name,
            held=visit, region=r.region, levels=r.levels, side=r.side,
            location_ids=tuple(r.location_ids),
            location_names=tuple(places[i].name for i in r.location_ids if i in places),
            weekdays=tuple(r.weekdays), earliest=r.earliest, latest=r.latest, until=r.until,
            note=r.note, status=EntryStatus(r.status), created_at=r.created_at,
            created_by=staff.get(r.created_by_id, ""), version=r.version,
            booked_appointment_id=r.booked_appointment_id,
            held_gone=r.appointment_id is not None and visit is None)
        out.append(view)
    return out
