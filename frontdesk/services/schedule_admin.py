"""Schedulers edit providers' weekly templates and the closures that cut into them.

Every write is one transaction with its audit event. A change that would take booked visits out
of working time is refused with ``WouldStrand`` (nothing written) unless the caller confirms;
confirmed, the visits stay booked and come back listed so someone can move them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any, Generic, TypeVar

from sqlalchemy import or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from frontdesk.db import queries as q
from frontdesk.db.engine import DatabaseBusyError, read_session, run_write
from frontdesk.db.models import Appointment, Closure, Location, Provider, Template
from frontdesk.domain.availability import expand_template, subtract
from frontdesk.domain.model import (
    BLOCKING_STATUSES,
    ClosureSpec,
    Interval,
    Status,
    TemplateSpec,
)
from frontdesk.domain.permissions import Permission
from frontdesk.services.access import acting
from frontdesk.services.context import Context
from frontdesk.services.errors import Busy, FrontDeskError, InvalidInput
from frontdesk.services.mapping import appointment_view
from frontdesk.services.views import AppointmentView

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_PLAIN_RULE_KEYS = frozenset({"FREQ", "BYDAY", "WKST"})
HOLIDAY, TIME_OFF, LOCATION = "holiday", "time_off", "location"
CLOSURE_KINDS = (HOLIDAY, TIME_OFF, LOCATION)
MAX_REASON = 120
_BLOCKING = [s.value for s in BLOCKING_STATUSES]

R = TypeVar("R")


# --------------------------------------------------------------------------- values


@dataclass(frozen=True, slots=True)
class TemplateRow:
    """One weekly template in plain terms. ``weekdays``: 0 is Monday. ``custom``: the stored
    rule says more than "these weekdays" (an interval, say); saving rewrites it plainly."""

    id: int
    provider_id: int
    weekdays: tuple[int, ...]
    start_time: time
    end_time: time
    location_id: int
    location_name: str
    timezone: str
    valid_from: date
    valid_until: date | None
    rrule: str
    custom: bool = False

    @property
    def days_text(self) -> str:
        return weekdays_text(self.weekdays) + (" (custom rule)" if self.custom else "")

    @property
    def hours_text(self) -> str:
        return f"{self.start_time:%H:%M}–{self.end_time:%H:%M}"


@dataclass(frozen=True, slots=True)
class ClosureRow:
    """A closure with the names it applies to (None: everyone)."""

    id: int
    kind: str
    reason: str
    start: datetime
    end: datetime
    provider_id: int | None
    provider_name: str | None
    location_id: int | None
    location_name: str | None

    @property
    def scope(self) -> str:
        if self.provider_name is not None:
            return self.provider_name + (f" at {self.location_name}" if self.location_name
                                         else "")
        return self.location_name or "Whole practice"


@dataclass(frozen=True, slots=True)
class Saved(Generic[R]):
    """What was written, and the booked visits now outside working time (to be moved)."""

    row: R
    stranded: tuple[AppointmentView, ...] = ()


class WouldStrand(FrontDeskError):
    """Saving would leave booked visits outside working time; nothing was written.

    ``appointments`` lists them (the message itself carries no patient details)."""

    def __init__(self, appointments: Sequence[AppointmentView]) -> None:
        count = len(appointments)
        super().__init__(f"{count} booked visit{'s' if count != 1 else ''} would fall outside "
                         "working hours; confirm to save anyway")
        self.appointments = tuple(appointments)


# --------------------------------------------------------------------------- rules as weekdays


def weekdays_text(weekdays: Iterable[int]) -> str:
    """'Mon Tue Wed' (always Monday first)."""
    return " ".join(WEEKDAY_NAMES[d] for d in sorted(set(weekdays)))


def weekly_rule(weekdays: Iterable[int]) -> str:
    """The RRULE the practice stores for these weekdays: ``FREQ=WEEKLY;BYDAY=MO,WE``."""
    return "FREQ=WEEKLY;BYDAY=" + ",".join(_BYDAY[d] for d in sorted(set(weekdays)))


def _rule_parts(rule: str) -> dict[str, str]:
    text = rule.strip().upper().removeprefix("RRULE:")
    return {k.strip(): v.strip() for k, _, v in (p.partition("=") for p in text.split(";")) if k}


def rule_weekdays(rule: str, valid_from: date) -> tuple[int, ...]:
    """The weekdays a weekly rule falls on; without BYDAY, the weekday it starts on."""
    byday = _rule_parts(rule).get("BYDAY")
    if not byday:
        return (valid_from.weekday(),)
    days = {_BYDAY.index(t.strip()[-2:]) for t in byday.split(",") if t.strip()[-2:] in _BYDAY}
    return tuple(sorted(days))


def is_plain_rule(rule: str) -> bool:
    parts = _rule_parts(rule)
    byday = parts.get("BYDAY", "")
    return (parts.get("FREQ") == "WEEKLY" and set(parts) <= _PLAIN_RULE_KEYS
            and all(t.strip() in _BYDAY for t in byday.split(",") if byday))


# --------------------------------------------------------------------------- reading


def provider_week(ctx: Context, provider_id: int) -> list[TemplateRow]:
    """A provider's templates, by first weekday and start time."""
    with read_session(ctx.engine) as session:
        if session.get(Provider, provider_id) is None:
            raise InvalidInput("provider", f"no provider with id {provider_id}")
        rows = session.exec(select(Template).where(Template.provider_id == provider_id)).all()
        places = _location_names(session)
        out = [_template_row(t, places) for t in rows]
    out.sort(key=lambda r: (r.weekdays[:1], r.start_time, r.valid_from, r.id))
    return out


def closures_between(ctx: Context, *, start: datetime, end: datetime,
                     provider_id: int | None = None) -> list[ClosureRow]:
    """Closures touching [start, end), by start. With ``provider_id``: the ones that concern
    that provider (their own time off, location closures and practice holidays)."""
    with read_session(ctx.engine) as session:
        query = (select(Closure)
                 .where(col(Closure.starts_at) < end, col(Closure.ends_at) > start)
                 .order_by(col(Closure.starts_at), col(Closure.id)))
        if provider_id is not None:
            query = query.where(or_(col(Closure.provider_id).is_(None),
                                    col(Closure.provider_id) == provider_id))
        rows = session.exec(query).all()
        people = {p.id or 0: p.name for p in session.exec(select(Provider))}
        places = _location_names(session)
        return [_closure_row(c, people, places) for c in rows]


# --------------------------------------------------------------------------- writing templates


def save_template(
    ctx: Context,
    *,
    staff: str,
    provider_id: int,
    template_id: int | None,
    weekdays: Collection[int],
    start_time: time,
    end_time: time,
    location_id: int,
    valid_from: date,
    valid_until: date | None = None,
    confirm_stranded: bool = False,
) -> Saved[TemplateRow]:
    """Add (``template_id`` None) or change one weekly template of a provider."""
    days = sorted(set(weekdays))
    if not days:
        raise InvalidInput("weekdays", "choose at least one weekday")
    if any(not 0 <= d <= 6 for d in days):
        raise InvalidInput("weekdays", "weekdays run from 0 (Monday) to 6 (Sunday)")
    if end_time <= start_time:
        raise InvalidInput("end_time", "must be after the start time")
    if valid_until is not None and valid_until < valid_from:
        raise InvalidInput("valid_until", "must be on or after the first day")

    def work(session: Session) -> Saved[TemplateRow]:
        now = ctx.now()
        staff_row = acting(session, staff, Permission.SCHEDULE)
        provider = session.get(Provider, provider_id)
        if provider is None:
            raise InvalidInput("provider", f"no provider with id {provider_id}")
        if not provider.active:
            raise InvalidInput("provider", f"{provider.name} is not active")
        location = session.get(Location, location_id)
        if location is None:
            raise InvalidInput("location", f"no location with id {location_id}")
        row = Template(provider_id=provider_id, location_id=location_id,
                       rrule=weekly_rule(days), timezone=location.timezone,
                       start_time=start_time, end_time=end_time, valid_from=valid_from,
                       valid_until=valid_until)
        current = q.templates_for(session, [provider_id])  # read before anything changes
        others = [t for t in current if t.id != template_id]
        _refuse_overlap(session, others, days, start_time, end_time, valid_from, valid_until)
        before: dict[str, Any] | None = None
        if template_id is not None:
            existing = session.get(Template, template_id)
            if existing is None or existing.provider_id != provider_id:
                raise InvalidInput("template", f"no template {template_id} for {provider.name}")
            before = _template_snapshot(existing)
            for key in ("location_id", "rrule", "timezone", "start_time", "end_time",
                        "valid_from", "valid_until"):
                setattr(existing, key, getattr(row, key))
            row = existing
        proposed = [*others, _spec(row, template_id or 0)]
        stranded = _check_stranding(
            session, now, confirm_stranded, provider_id=provider_id,
            before=(current, None), after=(proposed, None))
        session.add(row)
        session.flush()
        assert row.id is not None
        after = _template_snapshot(row) | _stranded_ids(stranded)
        q.add_audit(session, at=now, staff_id=staff_row.id,
                    action="template.add" if template_id is None else "template.edit",
                    entity="template", entity_id=row.id, before=before, after=after)
        return Saved(_template_row(row, {location_id: location.name}), stranded)

    return _write(ctx, work)


def remove_template(ctx: Context, *, staff: str, template_id: int,
                    confirm_stranded: bool = False) -> Saved[TemplateRow]:
    """Delete one template row; ``row`` is what it was."""

    def work(session: Session) -> Saved[TemplateRow]:
        now = ctx.now()
        staff_row = acting(session, staff, Permission.SCHEDULE)
        existing = session.get(Template, template_id)
        if existing is None:
            raise InvalidInput("template", f"no template with id {template_id}")
        current = q.templates_for(session, [existing.provider_id])
        remaining = [t for t in current if t.id != template_id]
        stranded = _check_stranding(
            session, now, confirm_stranded, provider_id=existing.provider_id,
            before=(current, None), after=(remaining, None))
        gone = _template_row(existing, _location_names(session))
        q.add_audit(session, at=now, staff_id=staff_row.id, action="template.remove",
                    entity="template", entity_id=template_id,
                    before=_template_snapshot(existing), after=_stranded_ids(stranded) or None)
        session.delete(existing)
        return Saved(gone, stranded)

    return _write(ctx, work)


def _refuse_overlap(session: Session, others: Sequence[TemplateSpec], days: Sequence[int],
                    start: time, end: time, valid_from: date, valid_until: date | None) -> None:
    """A provider is in one place at a time: no two rows share a weekday, hours and dates."""
    for other in others:
        if not set(days) & set(rule_weekdays(other.rrule, other.valid_from)):
            continue
        if not (start < other.end_time and other.start_time < end):
            continue
        if valid_until is not None and valid_until < other.valid_from:
            continue
        if other.valid_until is not None and other.valid_until < valid_from:
            continue
        place = session.get(Location, other.location_id)
        where = f" at {place.name}" if place is not None else ""
        shared = weekdays_text(set(days) & set(rule_weekdays(other.rrule, other.valid_from)))
        raise InvalidInput("start_time", f"overlaps the {shared} {other.start_time:%H:%M}–"
                           f"{other.end_time:%H:%M} hours{where}")


# --------------------------------------------------------------------------- writing closures


def add_closure(
    ctx: Context,
    *,
    staff: str,
    kind: str,
    start: datetime,
    end: datetime,
    reason: str,
    provider_id: int | None = None,
    location_id: int | None = None,
    confirm_stranded: bool = False,
) -> Saved[ClosureRow]:
    """A practice holiday (``holiday``), a location closure (``location``) or a provider's
    time off (``time_off``, optionally at one location)."""
    reason = " ".join(reason.split())
    if kind not in CLOSURE_KINDS:
        raise InvalidInput("kind", "must be holiday, time_off or location")
    if not reason:
        raise InvalidInput("reason", "say why (e.g. Vacation, Thanksgiving)")
    if len(reason) > MAX_REASON:
        raise InvalidInput("reason", f"keep it under {MAX_REASON} characters")
    if start.tzinfo is None:
        raise InvalidInput("start", "needs a time zone")
    if end.tzinfo is None:
        raise InvalidInput("end", "needs a time zone")
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end <= start:
        raise InvalidInput("end", "must be after the start")
    if kind == HOLIDAY and (provider_id is not None or location_id is not None):
        raise InvalidInput("kind", "a practice holiday closes every location for everyone")
    if kind == TIME_OFF and provider_id is None:
        raise InvalidInput("provider", "time off needs a provider")
    if kind == LOCATION and (location_id is None or provider_id is not None):
        raise InvalidInput("location", "a location closure needs a location and no provider")

    def work(session: Session) -> Saved[ClosureRow]:
        now = ctx.now()
        staff_row = acting(session, staff, Permission.SCHEDULE)
        if provider_id is not None and session.get(Provider, provider_id) is None:
            raise InvalidInput("provider", f"no provider with id {provider_id}")
        if location_id is not None and session.get(Location, location_id) is None:
            raise InvalidInput("location", f"no location with id {location_id}")
        hole = ClosureSpec(start, end, provider_id, location_id)
        stranded = _check_stranding(
            session, now, confirm_stranded, provider_id=provider_id, location_id=location_id,
            window=Interval(start, end), before=(None, []), after=(None, [hole]))
        row = Closure(kind=kind, reason=reason, starts_at=start, ends_at=end,
                      provider_id=provider_id, location_id=location_id)
        session.add(row)
        session.flush()
        q.add_audit(session, at=now, staff_id=staff_row.id, action="closure.add",
                    entity="closure", entity_id=row.id,
                    after=_closure_snapshot(row) | _stranded_ids(stranded))
        people = {p.id or 0: p.name for p in session.exec(select(Provider))}
        return Saved(_closure_row(row, people, _location_names(session)), stranded)

    return _write(ctx, work)


def remove_closure(ctx: Context, *, staff: str, closure_id: int) -> ClosureRow:
    """Delete a closure (only ever gives time back, so nothing can be stranded)."""

    def work(session: Session) -> ClosureRow:
        staff_row = acting(session, staff, Permission.SCHEDULE)
        row = session.get(Closure, closure_id)
        if row is None:
            raise InvalidInput("closure", f"no closure with id {closure_id}")
        people = {p.id or 0: p.name for p in session.exec(select(Provider))}
        gone = _closure_row(row, people, _location_names(session))
        q.add_audit(session, at=ctx.now(), staff_id=staff_row.id, action="closure.remove",
                    entity="closure", entity_id=closure_id, before=_closure_snapshot(row))
        session.delete(row)
        return gone

    return _write(ctx, work)


# --------------------------------------------------------------------------- stranding

#: (templates, extra closures) of one side of a change; None templates: the stored ones.
_World = tuple[list[TemplateSpec] | None, list[ClosureSpec] | None]


def _check_stranding(
    session: Session, now: datetime, confirmed: bool, *, provider_id: int | None,
    before: _World, after: _World, location_id: int | None = None,
    window: Interval | None = None,
) -> tuple[AppointmentView, ...]:
    """The booked visits the change takes out of working time; WouldStrand unless confirmed."""
    visits = _future_visits(session, now, provider_id=provider_id, location_id=location_id,
                            window=window)
    if not visits:
        return ()
    lo, hi = min(v[3] for v in visits), max(v[4] for v in visits)
    stored_closures = q.closures_between(session, lo, hi)
    people = sorted({v[1] for v in visits})
    stored_templates = q.templates_for(session, people)

    def world(side: _World) -> tuple[list[TemplateSpec], list[ClosureSpec]]:
        templates, extra = side
        if templates is None:
            templates = stored_templates
        else:
            changed = {t.provider_id for t in templates} | {provider_id}
            templates = [*templates, *(t for t in stored_templates
                                       if t.provider_id not in changed)]
        return templates, [*stored_closures, *(extra or [])]

    was, will = world(before), world(after)
    ids = [v[0] for v in visits
           if _inside(v, *was) and not _inside(v, *will)]
    if not ids:
        return ()
    found = tuple(appointment_view(r) for r in q.appointment_rows(session, ids=ids))
    if not confirmed:
        raise WouldStrand(found)
    return found


_Visit = tuple[int, int, int, datetime, datetime]  # id, provider, location, start, end


def _future_visits(session: Session, now: datetime, *, provider_id: int | None,
                   location_id: int | None, window: Interval | None) -> list[_Visit]:
    """Visits not yet started whose time still belongs to the provider (live holds too)."""
    query = sa_select(col(Appointment.id), col(Appointment.provider_id),
                      col(Appointment.location_id), col(Appointment.starts_at),
                      col(Appointment.ends_at)).where(
        col(Appointment.status).in_(_BLOCKING),
        or_(col(Appointment.status) != Status.HELD.value,
            col(Appointment.hold_expires_at) > now),
        col(Appointment.starts_at) >= now,
    )
    if provider_id is not None:
        query = query.where(col(Appointment.provider_id) == provider_id)
    if location_id is not None:
        query = query.where(col(Appointment.location_id) == location_id)
    if window is not None:
        query = query.where(col(Appointment.starts_at) < window.end,
                            col(Appointment.ends_at) > window.start)
    rows = session.connection().execute(query).all()
    return [(i or 0, p, lo, s, e) for i, p, lo, s, e in rows]


def _inside(visit: _Visit, templates: Sequence[TemplateSpec],
            closures: Sequence[ClosureSpec]) -> bool:
    """The visit lies wholly inside one working interval: its template minus closures."""
    _, pid, lid, start, end = visit
    span = Interval(start, end)
    holes = [Interval(c.start, c.end) for c in closures
             if (c.provider_id is None or c.provider_id == pid)
             and (c.location_id is None or c.location_id == lid)
             and Interval(c.start, c.end).overlaps(span)]
    for template in templates:
        if template.provider_id != pid or template.location_id != lid:
            continue
        for piece in subtract(expand_template(template, span), holes):
            if piece.start <= start and end <= piece.end:
                return True
    return False


# --------------------------------------------------------------------------- helpers


def _write(ctx: Context, work: Callable[[Session], R]) -> R:
    try:
        return run_write(ctx.engine, work)
    except DatabaseBusyError as exc:
        raise Busy(str(exc)) from exc


def _location_names(session: Session) -> dict[int, str]:
    return {loc.id or 0: loc.name for loc in session.exec(select(Location))}


def _spec(row: Template, template_id: int) -> TemplateSpec:
    return TemplateSpec(template_id, row.provider_id, row.location_id, row.rrule, row.timezone,
                        row.start_time, row.end_time, row.valid_from, row.valid_until)


def _template_row(t: Template, places: dict[int, str]) -> TemplateRow:
    return TemplateRow(
        id=t.id or 0, provider_id=t.provider_id,
        weekdays=rule_weekdays(t.rrule, t.valid_from), start_time=t.start_time,
        end_time=t.end_time, location_id=t.location_id,
        location_name=places.get(t.location_id, f"location {t.location_id}"),
        timezone=t.timezone, valid_from=t.valid_from, valid_until=t.valid_until, rrule=t.rrule,
        custom=not is_plain_rule(t.rrule),
    )


def _closure_row(c: Closure, people: dict[int, str], places: dict[int, str]) -> ClosureRow:
    return ClosureRow(
        id=c.id or 0, kind=c.kind, reason=c.reason, start=c.starts_at, end=c.ends_at,
        provider_id=c.provider_id,
        provider_name=None if c.provider_id is None else people.get(c.provider_id, "?"),
        location_id=c.location_id,
        location_name=None if c.location_id is None else places.get(c.location_id, "?"),
    )


def _template_snapshot(t: Template) -> dict[str, Any]:
    return {
        "provider_id": t.provider_id, "location_id": t.location_id, "rrule": t.rrule,
        "timezone": t.timezone, "start_time": t.start_time.isoformat(),
        "end_time": t.end_time.isoformat(), "valid_from": t.valid_from.isoformat(),
        "valid_until": t.valid_until.isoformat() if t.valid_until else None,
    }


def _closure_snapshot(c: Closure) -> dict[str, Any]:
    return {
        "kind": c.kind, "reason": c.reason, "starts_at": c.starts_at.isoformat(),
        "ends_at": c.ends_at.isoformat(), "provider_id": c.provider_id,
        "location_id": c.location_id,
    }


def _stranded_ids(stranded: Sequence[AppointmentView]) -> dict[str, Any]:
    return {"stranded_appointment_ids": [a.id for a in stranded]} if stranded else {}
