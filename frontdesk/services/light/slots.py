"""Free slots, the light way: the twin of ``scheduling.find_slots`` (the same search,
:mod:`frontdesk.services.slot_search`, over the same rows, read with plain SQL)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time

from frontdesk.db.light import Reader, busy_spans, busy_statement, stored, utc
from frontdesk.domain.model import (
    BusySpan,
    ClosureSpec,
    RoomKind,
    RoomSpec,
    TemplateSpec,
    VisitSpec,
)
from frontdesk.services import slot_search
from frontdesk.services.light import Light
from frontdesk.services.slot_search import SlotNames
from frontdesk.services.views import SlotView

# The full way's statements (db.queries) as SQLAlchemy writes them for SQLite, so that SQLite
# plans them alike.
_VISIT_TYPE = ("SELECT id, code, duration_min, buffer_before_min, buffer_after_min, room_kind, "
               "active FROM visit_type WHERE lower(visit_type.code) = ?")
_PERFORMERS = ("SELECT provider_visit_type.provider_id FROM provider_visit_type "
               "JOIN provider ON provider.id = provider_visit_type.provider_id "
               "WHERE provider_visit_type.visit_type_id = ? AND provider.active = 1")
_ROOMS_OF_KIND = ("SELECT room.id, room.location_id, room.kind FROM room "
                  "JOIN location ON location.id = room.location_id "
                  "WHERE room.active = 1 AND location.active = 1 AND room.kind = ?")
_TEMPLATES = ("SELECT id, provider_id, location_id, rrule, timezone, start_time, end_time, "
              "valid_from, valid_until FROM template WHERE template.provider_id IN ({ids})")
_CLOSURES = ("SELECT starts_at, ends_at, provider_id, location_id FROM closure "
             "WHERE closure.starts_at < ? AND closure.ends_at > ?")


def find_slots(
    light: Light,
    *,
    visit_type: str,
    start: datetime | None = None,
    days: int = 60,
    location_ids: Collection[int] | None = None,
    provider_ids: Collection[int] | None = None,
    preferred_location_id: int | None = None,
    previous_provider_id: int | None = None,
    limit: int = 10,
) -> list[SlotView]:
    """The best ``limit`` free slots for a visit type, as ``scheduling.find_slots`` finds them."""
    now = light.now()
    with light.reader.snapshot() as reader:
        return slot_search.find(
            _Reads(reader), now=now, rules=light.settings.booking, visit_type=visit_type,
            start=start, days=days, location_ids=location_ids, provider_ids=provider_ids,
            preferred_location_id=preferred_location_id,
            previous_provider_id=previous_provider_id, limit=limit)


@dataclass(frozen=True)
class _Reads:
    """:class:`~frontdesk.services.slot_search.SlotReads` in plain SQL: the twins of
    ``queries.visit_type_by_code`` with ``visit_spec``, ``room_specs``, ``templates_for``,
    ``closures_between``, ``busy_between`` (on SQLite) and ``names``."""

    reader: Reader

    def visit(self, code: str) -> tuple[VisitSpec, bool] | None:
        found = self.reader.rows(_VISIT_TYPE, (code.strip().lower(),))
        if not found:
            return None
        if len(found) > 1:  # codes are unique; the full way fails here too (one_or_none)
            raise LookupError(f"more than one visit type is coded {code[:40]!r}")
        vt_id, vt_code, duration, before, after, room_kind, active = found[0]
        performers = self.reader.rows(_PERFORMERS, (vt_id,))
        spec = VisitSpec(id=vt_id, code=vt_code, duration_min=duration, buffer_before_min=before,
                         buffer_after_min=after, room_kind=RoomKind(room_kind),
                         provider_ids=frozenset(int(p) for (p,) in performers))
        return spec, bool(active)

    def rooms(self, kind: RoomKind) -> list[RoomSpec]:
        return [RoomSpec(r[0] or 0, r[1], RoomKind(r[2]))
                for r in self.reader.rows(_ROOMS_OF_KIND, (kind.value,))]

    def templates(self, provider_ids: Collection[int]) -> list[TemplateSpec]:
        ids = list(provider_ids)
        rows = self.reader.rows(_TEMPLATES.format(ids=", ".join("?" * len(ids))), ids)
        return [TemplateSpec(t_id, provider, location, rule, zone, time.fromisoformat(begins),
                             time.fromisoformat(ends), date.fromisoformat(valid_from),
                             None if valid_until is None else date.fromisoformat(valid_until))
                for (t_id, provider, location, rule, zone, begins, ends, valid_from,
                     valid_until) in rows]

    def closures(self, start: datetime, end: datetime) -> list[ClosureSpec]:
        rows = self.reader.rows(_CLOSURES, (stored(end), stored(start)))
        return [ClosureSpec(_utc(a), _utc(b), provider, location)
                for a, b, provider, location in rows]

    def busy(self, *, start: datetime, end: datetime, now: datetime,
             provider_ids: Collection[int], room_ids: Collection[int]) -> list[BusySpan]:
        sql, params = busy_statement(start=start, end=end, now=now, provider_ids=provider_ids,
                                     room_ids=room_ids)
        return busy_spans(self.reader.rows(sql, params))

    def names(self) -> SlotNames:
        rows = self.reader.rows
        return SlotNames(
            {r[0] or 0: r[1] for r in rows("SELECT id, name FROM provider")},
            {r[0] or 0: (r[1], r[2]) for r in rows("SELECT id, name, timezone FROM location")},
            {r[0] or 0: r[1] for r in rows("SELECT id, name FROM room")},
        )


def _utc(value: str) -> datetime:
    found = utc(value)
    assert found is not None  # a NOT NULL column
    return found
