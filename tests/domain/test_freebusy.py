"""Free and busy stretches inside working hours: closures win over visits, neighbours join."""

from __future__ import annotations

from datetime import UTC, datetime

from frontdesk.domain.freebusy import FreeBusy, free_busy, merged
from frontdesk.domain.model import Interval

FREE, BUSY, CLOSED = FreeBusy.FREE, FreeBusy.BUSY, FreeBusy.UNAVAILABLE


def span(start: int, end: int) -> Interval:
    """Hours of one day (UTC)."""
    return Interval(datetime(2027, 3, 11, start, tzinfo=UTC),
                    datetime(2027, 3, 11, end, tzinfo=UTC))


def hours(found: list[tuple[Interval, FreeBusy]]) -> list[tuple[int, int, FreeBusy]]:
    return [(s.start.hour, s.end.hour, status) for s, status in found]


WHOLE_DAY = span(0, 23)


def test_a_day_without_visits_is_free_inside_the_hours_only() -> None:
    assert hours(free_busy([span(8, 12), span(13, 17)], window=WHOLE_DAY, closed=[],
                           busy=[])) == [(8, 12, FREE), (13, 17, FREE)]


def test_visits_cut_the_hours_and_back_to_back_visits_are_one_busy_stretch() -> None:
    found = free_busy([span(8, 12)], window=WHOLE_DAY, closed=[],
                      busy=[span(9, 10), span(10, 11), span(16, 18)])
    assert hours(found) == [(8, 9, FREE), (9, 11, BUSY), (11, 12, FREE)]


def test_a_closure_wins_over_a_visit_inside_it() -> None:
    found = free_busy([span(8, 12)], window=WHOLE_DAY, closed=[span(7, 10)],
                      busy=[span(9, 11)])
    assert hours(found) == [(8, 10, CLOSED), (10, 11, BUSY), (11, 12, FREE)]


def test_the_window_clips_the_hours() -> None:
    assert hours(free_busy([span(8, 12)], window=span(10, 20), closed=[], busy=[])) == [
        (10, 12, FREE)]


def test_overlapping_hours_are_merged_first() -> None:
    assert merged([span(13, 17), span(8, 12), span(11, 14)]) == [span(8, 17)]
    assert hours(free_busy([span(8, 12), span(12, 14)], window=WHOLE_DAY, closed=[],
                           busy=[])) == [(8, 14, FREE)]
