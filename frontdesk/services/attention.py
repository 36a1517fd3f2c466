"""What a scheduler must look at: booked visits a closure, time off or new hours left outside
working time, holds about to lapse and callbacks overdue — each with the action that resolves
it (issue 20).

A visit counts as in working time by the very rule the hours and closures editor checks before
it saves (``domain.availability.working_spans`` and ``Covering``: wholly inside one piece of its
provider's template at its location, minus the closures). One read: the visits ahead in one
indexed range query, templates and closures once; nothing is read per visit. The board and the
day view mark the same visits with :func:`visit_marks`. (200,000 visits, 21,700 of them in the
next 90 days, every location: about 0.2 s.)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from frontdesk.db import queries as q
from frontdesk.db.engine import read_session
from frontdesk.db.models import Appointment, Closure, Provider
from frontdesk.domain.availability import Covering, working_spans
from frontdesk.domain.model import ClosureSpec, Interval, Status, TemplateSpec
from frontdesk.domain.permissions import DOING, Permission
from frontdesk.services.access import require
from frontdesk.services.context import Context
from frontdesk.services.errors import NotAllowed
from frontdesk.services.mapping import appointment_view
from frontdesk.services.views import AppointmentView

if TYPE_CHECKING:  # the board reads marks at start; the callbacks load with the list
    from frontdesk.services.callbacks import CallbackView

#: How far ahead visits are looked at.
HORIZON_DAYS = 90
#: Overdue callbacks read at most (the most overdue first; the location is chosen first).
CALLBACKS_AT_MOST = 500
#: A hold lapsing within this many minutes is listed (a hold lasts 5 by default: its last 2;
#: a shorter hold time, its last half).
HOLD_MINUTES = 2
#: Visits still to happen that keep their time: a hold is listed on its own terms.
_KEPT = (Status.BOOKED.value, Status.CONFIRMED.value)
#: The closure's kind in a word or two (the board's mark, the list's reason).
CLOSURE_WORDS = {"holiday": "holiday", "location": "closed", "time_off": "time off"}
OFF_HOURS = "off hours"


class Kind(StrEnum):
    """What is wrong, in the order the list shows it (what lapses first, first)."""

    HOLD = "hold"  # a hold lapses in minutes
    CLOSED = "closed"  # a visit inside a holiday, a location closure or time off
    OFF_HOURS = "off-hours"  # a visit outside its provider's hours
    CALLBACK = "callback"  # a callback overdue


class Action(StrEnum):
    """What resolves it: the screen's Enter does it."""

    MOVE = "move"  # move the visit (or cancel it and call the patient)
    HOLD = "hold"  # keep the hold longer (the caller is still deciding), or release it
    CALL_BACK = "call-back"  # call the patient back


#: The action in words, as the list shows it beside each item.
ACTION_WORDS = {
    Action.MOVE: "move the visit, or cancel it and call the patient",
    Action.HOLD: "keep it longer while the caller decides, or release it",
    Action.CALL_BACK: "call the patient back",
}


@dataclass(frozen=True, slots=True)
class Item:
    """One thing to look at. ``why`` says what is wrong in plain words (no patient details:
    the patient is ``appointment.patient_short`` or ``callback.patient_short``); ``at`` is
    when it matters (the visit's start, the hold's end, the callback's due time)."""

    kind: Kind
    action: Action
    why: str
    at: datetime
    appointment: AppointmentView | None = None
    callback: CallbackView | None = None
    headline: str = ""  # ``why`` in a few words, for a list's column ("Time off: Vacation")

    @property
    def action_text(self) -> str:
        return ACTION_WORDS[self.action]


def needs_attention(ctx: Context, *, by: str, location_id: int | None = None,
                    horizon_days: int = HORIZON_DAYS,
                    hold_minutes: float | None = None) -> list[Item]:
    """Everything to look at, at ``location_id`` (None: everywhere), holds first, then visits
    by time, then callbacks (the most overdue first). For schedulers and above (``by``)."""
    from frontdesk.services.callbacks import callbacks_due

    try:
        require(ctx, by, Permission.SCHEDULE)
    except NotAllowed as refused:
        raise NotAllowed(str(refused).replace(DOING[Permission.SCHEDULE],
                                              "the needs-attention list", 1)) from None
    if hold_minutes is None:
        hold_minutes = min(HOLD_MINUTES, ctx.settings.booking.hold_min / 2)
    now = ctx.now()
    with read_session(ctx.engine) as session:
        visits = _visits_ahead(session, now, now + timedelta(days=horizon_days), location_id)
        why = _why_not_working(session, visits)
        found = _views(session, list(why))
        items = [Item(Kind.OFF_HOURS if word == OFF_HOURS else Kind.CLOSED, Action.MOVE,
                      reason, found[i].start, appointment=found[i], headline=headline)
                 for i, (word, reason, headline) in why.items() if i in found]
        items += _holds(session, now, now + timedelta(minutes=hold_minutes), location_id)
    callbacks = callbacks_due(ctx, within_hours=0, limit=CALLBACKS_AT_MOST,
                              location_id=location_id)
    for c in (c for c in callbacks if c.overdue):
        late = _late(now - c.due_at)
        items.append(Item(Kind.CALLBACK, Action.CALL_BACK,
                          f"{c.label.lower()} callback overdue by {late}", c.due_at,
                          callback=c, headline=f"Callback overdue by {late}"))
    order = list(Kind)
    return sorted(items, key=lambda i: (order.index(i.kind), i.at,
                                        i.appointment.id if i.appointment else 0))


def visit_marks(ctx: Context, appointments: Iterable[AppointmentView]) -> dict[int, str]:
    """Appointment id -> the word the calendar marks it with ("time off", "holiday", "closed",
    "off hours"), for the visits of ``appointments`` that the list shows too (booked or
    confirmed, not started yet, outside working time). Two small reads for a day's board."""
    now = ctx.now()
    horizon = now + timedelta(days=HORIZON_DAYS)
    wanted = [(a.id, a.provider_id, a.location_id, a.start, a.end) for a in appointments
              if a.status.value in _KEPT and now <= a.start < horizon]
    if not wanted:
        return {}
    with read_session(ctx.engine) as session:
        why = _why_not_working(session, wanted)
    return {i: word for i, (word, _, _) in why.items()}


def outside_working_time(session: Session, appt: Appointment) -> str | None:
    """Why ``appt``'s time is not in its provider's working time any more ("inside Dr. Avery
    Able's time off (Vacation)"), or None: a hold confirmed after a closure was saved over it
    is refused with this (the caller is still on the line to be offered another time)."""
    visit = (appt.id or 0, appt.provider_id, appt.location_id, appt.starts_at, appt.ends_at)
    found = _why_not_working(session, [visit])
    return found[visit[0]][1] if found else None


# --------------------------------------------------------------------------- reading

_Visit = tuple[int, int, int, datetime, datetime]  # id, provider, location, start, end


def _visits_ahead(session: Session, start: datetime, end: datetime,
                  location_id: int | None) -> list[_Visit]:
    """Booked and confirmed visits starting in [start, end): one range over the (status,
    starts_at, location_id) index."""
    query = sa_select(col(Appointment.id), col(Appointment.provider_id),
                      col(Appointment.location_id), col(Appointment.starts_at),
                      col(Appointment.ends_at)).where(
        col(Appointment.status).in_(_KEPT), col(Appointment.starts_at) >= start,
        col(Appointment.starts_at) < end)
    if location_id is not None:
        query = query.where(col(Appointment.location_id) == location_id)
    return [(i or 0, p, lo, s, e)
            for i, p, lo, s, e in session.connection().execute(query)]


@dataclass(frozen=True, slots=True)
class _Closure:
    spec: ClosureSpec
    kind: str
    reason: str
    provider: str | None


def _why_not_working(session: Session, visits: Sequence[_Visit]
                     ) -> dict[int, tuple[str, str, str]]:
    """Visit id -> (the mark's word, why in a sentence, why in a few words) for the visits
    outside working time. Each provider's working time at each place is worked out once for
    the whole span, then each visit is one lookup."""
    if not visits:
        return {}
    lo, hi = min(v[3] for v in visits), max(v[4] for v in visits)
    by_provider: dict[int | None, list[_Closure]] = defaultdict(list)
    for c in _closures(session, lo, hi):
        by_provider[c.spec.provider_id].append(c)
    templates: dict[int, list[TemplateSpec]] = defaultdict(list)
    for t in q.templates_for(session, sorted({v[1] for v in visits})):
        templates[t.provider_id].append(t)
    groups: dict[tuple[int, int], list[_Visit]] = defaultdict(list)
    for visit in visits:
        groups[visit[1], visit[2]].append(visit)
    found: dict[int, tuple[str, str, str]] = {}
    for (pid, lid), group in groups.items():
        near = [c for c in (*by_provider.get(None, ()), *by_provider.get(pid, ()))
                if c.spec.location_id is None or c.spec.location_id == lid]
        window = Interval(min(v[3] for v in group), max(v[4] for v in group))
        working = Covering(working_spans(templates.get(pid, ()), [c.spec for c in near],
                                         window, provider_id=pid, location_id=lid))
        name: str | None = None
        for appt_id, _, _, start, end in group:
            if working.covers(start, end):
                continue
            hit = next((c for c in near if c.spec.start < end and start < c.spec.end), None)
            if hit is not None:
                word = CLOSURE_WORDS.get(hit.kind, "closed")
                found[appt_id] = (word, _closure_words(hit), f"{word.capitalize()}: {hit.reason}")
            else:
                name = name or _provider_name(session, pid)
                found[appt_id] = (OFF_HOURS, f"outside {name}'s working hours",
                                  "Outside the provider's hours")
    return found


def _closures(session: Session, start: datetime, end: datetime) -> list[_Closure]:
    """The closures touching [start, end), with their kind and reason (few: read as rows)."""
    query = (sa_select(col(Closure.starts_at), col(Closure.ends_at), col(Closure.provider_id),
                       col(Closure.location_id), col(Closure.kind), col(Closure.reason),
                       col(Provider.name))
             .outerjoin(Provider, col(Provider.id) == Closure.provider_id)
             .where(col(Closure.starts_at) < end, col(Closure.ends_at) > start)
             .order_by(col(Closure.starts_at)))
    return [_Closure(ClosureSpec(s, e, p, lo), kind, reason, name)
            for s, e, p, lo, kind, reason, name in session.connection().execute(query)]


def _closure_words(c: _Closure) -> str:
    """'inside Dr. Avery Able's time off (Vacation)', 'inside a holiday (Thanksgiving Day)'."""
    if c.kind == "time_off":
        whose = f"{c.provider}'s" if c.provider else "a provider's"
        return f"inside {whose} time off ({c.reason})"
    if c.kind == "holiday":
        return f"inside a holiday ({c.reason})"
    return f"inside a location closure ({c.reason})"


def _provider_name(session: Session, provider_id: int) -> str:
    row = session.get(Provider, provider_id)
    return row.name if row is not None else "the provider"


def _views(session: Session, ids: list[int]) -> dict[int, AppointmentView]:
    if not ids:
        return {}
    return {v.id: v for v in map(appointment_view, q.appointment_rows(session, ids=ids))}


def _holds(session: Session, now: datetime, until: datetime,
           location_id: int | None) -> list[Item]:
    """Live holds lapsing by ``until`` (the (status, hold_expires_at) index)."""
    query = sa_select(col(Appointment.id)).where(
        col(Appointment.status) == Status.HELD.value,
        col(Appointment.hold_expires_at) > now, col(Appointment.hold_expires_at) <= until)
    if location_id is not None:
        query = query.where(col(Appointment.location_id) == location_id)
    ids = [i or 0 for (i,) in session.connection().execute(query)]
    items = []
    for view in _views(session, ids).values():
        expires = view.hold_expires_at
        assert expires is not None
        minutes = max(1, round((expires - now).total_seconds() / 60))
        by = f", held by {view.booked_by}" if view.booked_by else ""
        items.append(Item(Kind.HOLD, Action.HOLD,
                          f"hold lapses in {minutes} min{by}", expires,
                          appointment=view, headline=f"Hold lapses in {minutes} min"))
    return items


def _late(late: timedelta) -> str:
    """'25 min', '3 h', '4 days'."""
    hours = int(late.total_seconds() // 3600)
    if hours >= 48:
        return f"{hours // 24} days"
    return f"{hours} h" if hours >= 1 else f"{int(late.total_seconds() // 60)} min"
