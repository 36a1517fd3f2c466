"""Availability rules, each test named for the rule it checks. Pure: no database."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from frontdesk.domain.availability import (
    Covering,
    SlotQuery,
    ceil_to_step,
    expand_template,
    free_slots,
    subtract,
    working_spans,
)
from frontdesk.domain.model import (
    BusySpan,
    ClosureSpec,
    Interval,
    RoomKind,
    RoomSpec,
    TemplateSpec,
    VisitSpec,
)
from frontdesk.domain.settings import BookingRules

CHI = ZoneInfo("America/Chicago")
WEEKDAYS = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
NO_NOTICE = BookingRules(min_notice_min=0, horizon_days=365)

DIAGNOSTIC = VisitSpec(id=1, code="facet-diagnostic", duration_min=30, buffer_before_min=15,
                       buffer_after_min=15, room_kind=RoomKind.PROCEDURE,
                       provider_ids=frozenset({1, 2}))
SHORT = VisitSpec(id=2, code="short", duration_min=15, buffer_before_min=0, buffer_after_min=0,
                  room_kind=RoomKind.EXAM, provider_ids=frozenset({1, 2}))
SUITE_A = RoomSpec(id=10, location_id=100, kind=RoomKind.PROCEDURE)
SUITE_B = RoomSpec(id=20, location_id=200, kind=RoomKind.PROCEDURE)
EXAM_A = RoomSpec(id=11, location_id=100, kind=RoomKind.EXAM)


def local(day: date, hour: int, minute: int = 0, fold: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), CHI).replace(fold=fold).astimezone(UTC)


def template(provider: int = 1, location: int = 100, rule: str = WEEKDAYS,
             start: time = time(8), end: time = time(12)) -> TemplateSpec:
    return TemplateSpec(id=provider * 1000 + location, provider_id=provider, location_id=location,
                        rrule=rule, zone="America/Chicago", start_time=start, end_time=end,
                        valid_from=date(2026, 1, 1))


def day_query(day: date, visit: VisitSpec = DIAGNOSTIC, rules: BookingRules = NO_NOTICE,
              now: datetime | None = None, **kwargs: object) -> SlotQuery:
    window = Interval(local(day, 0), local(day + timedelta(days=1), 0))
    return SlotQuery(visit=visit, window=window, now=now or local(day, 0) - timedelta(days=1),
                     rules=rules, **kwargs)  # type: ignore[arg-type]


WED = date(2027, 3, 10)


def starts(slots: list) -> list[str]:  # type: ignore[type-arg]
    return [f"{s.start.astimezone(CHI):%H:%M}" for s in slots]


def test_slots_step_through_the_template_and_fit_before_its_end() -> None:
    slots = free_slots(day_query(WED), templates=[template()], closures=[], rooms=[SUITE_A],
                       busy=[])
    got = starts(slots)
    assert got[0] == "08:00"
    assert got[-1] == "11:30"  # a 30-minute visit must end by 12:00
    assert len(got) == 15


def test_a_lunch_break_is_simply_two_templates() -> None:
    afternoon = template(start=time(13), end=time(17))
    slots = free_slots(day_query(WED), templates=[template(), afternoon], closures=[],
                       rooms=[SUITE_A], busy=[])
    assert "12:00" not in starts(slots)
    assert "12:30" not in starts(slots)
    assert "13:00" in starts(slots)


def test_no_slot_without_a_room_of_the_needed_kind() -> None:
    assert free_slots(day_query(WED), templates=[template()], closures=[], rooms=[EXAM_A],
                      busy=[]) == []


def test_no_slot_for_a_provider_who_does_not_perform_the_visit() -> None:
    assert free_slots(day_query(WED), templates=[template(provider=3)], closures=[],
                      rooms=[SUITE_A], busy=[]) == []


def test_weekend_has_no_weekday_template_slots() -> None:
    assert free_slots(day_query(date(2027, 3, 13)), templates=[template()], closures=[],
                      rooms=[SUITE_A], busy=[]) == []


def test_booked_provider_time_plus_buffers_is_not_offered() -> None:
    # Provider 1 busy 09:00-09:30 with 15-minute buffers each side: block 08:45-09:45.
    busy = [BusySpan(1, 99, local(WED, 8, 45), local(WED, 9, 45))]
    slots = free_slots(day_query(WED), templates=[template()], closures=[], rooms=[SUITE_A],
                       busy=busy)
    got = starts(slots)
    # A new visit's own block (start-15 .. end+15) must not touch 08:45-09:45.
    assert "08:00" in got  # block 07:45-08:45 ends exactly where the other begins
    assert "08:15" not in got
    assert "09:30" not in got
    assert "10:00" in got  # block 09:45-10:45


def test_a_busy_room_blocks_every_provider_at_that_location() -> None:
    busy = [BusySpan(2, SUITE_A.id, local(WED, 8), local(WED, 12))]
    slots = free_slots(day_query(WED), templates=[template(provider=1)], closures=[],
                       rooms=[SUITE_A], busy=busy)
    assert slots == []


def test_a_second_room_of_the_kind_is_used_when_the_first_is_busy() -> None:
    suite2 = RoomSpec(id=12, location_id=100, kind=RoomKind.PROCEDURE)
    busy = [BusySpan(2, SUITE_A.id, local(WED, 8), local(WED, 12))]
    slots = free_slots(day_query(WED), templates=[template(provider=1)], closures=[],
                       rooms=[SUITE_A, suite2], busy=busy)
    assert slots
    assert {s.room_id for s in slots} == {12}


def test_practice_holiday_closes_every_provider() -> None:
    holiday = ClosureSpec(local(WED, 0), local(WED + timedelta(days=1), 0))
    assert free_slots(day_query(WED), templates=[template(1), template(2)],
                      closures=[holiday], rooms=[SUITE_A], busy=[]) == []


def test_provider_time_off_closes_only_that_provider() -> None:
    off = ClosureSpec(local(WED, 0), local(WED + timedelta(days=1), 0), provider_id=1)
    slots = free_slots(day_query(WED), templates=[template(1), template(2)], closures=[off],
                       rooms=[SUITE_A], busy=[])
    assert {s.provider_id for s in slots} == {2}


def test_partial_closure_cuts_the_morning() -> None:
    meeting = ClosureSpec(local(WED, 9), local(WED, 10), location_id=100)
    got = starts(free_slots(day_query(WED), templates=[template()], closures=[meeting],
                            rooms=[SUITE_A], busy=[]))
    assert "08:30" in got  # ends 09:00
    assert "08:45" not in got  # would end 09:15
    assert "09:45" not in got
    assert "10:00" in got


def test_minimum_notice_hides_slots_too_soon() -> None:
    rules = BookingRules(min_notice_min=120, horizon_days=365)
    slots = free_slots(day_query(WED, rules=rules, now=local(WED, 8, 10)),
                       templates=[template()], closures=[], rooms=[SUITE_A], busy=[])
    assert starts(slots)[0] == "10:15"


def test_horizon_hides_slots_too_far_ahead() -> None:
    rules = BookingRules(min_notice_min=0, horizon_days=30)
    far = WED + timedelta(days=31)
    assert free_slots(day_query(far, rules=rules, now=local(WED, 8)), templates=[template()],
                      closures=[], rooms=[SUITE_A], busy=[]) == []


def test_template_valid_until_ends_the_rotation() -> None:
    ended = TemplateSpec(id=1, provider_id=1, location_id=100, rrule=WEEKDAYS,
                         zone="America/Chicago", start_time=time(8), end_time=time(12),
                         valid_from=date(2026, 1, 1), valid_until=date(2027, 3, 9))
    assert free_slots(day_query(WED), templates=[ended], closures=[], rooms=[SUITE_A],
                      busy=[]) == []


def test_ranking_is_earliest_first_by_default() -> None:
    slots = free_slots(day_query(WED), templates=[template(1, 100), template(2, 200,
                       start=time(7))], closures=[], rooms=[SUITE_A, SUITE_B], busy=[])
    assert slots[0].location_id == 200
    assert [s.start for s in slots] == sorted(s.start for s in slots)


def test_preferred_location_ranks_first_when_asked() -> None:
    slots = free_slots(day_query(WED, preferred_location_id=100),
                       templates=[template(1, 100, start=time(10)), template(2, 200)],
                       closures=[], rooms=[SUITE_A, SUITE_B], busy=[])
    assert slots[0].location_id == 100
    assert slots[0].at_preferred_location
    first_other = next(i for i, s in enumerate(slots) if s.location_id == 200)
    assert all(s.location_id == 100 for s in slots[:first_other])


def test_previous_provider_ranks_first_when_asked() -> None:
    slots = free_slots(day_query(WED, previous_provider_id=2),
                       templates=[template(1, 100), template(2, 200, start=time(10))],
                       closures=[], rooms=[SUITE_A, SUITE_B], busy=[])
    assert slots[0].provider_id == 2
    assert slots[0].with_previous_provider


def test_limit_keeps_the_best() -> None:
    slots = free_slots(day_query(WED), templates=[template()], closures=[], rooms=[SUITE_A],
                       busy=[], limit=3)
    assert starts(slots) == ["08:00", "08:15", "08:30"]


def test_location_and_provider_filters() -> None:
    both = [template(1, 100), template(2, 200)]
    by_loc = free_slots(day_query(WED, location_ids=frozenset({200})), templates=both,
                        closures=[], rooms=[SUITE_A, SUITE_B], busy=[])
    assert {s.location_id for s in by_loc} == {200}
    by_prov = free_slots(day_query(WED, provider_ids=frozenset({1})), templates=both,
                         closures=[], rooms=[SUITE_A, SUITE_B], busy=[])
    assert {s.provider_id for s in by_prov} == {1}


# --------------------------------------------------------------------------- DST, 2027


SPRING = date(2027, 3, 14)  # 02:00 CST -> 03:00 CDT
FALL = date(2027, 11, 7)  # 02:00 CDT -> 01:00 CST
SUNDAYS = "FREQ=WEEKLY;BYDAY=SU"


def test_spring_forward_day_loses_the_missing_hour() -> None:
    night = template(rule=SUNDAYS, start=time(1), end=time(4))
    slots = free_slots(day_query(SPRING, visit=SHORT), templates=[night], closures=[],
                       rooms=[EXAM_A], busy=[])
    # 01:00 CST (07:00 UTC) to 04:00 CDT (09:00 UTC): two real hours, eight 15-minute slots.
    assert len(slots) == 8
    assert starts(slots) == ["01:00", "01:15", "01:30", "01:45", "03:00", "03:15", "03:30",
                             "03:45"]
    assert slots[0].start == datetime(2027, 3, 14, 7, 0, tzinfo=UTC)
    assert all(s.end - s.start == timedelta(minutes=15) for s in slots)


def test_fall_back_day_has_the_repeated_hour_twice() -> None:
    night = template(rule=SUNDAYS, start=time(1), end=time(4))
    slots = free_slots(day_query(FALL, visit=SHORT), templates=[night], closures=[],
                       rooms=[EXAM_A], busy=[])
    # 01:00 CDT (06:00 UTC) to 04:00 CST (10:00 UTC): four real hours.
    assert len(slots) == 16
    assert starts(slots)[:8] == ["01:00", "01:15", "01:30", "01:45"] * 2
    assert len({s.start for s in slots}) == 16  # distinct instants despite equal wall times


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [
        (date(2027, 3, 12), 14),  # Friday before spring forward: CST, UTC-6
        (date(2027, 3, 15), 13),  # Monday after: CDT, UTC-5
        (date(2027, 11, 5), 13),  # Friday before fall back: CDT
        (date(2027, 11, 8), 14),  # Monday after: CST
    ],
)
def test_eight_oclock_local_is_the_right_utc_instant_around_dst(day: date, utc_hour: int) -> None:
    slots = free_slots(day_query(day), templates=[template()], closures=[], rooms=[SUITE_A],
                       busy=[])
    assert slots[0].start == datetime(day.year, day.month, day.day, utc_hour, tzinfo=UTC)
    assert f"{slots[0].start.astimezone(CHI):%H:%M}" == "08:00"


@pytest.mark.parametrize("day", [SPRING, FALL])
def test_dst_day_window_is_the_local_calendar_day(day: date) -> None:
    allday = template(rule=SUNDAYS, start=time(0), end=time(23, 45))
    slots = free_slots(day_query(day, visit=SHORT), templates=[allday], closures=[],
                       rooms=[EXAM_A], busy=[])
    hours = 23 if day == SPRING else 25
    expected = hours * 4 - 1  # up to 23:30 start (visit must end by 23:45)
    assert len(slots) == expected
    assert all(s.start.astimezone(CHI).date() == day for s in slots)


def test_closure_across_a_dst_change_cuts_real_hours() -> None:
    night = template(rule=SUNDAYS, start=time(0), end=time(6))
    closed = ClosureSpec(local(FALL, 1), local(FALL, 1, fold=1))  # the first 01:00-01:00 hour
    slots = free_slots(day_query(FALL, visit=SHORT), templates=[night], closures=[closed],
                       rooms=[EXAM_A], busy=[])
    utc = {s.start for s in slots}
    assert datetime(2027, 11, 7, 6, 0, tzinfo=UTC) not in utc  # 01:00 CDT closed
    assert datetime(2027, 11, 7, 7, 0, tzinfo=UTC) in utc  # 01:00 CST open


# --------------------------------------------------------------------------- helpers


def test_expand_template_gives_whole_spans_touching_the_window() -> None:
    window = Interval(local(WED, 10), local(WED, 11))
    spans = expand_template(template(), window)
    assert spans == [Interval(local(WED, 8), local(WED, 12))]


def test_subtract_cuts_holes() -> None:
    a = datetime(2027, 1, 1, tzinfo=UTC)
    h = timedelta(hours=1)
    got = subtract([Interval(a, a + 4 * h)], [Interval(a + h, a + 2 * h)])
    assert got == [Interval(a, a + h), Interval(a + 2 * h, a + 4 * h)]


def test_ceil_to_step() -> None:
    a = datetime(2027, 1, 1, 8, 1, tzinfo=UTC)
    assert ceil_to_step(a, timedelta(minutes=15)) == a.replace(minute=15)
    assert ceil_to_step(a.replace(minute=15), timedelta(minutes=15)) == a.replace(minute=15)


def working(day: date, closures: list[ClosureSpec], *, location: int = 100) -> Covering:
    """Provider 1's working time at ``location`` that week: 08-12 and 12-17 as two templates."""
    week = Interval(local(day, 0), local(day + timedelta(days=7), 0))
    templates = [template(), template(start=time(12), end=time(17))]
    return Covering(working_spans(templates, closures, week, provider_id=1,
                                  location_id=location))


def test_a_visit_is_in_working_time_only_wholly_inside_one_piece_of_it() -> None:
    week = working(WED, [])
    assert week.covers(local(WED, 8), local(WED, 8, 20))
    assert week.covers(local(WED, 11, 40), local(WED, 12))
    assert not week.covers(local(WED, 11, 50), local(WED, 12, 10))  # two templates: two pieces
    assert not week.covers(local(WED, 7, 50), local(WED, 8, 10))
    assert not week.covers(local(WED, 17), local(WED, 17, 20))
    assert not week.covers(local(WED + timedelta(days=3), 9), local(WED + timedelta(days=3), 10))


def test_a_closure_cuts_working_time_only_for_whom_and_where_it_applies() -> None:
    time_off = ClosureSpec(local(WED, 9), local(WED, 10), provider_id=1)
    elsewhere = ClosureSpec(local(WED, 13), local(WED, 14), location_id=200)
    someone_else = ClosureSpec(local(WED, 15), local(WED, 16), provider_id=2)
    week = working(WED, [time_off, elsewhere, someone_else])
    assert not week.covers(local(WED, 9, 30), local(WED, 9, 50))
    assert not week.covers(local(WED, 8, 50), local(WED, 9, 10))  # partly inside
    assert week.covers(local(WED, 10), local(WED, 10, 20))
    assert week.covers(local(WED, 13), local(WED, 13, 20))
    assert week.covers(local(WED, 15), local(WED, 15, 20))
    assert not Covering([]).covers(local(WED, 9), local(WED, 10))

