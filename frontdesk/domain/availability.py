"""Free slots: templates minus closures, checked against provider and room bookings.

Everything is computed on aware UTC instants. Templates are expanded on local calendar dates in
the location's zone and converted to UTC, so a DST day is simply a 23- or 25-hour day.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import accumulate
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

from frontdesk.domain.model import (
    BusySpan,
    ClosureSpec,
    Interval,
    RoomSpec,
    Slot,
    TemplateSpec,
    VisitSpec,
)
from frontdesk.domain.settings import BookingRules


@lru_cache(maxsize=4096)
def _rule(text: str, dtstart: datetime) -> rrule:
    parsed = rrulestr(text, dtstart=dtstart)
    assert isinstance(parsed, rrule)
    return parsed


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_instant(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time; a time inside a spring-forward gap moves forward."""
    naive = datetime.combine(day, at)
    instant = naive.replace(tzinfo=tz).astimezone(UTC)
    return instant


#: Occurrence days are cached in blocks of this many days counted from the rule's start.
_BLOCK_DAYS = 366


@lru_cache(maxsize=4096)
def _days(text: str, valid_from: date, block: int) -> tuple[date, ...]:
    """The rule's dates in one block. dateutil's ``between`` walks every occurrence from the
    rule's start, so a template that began two years ago cost ~1 ms per call; this walks once."""
    first = valid_from + timedelta(days=block * _BLOCK_DAYS)
    last = first + timedelta(days=_BLOCK_DAYS - 1)
    rule = _rule(text, datetime.combine(valid_from, time()))
    return tuple(
        o.date()
        for o in rule.between(datetime.combine(first, time()),
                              datetime.combine(last, time(23, 59)), inc=True)
    )


def expand_template(template: TemplateSpec, window: Interval) -> list[Interval]:
    """Whole working intervals (UTC) of one template that touch the window (not clipped)."""
    tz = zone(template.zone)
    first_day = max(template.valid_from, window.start.astimezone(tz).date() - timedelta(days=1))
    last_day = window.end.astimezone(tz).date()
    if template.valid_until is not None:
        last_day = min(last_day, template.valid_until)
    if first_day > last_day:
        return []
    out: list[Interval] = []
    first_block = (first_day - template.valid_from).days // _BLOCK_DAYS
    last_block = (last_day - template.valid_from).days // _BLOCK_DAYS
    for block in range(first_block, last_block + 1):
        days = _days(template.rrule, template.valid_from, block)
        for day in days[bisect_left(days, first_day):bisect_right(days, last_day)]:
            span = _day_span(day, template.start_time, template.end_time, tz)
            if span is not None and span.overlaps(window):
                out.append(span)
    return out


@lru_cache(maxsize=65536)
def _day_span(day: date, start: time, end: time, tz: ZoneInfo) -> Interval | None:
    """One day's working interval in UTC (cached: the slot search asks for it again and again)."""
    span = Interval(local_instant(day, start, tz), local_instant(day, end, tz))
    return span if span.start < span.end else None


def subtract(spans: Iterable[Interval], holes: Sequence[Interval]) -> list[Interval]:
    """Spans with every hole cut out."""
    result: list[Interval] = []
    for span in spans:
        pieces = [span]
        for hole in holes:
            next_pieces: list[Interval] = []
            for piece in pieces:
                if not piece.overlaps(hole):
                    next_pieces.append(piece)
                    continue
                if piece.start < hole.start:
                    next_pieces.append(Interval(piece.start, hole.start))
                if hole.end < piece.end:
                    next_pieces.append(Interval(hole.end, piece.end))
            pieces = next_pieces
        result.extend(pieces)
    return result


def working_spans(templates: Iterable[TemplateSpec], closures: Iterable[ClosureSpec],
                  window: Interval, *, provider_id: int, location_id: int) -> list[Interval]:
    """One provider's working time at one location touching ``window``: their templates there
    minus the closures that apply to them, as whole pieces (not clipped), earliest first."""
    holes = [Interval(c.start, c.end) for c in closures
             if (c.provider_id is None or c.provider_id == provider_id)
             and (c.location_id is None or c.location_id == location_id)
             and Interval(c.start, c.end).overlaps(window)]
    pieces = [piece for t in templates
              if t.provider_id == provider_id and t.location_id == location_id
              for piece in subtract(expand_template(t, window), holes)]
    return sorted(pieces, key=lambda p: (p.start, p.end))


class Covering:
    """Whether a span lies wholly inside one of some pieces of working time, in O(log n): what
    makes a booked visit "in working time" (the hours editor's check, the needs-attention
    list's)."""

    __slots__ = ("_ends_max", "_starts")

    def __init__(self, pieces: Sequence[Interval]) -> None:
        ordered = sorted(pieces, key=lambda p: (p.start, p.end))
        self._starts = [p.start for p in ordered]
        self._ends_max = list(accumulate((p.end for p in ordered), max))

    def covers(self, start: datetime, end: datetime) -> bool:
        i = bisect_right(self._starts, start)  # the pieces starting at or before ``start``
        return i > 0 and self._ends_max[i - 1] >= end


class _Busy:
    """Blocked spans of one resource, answering "is [a, b) free?" in O(log n)."""

    __slots__ = ("_ends_max", "_starts")

    def __init__(self, spans: Iterable[tuple[datetime, datetime]]) -> None:
        ordered = sorted(spans)
        self._starts = [s for s, _ in ordered]
        self._ends_max = list(accumulate((e for _, e in ordered), max))

    def is_free(self, start: datetime, end: datetime) -> bool:
        i = bisect_left(self._starts, end)  # spans starting before `end`
        return i == 0 or self._ends_max[i - 1] <= start


def ceil_to_step(moment: datetime, step: timedelta) -> datetime:
    """Round up to the next multiple of step past the hour (UTC; offsets are whole hours here)."""
    base = moment.replace(minute=0, second=0, microsecond=0)
    elapsed = moment - base
    steps = -(-elapsed // step)
    return base + steps * step


@dataclass(frozen=True, slots=True)
class SlotQuery:
    visit: VisitSpec
    window: Interval
    now: datetime
    rules: BookingRules
    location_ids: frozenset[int] | None = None
    provider_ids: frozenset[int] | None = None
    preferred_location_id: int | None = None
    previous_provider_id: int | None = None


def bookable_window(query: SlotQuery) -> Interval | None:
    """The query window cut to minimum notice and the booking horizon."""
    rules = query.rules
    earliest = query.now + timedelta(minutes=rules.min_notice_min)
    latest = query.now + timedelta(days=rules.horizon_days)
    start = max(query.window.start, earliest)
    end = min(query.window.end, latest)
    return Interval(start, end) if start < end else None


def free_slots(
    query: SlotQuery,
    *,
    templates: Sequence[TemplateSpec],
    closures: Sequence[ClosureSpec],
    rooms: Sequence[RoomSpec],
    busy: Sequence[BusySpan],
    limit: int | None = None,
) -> list[Slot]:
    """Every free start inside the window for the visit, best first.

    A start is offered when the visit lies inside the provider's template at that location, not
    in a closure, after minimum notice and inside the horizon, and the visit with its buffers
    overlaps nothing on the provider's calendar or on one room of the kind the visit needs.
    Ranked: at the preferred location first (when asked), then with the previous provider (when
    asked), then earliest.
    """
    window = bookable_window(query)
    if window is None:
        return []
    visit = query.visit
    step = timedelta(minutes=query.rules.slot_step_min)
    duration = timedelta(minutes=visit.duration_min)
    before = timedelta(minutes=visit.buffer_before_min)
    after = timedelta(minutes=visit.buffer_after_min)

    rooms_at: dict[int, list[int]] = defaultdict(list)
    for room in sorted(rooms, key=lambda r: r.id):
        if room.kind == visit.room_kind:
            rooms_at[room.location_id].append(room.id)

    by_provider: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    by_room: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for span in busy:
        by_provider[span.provider_id].append((span.start, span.end))
        if span.room_id is not None:
            by_room[span.room_id].append((span.start, span.end))
    provider_busy = {pid: _Busy(spans) for pid, spans in by_provider.items()}
    room_busy = {rid: _Busy(spans) for rid, spans in by_room.items()}
    nothing = _Busy(())

    slots: list[Slot] = []
    for template in templates:
        pid, lid = template.provider_id, template.location_id
        if pid not in visit.provider_ids or not rooms_at.get(lid):
            continue
        if query.provider_ids is not None and pid not in query.provider_ids:
            continue
        if query.location_ids is not None and lid not in query.location_ids:
            continue
        holes = [
            Interval(c.start, c.end)
            for c in closures
            if (c.provider_id is None or c.provider_id == pid)
            and (c.location_id is None or c.location_id == lid)
        ]
        p_busy = provider_busy.get(pid, nothing)
        for work in subtract(expand_template(template, window), holes):
            start = ceil_to_step(max(work.start, window.start), step)
            while start < window.end and start + duration <= work.end:
                block_start, block_end = start - before, start + duration + after
                if p_busy.is_free(block_start, block_end):
                    for rid in rooms_at[lid]:
                        if room_busy.get(rid, nothing).is_free(block_start, block_end):
                            slots.append(Slot(start, start + duration, pid, lid, rid))
                            break
                start += step
    return rank(slots, query, limit=limit)


def rank(slots: Iterable[Slot], query: SlotQuery, *, limit: int | None = None) -> list[Slot]:
    marked = [
        replace(
            s,
            at_preferred_location=s.location_id == query.preferred_location_id,
            with_previous_provider=s.provider_id == query.previous_provider_id,
        )
        for s in slots
    ]
    marked.sort(key=slot_rank)
    return marked if limit is None else marked[:limit]


def slot_rank(slot: Slot) -> tuple[bool, bool, datetime, int, int]:
    return (
        not slot.at_preferred_location,
        not slot.with_previous_provider,
        slot.start,
        slot.provider_id,
        slot.room_id,
    )
