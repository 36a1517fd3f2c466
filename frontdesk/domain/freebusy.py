"""A provider's free and busy time at one location: working hours cut by closures and visits.

What a FHIR export's Slots say for the coming weeks: inside the working hours, each stretch is
``busy-unavailable`` (a holiday, the location closed, the provider's time off), ``busy`` (a
visit, with its buffers, holds included) or ``free``. Outside the working hours nothing is said.
Pure: the caller gathers the spans (aware UTC) and gives the window.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import StrEnum

from frontdesk.domain.model import Interval


class FreeBusy(StrEnum):
    """FHIR's slot status codes (the ones that say something)."""

    FREE = "free"
    BUSY = "busy"
    UNAVAILABLE = "busy-unavailable"


def merged(spans: Iterable[Interval]) -> list[Interval]:
    """Overlapping or touching spans joined, in time order."""
    out: list[Interval] = []
    for span in sorted(spans, key=lambda s: (s.start, s.end)):
        if out and span.start <= out[-1].end:
            if span.end > out[-1].end:
                out[-1] = Interval(out[-1].start, span.end)
        else:
            out.append(span)
    return out


def free_busy(work: Iterable[Interval], *, window: Interval, closed: Sequence[Interval],
              busy: Sequence[Interval]) -> list[tuple[Interval, FreeBusy]]:
    """The working hours inside ``window``, cut into free, busy and unavailable stretches.

    A closure wins over a visit (the time is not the practice's to give); neighbouring
    stretches of one status are joined, so a morning of back-to-back visits is one busy slot.
    """
    hours = [Interval(max(s.start, window.start), min(s.end, window.end))
             for s in merged(work) if s.overlaps(window)]
    closed_m, busy_m = merged(closed), merged(busy)
    out: list[tuple[Interval, FreeBusy]] = []
    for span in hours:
        cuts = {span.start, span.end}
        for hole in (*closed_m, *busy_m):
            if hole.overlaps(span):
                cuts.update(t for t in (hole.start, hole.end) if span.start < t < span.end)
        points = sorted(cuts)
        for start, end in zip(points, points[1:], strict=False):
            piece = Interval(start, end)
            status = (FreeBusy.UNAVAILABLE if _inside(piece, closed_m)
                      else FreeBusy.BUSY if _inside(piece, busy_m) else FreeBusy.FREE)
            if out and out[-1][1] is status and out[-1][0].end == start:
                out[-1] = (Interval(out[-1][0].start, end), status)
            else:
                out.append((piece, status))
    return out


def _inside(piece: Interval, spans: Sequence[Interval]) -> bool:
    """Whether ``piece`` (never cut by a span's edge) lies inside one of ``spans``."""
    return any(s.start <= piece.start and piece.end <= s.end for s in spans)
