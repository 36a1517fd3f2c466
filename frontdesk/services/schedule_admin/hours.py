"""Editing a provider's working hours: add, change or remove one weekly template (one place at a
time, no visits stranded unless confirmed)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, time
from typing import Any

from sqlmodel import Session

from frontdesk.db import queries as q
from frontdesk.db.models import Location, Provider, Template
from frontdesk.domain.model import TemplateSpec
from frontdesk.domain.permissions import Permission
from frontdesk.services.access import acting
from frontdesk.services.context import Context, write
from frontdesk.services.errors import InvalidInput
from frontdesk.services.schedule_admin.reading import (
    Saved,
    TemplateRow,
    _location_names,
    _template_row,
)
from frontdesk.services.schedule_admin.stranding import _check_stranding, _stranded_ids
from frontdesk.services.schedule_admin.weekdays import rule_weekdays, weekdays_text, weekly_rule


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
        q.add_audit(session, origin=ctx.origin.stamp, at=now, staff_id=staff_row.id,
                    action="template.add" if template_id is None else "template.edit",
                    entity="template", entity_id=row.id, before=before, after=after)
        return Saved(_template_row(row, {location_id: location.name}), stranded)

    return write(ctx, work)


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
        q.add_audit(session, origin=ctx.origin.stamp,
                    at=now, staff_id=staff_row.id, action="template.remove",
                    entity="template", entity_id=template_id,
                    before=_template_snapshot(existing), after=_stranded_ids(stranded) or None)
        session.delete(existing)
        return Saved(gone, stranded)

    return write(ctx, work)


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


def _spec(row: Template, template_id: int) -> TemplateSpec:
    return TemplateSpec(template_id, row.provider_id, row.location_id, row.rrule, row.timezone,
                        row.start_time, row.end_time, row.valid_from, row.valid_until)


def _template_snapshot(t: Template) -> dict[str, Any]:
    return {
        "provider_id": t.provider_id, "location_id": t.location_id, "rrule": t.rrule,
        "timezone": t.timezone, "start_time": t.start_time.isoformat(),
        "end_time": t.end_time.isoformat(), "valid_from": t.valid_from.isoformat(),
        "valid_until": t.valid_until.isoformat() if t.valid_until else None,
    }
