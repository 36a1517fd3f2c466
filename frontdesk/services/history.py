"""An appointment's history, read from the audit log and told in plain words.

The audit log stores snapshots (ids, times, status); this turns each event into who did what
and what changed, naming providers, rooms and locations and showing times in the location's
zone. Like the snapshots, the entries carry no patient details.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from frontdesk.db import queries as q
from frontdesk.db.engine import read_session
from frontdesk.domain.model import Status
from frontdesk.services.context import Context

ACTIONS = {
    "appointment.hold": "held for a caller",
    "appointment.book": "booked",
    "appointment.reschedule": "moved",
    "appointment.cancel": "cancelled",
    "appointment.status": "status changed",
    "appointment.release_hold": "hold released",
    "appointment.extend_hold": "hold kept longer",
}
PLACES = (("provider_id", "provider"), ("location_id", "location"), ("room_id", "room"))


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One change: when (aware UTC), who (username), what (a word) and how (plain words)."""

    at: datetime
    staff: str
    action: str
    changes: str


def history(ctx: Context, appointment_id: int) -> list[HistoryEntry]:
    """Every recorded change to one appointment, oldest first (empty for an unknown id)."""
    with read_session(ctx.engine) as session:
        rows = q.audit_trail(session, entity="appointment", entity_id=appointment_id)
        providers, locations, rooms = q.names(session)
    names = {"provider": providers, "room": rooms,
             "location": {k: v[0] for k, v in locations.items()}}
    zones = {k: v[1] for k, v in locations.items()}
    entries = []
    for event, username in rows:
        after: dict[str, Any] = event.after or {}
        zone = ZoneInfo(zones.get(after.get("location_id", 0), "America/Chicago"))
        entries.append(HistoryEntry(
            at=event.at, staff=username or "system",
            action=ACTIONS.get(event.action, event.action),
            changes=describe(event.before, after, names, zone),
        ))
    return entries


def describe(before: dict[str, Any] | None, after: dict[str, Any],
             names: dict[str, dict[int, str]], zone: ZoneInfo) -> str:
    """What changed between two snapshots: 'booked → confirmed; room Exam 1 → Exam 2'."""

    def name(kind: str, key: str, snapshot: dict[str, Any]) -> str:
        return names[kind].get(snapshot.get(key, 0), "unknown")

    if before is None:
        parts = [f"for {_when(after.get('starts_at'), zone)}"]
        parts += [f"{kind} {name(kind, key, after)}" for key, kind in PLACES]
        return "; ".join(parts)
    parts = []
    if before.get("status") != after.get("status"):
        parts.append(f"{_status(before.get('status'))} → {_status(after.get('status'))}")
    if before.get("starts_at") != after.get("starts_at"):
        parts.append(f"time {_when(before.get('starts_at'), zone)} → "
                     f"{_when(after.get('starts_at'), zone)}")
    for key, kind in PLACES:
        if before.get(key) != after.get(key):
            parts.append(f"{kind} {name(kind, key, before)} → {name(kind, key, after)}")
    procedure = ("region", "levels", "side")
    if any(before.get(k) != after.get(k) for k in procedure):
        parts.append("details " + (" ".join(str(after[k]) for k in procedure if after.get(k))
                                   or "cleared"))
    if after.get("cancel_reason") and before.get("cancel_reason") != after.get("cancel_reason"):
        parts.append(f"reason: {after['cancel_reason']}")
    if after.get("late_cancel") and not before.get("late_cancel"):
        parts.append("late cancel")
    return "; ".join(parts) or "no visible change"


def _status(value: object) -> str:
    try:
        return Status(str(value)).label
    except ValueError:
        return str(value)


def _when(value: object, zone: ZoneInfo) -> str:
    """'Wed 10 Mar 10:00' in the location's zone, from a snapshot's ISO time."""
    try:
        moment = datetime.fromisoformat(str(value)).astimezone(zone)
    except ValueError:
        return "an unknown time"
    return f"{moment:%a} {moment.day} {moment:%b %H:%M}"
