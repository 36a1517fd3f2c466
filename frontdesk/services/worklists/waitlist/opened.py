"""Time the hours editor opened: a provider's working time before a change and after it, and
the difference as stretches to match against the waitlist (new hours, a longer day, a closure
removed). What a change closes is the editor's own business (it asks about stranded visits)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import col, select

from frontdesk.db import queries as q
from frontdesk.db.engine import read_session
from frontdesk.db.models import Location
from frontdesk.domain.availability import subtract, working_spans
from frontdesk.domain.model import Interval
from frontdesk.services.context import Context
from frontdesk.services.worklists.waitlist.matching import (
    Match,
    OpenedTime,
    audit_matches,
    match,
    rank,
)

#: How far ahead opened time is looked for (a waitlist is about soon).
OPENED_DAYS = 28
#: Opened stretches matched at most, soonest first (each is one ``match``).
STRETCHES_AT_MOST = 12


@dataclass(frozen=True, slots=True)
class Hours:
    """One provider's working time ahead, as read at ``at``: (location id, start, end)."""

    provider_id: int
    at: datetime
    pieces: tuple[tuple[int, datetime, datetime], ...]


def hours_of(ctx: Context, provider_id: int, *, days: int = OPENED_DAYS) -> Hours:
    """The provider's working time over the next ``days`` at each location (templates minus
    closures, as the calendar offers it)."""
    now = ctx.now()
    window = Interval(now, now + timedelta(days=days))
    with read_session(ctx.engine) as session:
        templates = q.templates_for(session, [provider_id])
        closures = q.closures_between(session, window.start, window.end)
        places = [loc.id or 0 for loc in session.exec(
            select(Location).where(col(Location.active)))]
    pieces = tuple(
        (place, piece.start, piece.end) for place in places
        for piece in working_spans(templates, closures, window, provider_id=provider_id,
                                   location_id=place))
    return Hours(provider_id, now, pieces)


def opened_since(ctx: Context, before: Hours) -> list[OpenedTime]:
    """The working time the provider has now and did not have in ``before``, still ahead,
    soonest first."""
    after = hours_of(ctx, before.provider_id)
    now = ctx.now()
    found: list[OpenedTime] = []
    for place in {p[0] for p in after.pieces}:
        old = [Interval(s, e) for loc, s, e in before.pieces if loc == place]
        new = [Interval(max(s, now), e) for loc, s, e in after.pieces if loc == place and e > now]
        found += [OpenedTime(before.provider_id, place, piece.start, piece.end)
                  for piece in subtract(new, old) if piece.end > piece.start]
    return sorted(found, key=lambda o: o.start)[:STRETCHES_AT_MOST]


def match_opened(ctx: Context, *, by: str, opened: list[OpenedTime], limit: int = 20,
                 audit: bool = True) -> list[Match]:
    """Who on the waitlist the opened stretches suit, each entry once (at its soonest suiting
    start), best first as :func:`~.matching.match` ranks (audited as it is)."""
    best: dict[int, Match] = {}
    for stretch in opened:
        for found in match(ctx, by=by, opened=stretch, limit=limit, audit=False):
            best.setdefault(found.entry.id, found)
    chosen = rank(best.values())[:limit]
    if chosen and audit:
        audit_matches(ctx, by=by, rows=len(chosen))
    return chosen
