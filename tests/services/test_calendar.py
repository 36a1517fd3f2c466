"""A location's day grid on SQLite and PostgreSQL: template hours, closures and bookings."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session

from frontdesk.db.engine import run_write
from frontdesk.db.models import Closure, Location, Template
from frontdesk.domain.model import Interval
from frontdesk.services import scheduling
from frontdesk.services.calendar import DEFAULT_HOURS, day_grid
from frontdesk.services.context import Context
from frontdesk.services.errors import InvalidInput
from tests.practice import CHICAGO, Practice

WED = date(2027, 3, 10)
TULSA = ZoneInfo(CHICAGO)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), TULSA).astimezone(UTC)


def add_closure(ctx: Context, *, kind: str, reason: str, start: datetime, end: datetime,
                provider_id: int | None = None, location_id: int | None = None) -> None:
    def work(session: Session) -> None:
        session.add(Closure(kind=kind, reason=reason, starts_at=start, ends_at=end,
                            provider_id=provider_id, location_id=location_id))

    run_write(ctx.engine, work)


def test_a_weekday_lists_who_works_there_with_their_template_hours(
    ctx: Context, practice: Practice
) -> None:
    grid = day_grid(ctx, day=WED, location_id=practice.location_id)
    assert grid.location.name == "Test Clinic"
    assert [p.name for p in grid.providers] == ["Dr. Avery Able", "Pat Baker, PA-C"]
    morning, afternoon = Interval(local(WED, 8), local(WED, 12)), Interval(local(WED, 13),
                                                                            local(WED, 17))
    for provider in grid.providers:
        assert provider.hours == provider.working == (morning, afternoon)
    assert (grid.first_hour, grid.last_hour) == (8, 17)
    assert grid.closures == ()


def test_the_grid_carries_the_days_appointments(ctx: Context, practice: Practice) -> None:
    booked = scheduling.book(ctx, staff="desk", patient_id=practice.patient_id,
                             visit_type="follow-up", provider_id=practice.baker,
                             location_id=practice.location_id, start=local(WED, 10))
    grid = day_grid(ctx, day=WED, location_id=practice.location_id)
    assert [a.id for a in grid.appointments] == [booked.id]
    assert day_grid(ctx, day=date(2027, 3, 11), location_id=practice.location_id).appointments \
        == ()


def test_a_weekend_has_nobody_and_the_default_hours(ctx: Context, practice: Practice) -> None:
    grid = day_grid(ctx, day=date(2027, 3, 13), location_id=practice.location_id)
    assert grid.providers == ()
    assert (grid.first_hour, grid.last_hour) == DEFAULT_HOURS


def test_a_holiday_keeps_the_columns_but_leaves_no_working_time(
    ctx: Context, practice: Practice
) -> None:
    add_closure(ctx, kind="holiday", reason="Practice retreat", start=local(WED, 0),
                end=local(date(2027, 3, 11), 0))
    grid = day_grid(ctx, day=WED, location_id=practice.location_id)
    assert [p.working for p in grid.providers] == [(), ()]
    assert all(len(p.hours) == 2 for p in grid.providers)
    assert [c.label for c in grid.closures] == ["Practice retreat"]


def test_time_off_cuts_one_providers_hours_and_keeps_its_reason_private(
    ctx: Context, practice: Practice
) -> None:
    add_closure(ctx, kind="time_off", reason="Dentist", start=local(WED, 9),
                end=local(WED, 11), provider_id=practice.able)
    grid = day_grid(ctx, day=WED, location_id=practice.location_id)
    able, baker = grid.providers
    assert able.working == (Interval(local(WED, 8), local(WED, 9)),
                            Interval(local(WED, 11), local(WED, 12)),
                            Interval(local(WED, 13), local(WED, 17)))
    assert len(baker.working) == 2
    (closure,) = grid.closures
    assert (closure.label, closure.provider_id) == ("Time off", practice.able)
    assert closure.applies_to(practice.able)
    assert not closure.applies_to(practice.baker)


def test_another_locations_templates_and_closures_stay_out(
    ctx: Context, practice: Practice
) -> None:
    def work(session: Session) -> int:
        loc = Location(name="Owasso", address="2 Test Way", phone="+19185550200",
                       timezone=CHICAGO)
        session.add(loc)
        session.flush()
        assert loc.id is not None
        session.add(Template(provider_id=practice.baker, location_id=loc.id,
                             rrule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", timezone=CHICAGO,
                             start_time=time(17), end_time=time(19, 30),
                             valid_from=date(2026, 1, 1)))
        return loc.id

    owasso = run_write(ctx.engine, work)
    add_closure(ctx, kind="location", reason="Flooded", start=local(WED, 8),
                end=local(WED, 12), location_id=owasso)
    clinic = day_grid(ctx, day=WED, location_id=practice.location_id)
    assert (clinic.first_hour, clinic.last_hour) == (8, 17)
    assert clinic.closures == ()
    there = day_grid(ctx, day=WED, location_id=owasso)
    assert [p.name for p in there.providers] == ["Pat Baker, PA-C"]
    assert (there.first_hour, there.last_hour) == (17, 20)
    assert [c.label for c in there.closures] == ["Flooded"]


def test_the_day_after_the_spring_change_keeps_local_hours(
    ctx: Context, practice: Practice
) -> None:
    monday = date(2027, 3, 15)  # clocks went forward on Sunday 14 March
    grid = day_grid(ctx, day=monday, location_id=practice.location_id)
    assert (grid.first_hour, grid.last_hour) == (8, 17)
    assert grid.providers[0].hours[0] == Interval(local(monday, 8), local(monday, 12))
    assert grid.providers[0].hours[0].start.hour == 13  # 08:00 CDT is 13:00 UTC


def test_an_unknown_location_is_refused(ctx: Context, practice: Practice) -> None:
    with pytest.raises(InvalidInput):
        day_grid(ctx, day=WED, location_id=practice.location_id + 99)
