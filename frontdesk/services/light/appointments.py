"""One local day's appointments, the light way: the twin of
``scheduling.appointments_on`` (same rows, same order, same views)."""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from frontdesk.db.light import stored, utc
from frontdesk.domain.model import Status
from frontdesk.services.light import Light
from frontdesk.services.views import AppointmentView

_DAY = """
SELECT a.id, a.patient_id, p.first_name, p.last_name, vt.code, vt.name, vt.colour,
       a.provider_id, pr.name, a.location_id, l.name, l.timezone, a.room_id, r.name,
       a.starts_at, a.ends_at, a.status, a.hold_expires_at, a.region, a.levels, a.side,
       s.username, a.booked_at, a.cancel_reason, a.late_cancel, a.version, a.block_start,
       a.block_end, p.alerts, p.alert_note
FROM appointment a
JOIN patient p ON p.id = a.patient_id
JOIN visit_type vt ON vt.id = a.visit_type_id
JOIN provider pr ON pr.id = a.provider_id
JOIN location l ON l.id = a.location_id
JOIN room r ON r.id = a.room_id
JOIN staff s ON s.id = a.booked_by_id
WHERE a.starts_at >= ? AND a.starts_at < ? AND a.location_id IN ({ids})
ORDER BY a.starts_at, a.provider_id
"""


def appointments_on(light: Light, *, day: date,
                    location_ids: Collection[int] | None = None) -> list[AppointmentView]:
    """``day``'s appointments, each location's day in its own zone, ordered by start."""
    by_zone: dict[str, list[int]] = {}
    for loc_id, zone in light.reader.rows("SELECT id, timezone FROM location"):
        if location_ids is None or loc_id in location_ids:
            by_zone.setdefault(zone, []).append(loc_id)
    views: list[AppointmentView] = []
    for name, ids in by_zone.items():
        zone = ZoneInfo(name)
        start = datetime.combine(day, time(), zone)
        end = datetime.combine(day + timedelta(days=1), time(), zone)
        sql = _DAY.format(ids=", ".join("?" * len(ids)))
        views += [_view(row) for row in light.reader.rows(sql, (stored(start), stored(end),
                                                                *ids))]
    views.sort(key=lambda v: (v.start, v.provider_name))
    return views


def _view(row: tuple[Any, ...]) -> AppointmentView:
    (appt_id, patient_id, first, last, code, vt_name, colour, provider_id, provider, location_id,
     location, zone, room_id, room, starts, ends, status, hold, region, levels, side, booked_by,
     booked_at, cancel_reason, late_cancel, version, block_start, block_end, alerts,
     alert_note) = row
    return AppointmentView(
        id=appt_id, patient_id=patient_id, patient_short=f"{last}, {first[:1]}.",
        visit_type_code=code, visit_type_name=vt_name, visit_colour=colour,
        provider_id=provider_id, provider_name=provider, location_id=location_id,
        location_name=location, room_id=room_id, room_name=room,
        start=_time(starts), end=_time(ends), timezone=zone, status=Status(status),
        hold_expires_at=utc(hold), region=region, levels=levels, side=side,
        booked_by=booked_by, booked_at=_time(booked_at), cancel_reason=cancel_reason,
        late_cancel=bool(late_cancel), version=version, block_start=_time(block_start),
        block_end=_time(block_end), patient_alerts=tuple(json.loads(alerts or "null") or ()),
        patient_alert_note=alert_note or "",
    )


def _time(value: str) -> datetime:
    found = utc(value)
    assert found is not None  # a NOT NULL column
    return found
