"""The visits ahead a plan touches. Refused (each with why): what the file retires, a room
whose new kind no longer fits its visit, a visit type that now needs another kind of room, a
provider who no longer performs the visit's type, a location whose time zone changes (its
visits would move on the local clock). Marked for a scheduler, kept: a visit whose type's
length or buffers change, and a visit that new hours leave outside working time."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from frontdesk.db import queries as q
from frontdesk.db.models import Appointment
from frontdesk.domain.model import BLOCKING_STATUSES, RoomKind, Status
from frontdesk.services.mapping import appointment_view
from frontdesk.services.practice.plan import Planner
from frontdesk.services.schedule_admin.stranding import _future_visits, _inside
from frontdesk.services.views import AppointmentView

#: the length of ``appointment.attention``
ATTENTION_MAX = 200

_BLOCKING = [s.value for s in BLOCKING_STATUSES]

Ahead = tuple[int, int, int, int | None, int]  # id, provider, location, room, visit type


def visits_ahead(session: Session, now: datetime) -> list[Ahead]:
    """Every visit not yet over that still holds its time (live holds too)."""
    query = sa_select(col(Appointment.id), col(Appointment.provider_id),
                      col(Appointment.location_id), col(Appointment.room_id),
                      col(Appointment.visit_type_id)).where(
        col(Appointment.status).in_(_BLOCKING),
        or_(col(Appointment.status) != Status.HELD.value,
            col(Appointment.hold_expires_at) > now),
        col(Appointment.ends_at) > now).order_by(col(Appointment.starts_at))
    return [(i or 0, p, lo, r, v) for i, p, lo, r, v in session.connection().execute(query)]


def refusals(plan: Planner, visits: list[Ahead]) -> dict[int, list[str]]:
    """visit id -> why the plan may not go ahead while it is booked."""
    cur, f = plan.current, plan.file
    places = {r.id: r.decl.name for r in cur.locations.values()}
    rooms = {r.id: f"{cur.locations[key[0]].decl.name} / {r.decl.name}"
             for key, r in cur.rooms.items()}
    people = {r.id: r.decl.name for r in cur.providers.values()}
    codes = {r.id: code for code, r in cur.visit_types.items()}
    names = {"location": places, "room": rooms, "provider": people, "visit type": codes}
    column = {"location": 2, "room": 3, "provider": 1, "visit type": 4}

    room_was: dict[int, RoomKind] = {r.id: r.decl.kind for r in cur.rooms.values()}
    room_will = dict(room_was)
    zones: dict[int, tuple[str, str]] = {}
    for d in f.locations or ():
        row = cur.locations.get(d.name.casefold())
        if row is None:
            continue
        if row.decl.timezone != d.timezone:
            zones[row.id] = (row.decl.timezone, d.timezone)
        for r in d.rooms:
            found = cur.rooms.get((d.name.casefold(), r.name.casefold()))
            if found is not None:
                room_will[found.id] = r.kind
    vt_was: dict[int, RoomKind] = {r.id: r.decl.room for r in cur.visit_types.values()}
    vt_will = dict(vt_was)
    for v in f.visit_types or ():
        if v.code in cur.visit_types:
            vt_will[cur.visit_types[v.code].id] = v.room
    dropped: dict[int, set[str]] = {}
    for p in f.providers or ():
        found = cur.providers.get(p.name.casefold())
        if found is not None:
            dropped[found.id] = set(found.decl.visit_types) - set(p.visit_types)

    out: dict[int, list[str]] = defaultdict(list)
    for visit in visits:
        vid, pid, lid, rid, vtid = visit
        for kind, ids in plan.retiring.items():
            key = visit[column[kind]]
            if key is not None and key in ids:
                out[vid].append(f"{kind} {names[kind].get(key, '?')} is retired")
        code = codes.get(vtid, "?")
        if rid is not None and rid in room_will and vtid in vt_will:
            changed = room_was[rid] != room_will[rid] or vt_was[vtid] != vt_will[vtid]
            if changed and room_will[rid] != vt_will[vtid]:
                if room_was[rid] != room_will[rid]:
                    out[vid].append(f"room {rooms[rid]} becomes {room_will[rid].value}; "
                                    f"{code} needs {_a(vt_will[vtid])} room")
                else:
                    out[vid].append(f"visit type {code} now needs {_a(vt_will[vtid])} "
                                    f"room; {rooms[rid]} is {room_will[rid].value}")
        if code in dropped.get(pid, set()):
            out[vid].append(f"{people.get(pid, '?')} no longer performs {code}")
        if lid is not None and lid in zones:
            old, new = zones[lid]
            out[vid].append(f"{places.get(lid, '?')} changes time zone from {old} to {new} "
                            "(the visit would move on the local clock)")
    return dict(out)


def _a(kind: RoomKind) -> str:
    return ("an " if kind.value[0] in "aeiou" else "a ") + kind.value


def resized(plan: Planner, visits: list[Ahead]) -> dict[int, str]:
    """visit id -> why a scheduler should look: its visit type's length or buffers change
    (the booking keeps its times)."""
    cur = plan.current
    why: dict[int, str] = {}
    for d in plan.file.visit_types or ():
        row = cur.visit_types.get(d.code)
        if row is None:
            continue
        was = row.decl
        old = (was.duration, was.buffer_before, was.buffer_after)
        new = (d.duration, d.buffer_before, d.buffer_after)
        if old != new:
            why[row.id] = (f"{d.code} now {_length(*new)} (booked as {_length(*old)}): check "
                           "this visit's time")
    return {v[0]: why[v[4]] for v in visits if v[4] in why}


def _length(duration: int, before: int, after: int) -> str:
    extra = f" +{before}/{after} buffers" if before or after else ""
    return f"{duration} min{extra}"


def inside_hours(session: Session, now: datetime) -> set[int]:
    """The visits ahead that lie inside their provider's working time, as stored now."""
    visits = _future_visits(session, now, provider_id=None, location_id=None, window=None)
    if not visits:
        return set()
    templates = q.templates_for(session, sorted({v[1] for v in visits}))
    closures = q.closures_between(session, min(v[3] for v in visits),
                                  max(v[4] for v in visits))
    return {v[0] for v in visits if _inside(v, templates, closures)}


def views(session: Session, ids: list[int]) -> tuple[AppointmentView, ...]:
    if not ids:
        return ()
    found = {v.id: v for v in map(appointment_view, q.appointment_rows(session, ids=ids))}
    return tuple(found[i] for i in ids if i in found)


def mark(session: Session, now: datetime, why: dict[int, str]) -> None:
    """Each visit's ``attention`` gets its reason added (what was there is kept)."""
    for appt_id, reason in why.items():
        row = session.get(Appointment, appt_id)
        assert row is not None
        row.attention = joined(row.attention, reason)
        row.version, row.updated_at = row.version + 1, now
        session.add(row)
    session.flush()


def joined(existing: str | None, reason: str) -> str:
    """``existing`` and ``reason`` within the column's length (cut with "…" at the end)."""
    if not existing:
        text = reason
    elif reason in existing:
        return existing
    else:
        text = f"{existing}; {reason}"
    return text if len(text) <= ATTENTION_MAX else text[:ATTENTION_MAX - 1] + "…"
