"""Reading providers' weekly templates and the closures as the plain rows the hours and closures
editor shows (and ``Saved``, what an edit returns)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Generic, TypeVar

from sqlalchemy import or_
from sqlmodel import Session, col, select

from frontdesk.db.engine import read_session
from frontdesk.db.models import Closure, Location, Provider, Template
from frontdesk.services.context import Context
from frontdesk.services.errors import InvalidInput
from frontdesk.services.schedule_admin.weekdays import (
    is_plain_rule,
    rule_weekdays,
    weekdays_text,
)
from frontdesk.services.views import AppointmentView

R = TypeVar("R")


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


def _location_names(session: Session) -> dict[int, str]:
    return {loc.id or 0: loc.name for loc in session.exec(select(Location))}


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
