"""Finding free slots: the best few starts for a visit type across providers and locations,
ranked by the patient's preferred location and previous provider. The search itself is
:mod:`frontdesk.services.slot_search` (shared with the command line's light way); what is here
is how the full way reads."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from frontdesk.db import queries as q
from frontdesk.db.engine import read_session
from frontdesk.db.models import VisitType
from frontdesk.domain.model import (
    BusySpan,
    ClosureSpec,
    RoomKind,
    RoomSpec,
    TemplateSpec,
    VisitSpec,
)
from frontdesk.services import slot_search
from frontdesk.services.context import Context
from frontdesk.services.slot_search import SlotNames
from frontdesk.services.views import SlotView


def find_slots(
    ctx: Context,
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
    """The best ``limit`` free slots for a visit type across providers and locations.

    Scans forward in growing chunks and stops as soon as no later slot could rank higher, so the
    common case reads one or two days of bookings, not the whole window.
    """
    now = ctx.now()
    with read_session(ctx.engine) as session:
        return slot_search.find(
            _Reads(session), now=now, rules=ctx.settings.booking, visit_type=visit_type,
            start=start, days=days, location_ids=location_ids, provider_ids=provider_ids,
            preferred_location_id=preferred_location_id,
            previous_provider_id=previous_provider_id, limit=limit)


@dataclass(frozen=True)
class _Reads:
    """:class:`~frontdesk.services.slot_search.SlotReads` through one read session."""

    session: Session

    def visit(self, code: str) -> tuple[VisitSpec, bool] | None:
        vt = q.visit_type_by_code(self.session, code)
        return None if vt is None else (q.visit_spec(self.session, vt), vt.active)

    def rooms(self, kind: RoomKind) -> list[RoomSpec]:
        return q.room_specs(self.session, kind=kind)

    def templates(self, provider_ids: Collection[int]) -> list[TemplateSpec]:
        return q.templates_for(self.session, provider_ids)

    def closures(self, start: datetime, end: datetime) -> list[ClosureSpec]:
        return q.closures_between(self.session, start, end)

    def busy(self, *, start: datetime, end: datetime, now: datetime,
             provider_ids: Collection[int], room_ids: Collection[int]) -> list[BusySpan]:
        return q.busy_between(self.session, start=start, end=end, now=now,
                              provider_ids=provider_ids, room_ids=room_ids)

    def names(self) -> SlotNames:
        return SlotNames(*q.names(self.session))


def _visit_type(session: Session, code: str) -> VisitType:
    vt = q.visit_type_by_code(session, code)
    if vt is None:
        raise slot_search.unknown_visit_type(code)
    if not vt.active:
        raise slot_search.retired_visit_type(vt.code)
    return vt
