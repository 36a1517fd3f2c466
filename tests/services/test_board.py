"""Every location's day on SQLite and PostgreSQL: counts by status, who works, next open slots."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from frontdesk.domain.model import Status
from frontdesk.services import scheduling
from frontdesk.services.board import LocationSummary, all_locations
from frontdesk.services.context import Context
from tests.conftest import FrozenClock
from tests.practice import CHICAGO, Practice
from tests.ui.conftest import add_location

WED = date(2027, 3, 10)  # the frozen clock's day; 09:00 in Tulsa
TULSA = ZoneInfo(CHICAGO)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), TULSA).astimezone(UTC)


def book(ctx: Context, p: Practice, *, hour: int, provider: int, visit: str = "follow-up",
         day: date = WED, patient: int | None = None) -> int:
    """A visit for Testcase (or ``patient``); the board's counts are the point here, so the
    same-day and already-booked warnings are read and accepted."""
    return scheduling.book(ctx, staff=p.staff, patient_id=patient or p.patient_id,
                           visit_type=visit, provider_id=provider, location_id=p.location_id,
                           start=local(day, hour),
                           accept_warnings=scheduling.WARNING_CODES).id


def only(ctx: Context, day: date = WED) -> LocationSummary:
    [summary] = all_locations(ctx, day=day)
    return summary


def next_start(summary: LocationSummary, code: str) -> datetime | None:
    [found] = [n for n in summary.next_slots if n.visit_code == code]
    return None if found.slot is None else found.slot.start


def test_counts_each_status_of_the_day(ctx: Context, practice: Practice) -> None:
    book(ctx, practice, hour=10, provider=practice.able)
    arrived = book(ctx, practice, hour=10, provider=practice.baker,
                   patient=practice.other_patient_id)
    cancelled = book(ctx, practice, hour=11, provider=practice.able)
    book(ctx, practice, hour=11, provider=practice.able, day=date(2027, 3, 11))  # another day
    scheduling.set_status(ctx, staff=practice.staff, appointment_id=arrived,
                          status=Status.CHECKED_IN)
    scheduling.cancel(ctx, staff=practice.staff, appointment_id=cancelled, reason="ill")
    summary = only(ctx)
    assert summary.location.name == "Test Clinic"
    assert summary.count(Status.BOOKED) == 1
    assert summary.count(Status.CHECKED_IN) == 1
    assert summary.count(Status.CANCELLED) == 1
    assert summary.count(Status.COMPLETED) == 0
    assert summary.visits == 2  # the cancelled visit no longer holds its time


def test_lists_who_works_there_that_day(ctx: Context, practice: Practice) -> None:
    assert only(ctx).providers == ("Dr. Avery Able", "Pat Baker, PA-C")
    assert only(ctx, date(2027, 3, 13)).providers == ()  # Saturday


def test_the_next_open_slot_moves_on_once_it_is_booked(ctx: Context, practice: Practice) -> None:
    first = only(ctx).next_slots
    [follow_up] = [n for n in first if n.visit_code == "follow-up"]
    assert follow_up.slot is not None
    assert follow_up.slot.start >= local(WED, 9)  # never before now
    scheduling.book(ctx, staff=practice.staff, patient_id=practice.patient_id,
                    visit_type="follow-up", provider_id=follow_up.slot.provider_id,
                    location_id=practice.location_id, start=follow_up.slot.start)
    after = only(ctx)
    again = scheduling.find_slots(ctx, visit_type="follow-up", start=local(WED, 9),
                                  location_ids=[practice.location_id], limit=1)[0]
    assert next_start(after, "follow-up") == again.start
    [moved] = [n for n in after.next_slots if n.visit_code == "follow-up"]
    assert moved.slot is not None
    assert (moved.slot.start, moved.slot.provider_id) != (follow_up.slot.start,
                                                          follow_up.slot.provider_id)


def test_a_later_day_looks_from_that_day_on(ctx: Context, practice: Practice) -> None:
    assert next_start(only(ctx, date(2027, 3, 15)), "follow-up") == local(date(2027, 3, 15), 8)


def test_a_past_day_looks_from_now(ctx: Context, practice: Practice,
                                   clock: FrozenClock) -> None:
    start = next_start(only(ctx, date(2027, 3, 1)), "new-patient")
    assert start is not None
    assert start >= clock.now


def test_a_visit_type_nobody_can_do_there_says_none(ctx: Context, practice: Practice) -> None:
    summary = only(ctx)
    assert [n.visit_code for n in summary.next_slots][-1] == "massage"
    assert next_start(summary, "massage") is None  # the therapist has no hours


def test_only_visit_types_with_a_room_there_are_listed(ctx: Context, practice: Practice) -> None:
    add_location(ctx, practice, "Owasso")  # one exam room, Pat Baker 17:00-18:00
    main, owasso = all_locations(ctx, day=WED)
    assert "facet-diagnostic" in [n.visit_code for n in main.next_slots]
    assert "facet-diagnostic" not in [n.visit_code for n in owasso.next_slots]
    assert next_start(owasso, "follow-up") == local(WED, 17)
    assert owasso.providers == ("Pat Baker, PA-C",)
