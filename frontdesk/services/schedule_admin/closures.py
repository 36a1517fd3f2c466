"""Editing closures: add a practice holiday, a location closure or a provider's time off (no
visits stranded unless confirmed), or remove one."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, select

from frontdesk.db import queries as q
from frontdesk.db.models import Closure, Location, Provider
from frontdesk.domain.model import ClosureSpec, Interval
from frontdesk.domain.permissions import Permission
from frontdesk.services.access import acting
from frontdesk.services.context import Context, write
from frontdesk.services.errors import InvalidInput
from frontdesk.services.schedule_admin.reading import (
    ClosureRow,
    Saved,
    _closure_row,
    _location_names,
)
from frontdesk.services.schedule_admin.stranding import _check_stranding, _stranded_ids

HOLIDAY, TIME_OFF, LOCATION = "holiday", "time_off", "location"
CLOSURE_KINDS = (HOLIDAY, TIME_OFF, LOCATION)
MAX_REASON = 120


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
        q.add_audit(session, origin=ctx.origin.stamp,
                    at=now, staff_id=staff_row.id, action="closure.add",
                    entity="closure", entity_id=row.id,
                    after=_closure_snapshot(row) | _stranded_ids(stranded))
        people = {p.id or 0: p.name for p in session.exec(select(Provider))}
        return Saved(_closure_row(row, people, _location_names(session)), stranded)

    return write(ctx, work)


def remove_closure(ctx: Context, *, staff: str, closure_id: int) -> ClosureRow:
    """Delete a closure (only ever gives time back, so nothing can be stranded)."""

    def work(session: Session) -> ClosureRow:
        staff_row = acting(session, staff, Permission.SCHEDULE)
        row = session.get(Closure, closure_id)
        if row is None:
            raise InvalidInput("closure", f"no closure with id {closure_id}")
        people = {p.id or 0: p.name for p in session.exec(select(Provider))}
        gone = _closure_row(row, people, _location_names(session))
        q.add_audit(session, origin=ctx.origin.stamp,
                    at=ctx.now(), staff_id=staff_row.id, action="closure.remove",
                    entity="closure", entity_id=closure_id, before=_closure_snapshot(row))
        session.delete(row)
        return gone

    return write(ctx, work)


def _closure_snapshot(c: Closure) -> dict[str, Any]:
    return {
        "kind": c.kind, "reason": c.reason, "starts_at": c.starts_at.isoformat(),
        "ends_at": c.ends_at.isoformat(), "provider_id": c.provider_id,
        "location_id": c.location_id,
    }
