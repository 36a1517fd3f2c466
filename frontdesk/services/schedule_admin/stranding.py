"""The check every hours or closures edit runs: which booked visits the change would take out
of working time (``WouldStrand`` unless confirmed); and the one-transaction write they share."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from frontdesk.db import queries as q
from frontdesk.db.models import Appointment
from frontdesk.domain.availability import Covering, working_spans
from frontdesk.domain.model import (
    BLOCKING_STATUSES,
    ClosureSpec,
    Interval,
    Status,
    TemplateSpec,
)
from frontdesk.services.errors import FrontDeskError
from frontdesk.services.mapping import appointment_view
from frontdesk.services.views import AppointmentView

_BLOCKING = [s.value for s in BLOCKING_STATUSES]

R = TypeVar("R")


class WouldStrand(FrontDeskError):
    """Saving would leave booked visits outside working time; nothing was written.

    ``appointments`` lists them (the message itself carries no patient details)."""

    def __init__(self, appointments: Sequence[AppointmentView]) -> None:
        count = len(appointments)
        super().__init__(f"{count} booked visit{'s' if count != 1 else ''} would fall outside "
                         "working hours; confirm to save anyway")
        self.appointments = tuple(appointments)


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
    pieces = working_spans(templates, closures, Interval(start, end), provider_id=pid,
                           location_id=lid)
    return Covering(pieces).covers(start, end)


def _stranded_ids(stranded: Sequence[AppointmentView]) -> dict[str, Any]:
    return {"stranded_appointment_ids": [a.id for a in stranded]} if stranded else {}
