"""Who on the waitlist a time that opened suits (a cancelled or moved visit's time, hours
opened in the editor), best first; and the open times that suit one entry now.

A candidate is only shown when booking it would pass: the visit type really fits the time
(``scheduling.fitting_visit_types``: hours, closures, notice, the provider's and rooms'
bookings), the entry's place, days, clock times and ``until`` allow it, it is earlier than the
visit they hold, and the booking's own checks (``scheduling.guards``: the patient's other
visits, physician review) and the payer rules pass. What the desk can still answer at booking
(the warnings to read, a physician's order for a first visit, a procedure's missing details)
does not hide a candidate: the booking asks it, as any booking does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from frontdesk.db.engine import read_session
from frontdesk.db.models import Appointment, Location, Patient, Provider, VisitType, WaitlistEntry
from frontdesk.domain.geo import distance_miles, miles_text
from frontdesk.domain.permissions import Permission
from frontdesk.services import pathway, scheduling
from frontdesk.services.access import require
from frontdesk.services.context import Context, write
from frontdesk.services.errors import InvalidInput
from frontdesk.services.scheduling import FirstVisitRefused, guards
from frontdesk.services.views import SlotView
from frontdesk.services.worklists.waitlist.entries import (
    PRACTICE_ZONE,
    EntryStatus,
    WaitlistView,
    listed,
    still_wanted,
    views,
)

#: Starts tried in one opened stretch at most (every slot step of four hours).
MAX_STARTS = 16
#: Days ahead :func:`slots_for` looks at most (the booking horizon, if shorter).
SLOT_DAYS = 90
#: Fields the desk answers at booking time: they do not hide a candidate.
_ANSWERED_AT_BOOKING = ("region", "levels", "side")


@dataclass(frozen=True, slots=True)
class OpenedTime:
    """Time that opened: ``provider_id`` at ``location_id`` from ``start`` to ``end``."""

    provider_id: int
    location_id: int
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class Match:
    """One waiting entry the opened time suits, at ``start`` with the provider at the place;
    ``gain``: how much sooner than the visit they hold (None: no visit yet); ``miles``: from
    their ZIP to the location's (None: unknown); ``reason``: the ranking in words; ``asks``:
    what the booking will ask first ("" when nothing)."""

    entry: WaitlistView
    start: datetime
    end: datetime
    provider_id: int
    provider_name: str
    location_id: int
    location_name: str
    timezone: str
    gain: timedelta | None
    miles: float | None
    reason: str
    asks: str = ""

    @property
    def local_start(self) -> datetime:
        return self.start.astimezone(ZoneInfo(self.timezone))


def match(ctx: Context, *, by: str, opened: OpenedTime, limit: int = 20,
          audit: bool = True) -> list[Match]:
    """The waiting entries ``opened`` suits, best match first:

    1. soonest need: an entry with no visit yet first, then the one whose held visit the
       opened time brings forward most (in whole days);
    2. longest waiting: the earliest ``created_at``;
    3. nearest location: the fewest miles from the patient's ZIP to the location's, unknown
       distances last.

    Each entry is offered the earliest start in the opened stretch that suits it. ``reason``
    on each row says the ranking in words ("no visit yet · waiting 12 days · 4 mi").

    The rows name patients and their phones: a read that finds any is audited
    (``patient.list``) unless ``audit`` is False (the same list read again after an offer)."""
    require(ctx, by, Permission.BOOK)
    if opened.start.tzinfo is None or opened.end.tzinfo is None:
        raise InvalidInput("start", "needs a time zone")
    now = ctx.now()
    step = timedelta(minutes=ctx.settings.booking.slot_step_min)
    starts: dict[str, list[datetime]] = {}
    at = _on_the_mark(opened.start, step)
    for _ in range(MAX_STARTS):
        if at >= opened.end:
            break
        if at > now:
            fit = scheduling.fitting_visit_types(ctx, provider_id=opened.provider_id,
                                                 location_id=opened.location_id, start=at)
            for code in fit.visit_codes:
                starts.setdefault(code, []).append(at)
        at += step
    if not starts:
        return []
    found: list[Match] = []
    with read_session(ctx.engine) as session:
        codes = {vt.id: vt for vt in session.exec(
            select(VisitType).where(col(VisitType.code).in_(starts)))}
        rows = session.exec(select(WaitlistEntry).where(
            WaitlistEntry.status == EntryStatus.WAITING.value,
            col(WaitlistEntry.visit_type_id).in_(codes))
            .order_by(col(WaitlistEntry.created_at))).all()
        by_code = {vt.code: vt for vt in codes.values()}
        place = session.get(Location, opened.location_id)
        provider = session.get(Provider, opened.provider_id)
        assert place is not None
        assert provider is not None
        # each entry's soonest start its wishes allow, best first: the booking's checks
        # (a few queries each) run in that order and stop once no later one can rank
        # among the best ``limit`` (a start checked later only ranks lower)
        hopeful: list[tuple[Match, list[datetime]]] = []
        for entry in views(session, rows):
            if not still_wanted(entry, ctx, now):
                continue
            if entry.location_ids and opened.location_id not in entry.location_ids:
                continue
            vt = by_code[entry.visit_type_code]
            fitting = [s for s in starts[entry.visit_type_code]
                       if suits(entry, s, s + timedelta(minutes=vt.duration_min),
                                place.timezone)]
            if fitting:
                first = fitting[0]
                hopeful.append((_match(session, entry, first,
                                       first + timedelta(minutes=vt.duration_min), provider,
                                       place, "", now), fitting))
        hopeful.sort(key=lambda h: _key(h[0]))
        for best_case, fitting in hopeful:
            if len(found) >= limit and _key(best_case) > max(_key(f) for f in found):
                break
            entry = best_case.entry
            vt = by_code[entry.visit_type_code]
            for start in fitting:
                end = start + timedelta(minutes=vt.duration_min)
                asks = refused(session, ctx, entry, vt, start, end, opened.provider_id,
                               opened.location_id, now)
                if asks is None:
                    continue
                found.append(_match(session, entry, start, end, provider, place, asks, now))
                break
    best = rank(found)[:limit]
    if best and audit:
        audit_matches(ctx, by=by, rows=len(best))
    return best


def audit_matches(ctx: Context, *, by: str, rows: int) -> None:
    """The ``patient.list`` event of waitlist matches shown (who, how many)."""
    write(ctx, lambda session: listed(session, ctx, by=by, command="waitlist matches",
                                      rows=rows))


def _on_the_mark(at: datetime, step: timedelta) -> datetime:
    """``at``, or the next start on the slot step after it (starts are on the step's marks)."""
    midnight = at.replace(hour=0, minute=0, second=0, microsecond=0)
    over = (at - midnight) % step
    return at if not over else at + (step - over)


def rank(found: Iterable[Match]) -> list[Match]:
    """Best first, as :func:`match` documents."""
    return sorted(found, key=_key)


def _key(m: Match) -> tuple[int, int, datetime, int, float, int]:
    gain_days = -1 if m.gain is None else round(m.gain / timedelta(days=1))
    return (0 if m.gain is None else 1, -gain_days, m.entry.created_at,
            1 if m.miles is None else 0, m.miles or 0.0, m.entry.id)


def suits(entry: WaitlistView, start: datetime, end: datetime, zone: str) -> bool:
    """The entry's own wishes: the weekday, the clock times (starting no earlier than
    ``earliest``, ending by ``latest``), the day no later than ``until``, and before the visit
    it holds."""
    tz = ZoneInfo(zone)
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    if entry.weekdays and local_start.weekday() not in entry.weekdays:
        return False
    if entry.earliest is not None and local_start.time() < entry.earliest:
        return False
    if entry.latest is not None and (local_end.time() > entry.latest
                                     or local_end.date() > local_start.date()):
        return False
    if entry.until is not None and local_start.date() > entry.until:
        return False
    return entry.held is None or start < entry.held.start


def refused(session: Session, ctx: Context, entry: WaitlistView, vt: VisitType,
            start: datetime, end: datetime, provider_id: int, location_id: int,
            now: datetime) -> str | None:
    """None when the booking's checks or the payer rules would refuse the entry this time;
    else what the booking will ask first ("" when nothing)."""
    held = session.get(Appointment, entry.held.id) if entry.held is not None else None
    trial = Appointment(
        id=held.id if held is not None else None, patient_id=entry.patient_id,
        visit_type_id=vt.id or 0, provider_id=provider_id, location_id=location_id,
        room_id=0, starts_at=start, ends_at=end, block_start=start, block_end=end,
        status="booked", region=entry.region, levels=entry.levels, side=entry.side,
        booked_by_id=0, booked_at=now, updated_at=now)
    asked = (guards.asked_when_booked(session, held.id or 0).orders() if held is not None
             else guards.Asked())
    asks: list[str] = []
    for problem in guards.refusals(session, ctx, appt=trial, vt=vt, asked=asked, now=now):
        if isinstance(problem, FirstVisitRefused):
            asks.append("a physician's order (first visit)")
        elif problem.field in _ANSWERED_AT_BOOKING:
            asks.append("the procedure's details")
        else:
            return None
    checks = pathway.payer_checks(ctx, patient_id=entry.patient_id, visit_type=vt.code,
                                  region=entry.region, levels=entry.levels, start=start,
                                  side=entry.side,
                                  exclude_id=held.id if held is not None else None)
    if any(not c.allowed for c in checks):
        return None
    return ", ".join(dict.fromkeys(asks))


def _match(session: Session, entry: WaitlistView, start: datetime, end: datetime,
           provider: Provider, place: Location, asks: str, now: datetime) -> Match:
    patient = session.get(Patient, entry.patient_id)
    miles = (distance_miles(patient.zip, place.zip)
             if patient is not None and patient.zip and place.zip else None)
    gain = entry.held.start - start if entry.held is not None else None
    return Match(entry, start, end, provider.id or 0, provider.name, place.id or 0, place.name,
                 place.timezone, gain, miles, reason_text(entry, start, miles, now), asks)


def reason_text(entry: WaitlistView, start: datetime, miles: float | None,
                now: datetime) -> str:
    """'no visit yet · waiting 12 days · 4 mi' or '9 days sooner than Tue 6 Apr · …' (days
    on the calendar at the visit's place)."""
    if entry.held is None:
        need = "no visit yet"
    else:
        held = entry.held.local_start
        days = (held.date() - start.astimezone(held.tzinfo).date()).days
        when = f"{held:%a} {held.day} {held:%b}"
        need = (f"{days} day{'s' if days != 1 else ''} sooner than {when}" if days
                else f"earlier on {when}")
    waited = entry.waited_days(now)
    parts = [need, "waiting since today" if waited == 0
             else f"waiting {waited} day{'s' if waited != 1 else ''}"]
    if miles is not None:
        parts.append(miles_text(miles))
    return " · ".join(parts)


def opened_by(ctx: Context, appointment_id: int) -> OpenedTime:
    """The time a visit held (a cancelled visit's, or a moved one's before it moved: pass the
    time it had), as the stretch to match."""
    with read_session(ctx.engine) as session:
        appt = session.get(Appointment, appointment_id)
        if appt is None:
            raise InvalidInput("appointment", f"no appointment with id {appointment_id}")
        return OpenedTime(appt.provider_id, appt.location_id, appt.starts_at, appt.ends_at)


def slots_for(ctx: Context, *, by: str, entry_id: int, limit: int = 8) -> list[Match]:
    """Open times that suit one waiting entry now, soonest first (its locations, days, clock
    times, until, and earlier than its visit), each passing the checks :func:`match` runs."""
    require(ctx, by, Permission.BOOK)
    now = ctx.now()
    with read_session(ctx.engine) as session:
        row = session.get(WaitlistEntry, entry_id)
        if row is None:
            raise InvalidInput("waitlist", f"no waitlist entry {entry_id}")
        entry = views(session, [row])[0]
        patient = session.get(Patient, entry.patient_id)
    if entry.status is not EntryStatus.WAITING or not still_wanted(entry, ctx, now):
        return []
    zone = ZoneInfo(PRACTICE_ZONE)
    last = (now + timedelta(days=min(ctx.settings.booking.horizon_days, SLOT_DAYS))).date()
    if entry.held is not None:
        last = min(last, entry.held.local_start.date())
    if entry.until is not None:
        last = min(last, entry.until)
    offered: list[SlotView] = []
    day = now.astimezone(zone).date()
    while day <= last and len(offered) < limit * 4:
        if not entry.weekdays or day.weekday() in entry.weekdays:
            begin = datetime.combine(day, entry.earliest or time(0), zone)
            offered += scheduling.find_slots(
                ctx, visit_type=entry.visit_type_code, start=max(begin, now), days=1,
                location_ids=entry.location_ids or None,
                preferred_location_id=patient.preferred_location_id if patient else None,
                limit=limit * 2)
        day += timedelta(days=1)
    found: list[Match] = []
    with read_session(ctx.engine) as session:
        vt = session.exec(select(VisitType).where(
            VisitType.code == entry.visit_type_code)).one()
        seen: set[tuple[datetime, int, int]] = set()
        for slot in sorted(offered, key=lambda s: s.start):
            once = (slot.start, slot.provider_id, slot.location_id)
            if once in seen or not suits(entry, slot.start, slot.end, slot.timezone):
                continue  # the days' searches overlap: one time is offered once
            seen.add(once)
            asks = refused(session, ctx, entry, vt, slot.start, slot.end, slot.provider_id,
                           slot.location_id, now)
            if asks is None:
                continue
            provider, place = (session.get(Provider, slot.provider_id),
                               session.get(Location, slot.location_id))
            assert provider is not None
            assert place is not None
            found.append(_match(session, entry, slot.start, slot.end, provider, place, asks,
                                now))
            if len(found) >= limit:
                break
    return found
