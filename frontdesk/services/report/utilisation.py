"""The report's utilisation: booked minutes over template minutes, per provider and location.

Template minutes are the providers' template hours on the day less closures; booked minutes
are the visits that kept their time (booked, confirmed, checked in, completed, no-show).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from frontdesk.db import queries as q
from frontdesk.domain.availability import expand_template, subtract
from frontdesk.domain.model import Interval, Status
from frontdesk.services.holidays import local_day_bounds
from frontdesk.services.report.reads import _Names
from frontdesk.services.report.values import DrillKind, Figure, UseLine

#: Visits whose time stayed taken: they count as booked minutes.
_KEPT_TIME = frozenset({Status.BOOKED, Status.CONFIRMED, Status.CHECKED_IN, Status.COMPLETED,
                        Status.NO_SHOW})


def _utilisation(session: Session, visits: Sequence[tuple[Any, ...]], names: _Names, day: date,
                 zone: ZoneInfo, location_id: int | None) -> tuple[UseLine, ...]:
    start, end = local_day_bounds(day, zone)
    window = Interval(start, end)
    templates = [t for t in q.templates_for(session, list(names.providers))
                 if location_id is None or t.location_id == location_id]
    closures = q.closures_between(session, start, end)
    minutes: dict[tuple[int, int], float] = defaultdict(float)
    for t in templates:
        holes = [Interval(c.start, c.end) for c in closures
                 if c.provider_id in (None, t.provider_id)
                 and c.location_id in (None, t.location_id)]
        for span in subtract(expand_template(t, window), holes):
            lo, hi = max(span.start, start), min(span.end, end)
            if lo < hi:
                minutes[t.location_id, t.provider_id] += (hi - lo).total_seconds() / 60
    booked: dict[tuple[int, int], float] = defaultdict(float)
    ids: dict[tuple[int, int], list[int]] = defaultdict(list)
    for aid, lid, pid, _vid, status, _late, s, e in visits:
        if Status(status) in _KEPT_TIME:
            booked[lid, pid] += (min(e, end) - max(s, start)).total_seconds() / 60
            ids[lid, pid].append(aid)
    lines: list[UseLine] = []
    for lid in sorted({k[0] for k in (*minutes, *booked)}, key=lambda i: names.locations[i]):
        place = names.locations[lid]
        people = sorted({k[1] for k in (*minutes, *booked) if k[0] == lid},
                        key=lambda i: names.providers[i])
        lines.append(UseLine(
            place, None, round(sum(booked[lid, p] for p in people)),
            round(sum(minutes[lid, p] for p in people)),
            Figure(DrillKind.APPOINTMENTS, tuple(sorted(i for p in people for i in ids[lid, p])),
                   f"Visits keeping their time at {place}")))
        lines.extend(
            UseLine(place, names.providers[p], round(booked[lid, p]), round(minutes[lid, p]),
                    Figure(DrillKind.APPOINTMENTS, tuple(ids[lid, p]),
                           f"Visits keeping their time: {names.providers[p]} at {place}"))
            for p in people)
    return tuple(lines)
