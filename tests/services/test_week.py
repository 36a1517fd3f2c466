"""A week of one location or one provider on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session

from frontdesk.db.engine import run_write
from frontdesk.db.models import Closure
from frontdesk.services import scheduling
from frontdesk.services.context import Context
from frontdesk.services.errors import InvalidInput
from frontdesk.services.week import week_grid
from tests.practice import CHICAGO, Practice

MON = date(2027, 3, 8)
WED, THU = date(2027, 3, 10), date(2027, 3, 11)
TULSA = ZoneInfo(CHICAGO)


def local(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), TULSA).astimezone(UTC)


def book(ctx: Context, p: Practice, provider: int, start: datetime) -> int:
    """A follow-up for Testcase with Dr. Able, for Sample with anyone else (one patient is
    never in two visits at once); the warnings about their other visits are accepted."""
    patient = p.patient_id if provider == p.able else p.other_patient_id
    return scheduling.book(ctx, staff=p.staff, patient_id=patient, visit_type="follow-up",
                           provider_id=provider, location_id=p.location_id, start=start,
                           accept_warnings=scheduling.WARNING_CODES).id


def test_a_locations_week_puts_each_visit_on_its_day(ctx: Context, practice: Practice) -> None:
    wed = book(ctx, practice, practice.able, local(WED, 10))
    thu = book(ctx, practice, practice.baker, local(THU, 14))
    grid = week_grid(ctx, monday=MON, location_id=practice.location_id)
    assert [d.day for d in grid.days] == [date(2027, 3, 8 + i) for i in range(7)]
    assert [[a.id for a in d.appointments] for d in grid.days] == [[], [], [wed], [thu], [], [],
                                                                   []]
    assert grid.name == "Test Clinic"
    assert (grid.first_hour, grid.last_hour) == (8, 17)
    assert all(d.location_id == practice.location_id for d in grid.days)


def test_weekdays_have_template_hours_and_the_weekend_has_none(
    ctx: Context, practice: Practice
) -> None:
    grid = week_grid(ctx, monday=MON, location_id=practice.location_id)
    assert [bool(d.hours) for d in grid.days] == [True] * 5 + [False] * 2
    assert grid.days[0].working[0].start == local(MON, 8)


def test_a_providers_week_shows_only_their_visits(ctx: Context, practice: Practice) -> None:
    book(ctx, practice, practice.able, local(WED, 10))
    mine = book(ctx, practice, practice.baker, local(WED, 10))
    grid = week_grid(ctx, monday=MON, provider_id=practice.baker)
    assert grid.name == "Pat Baker, PA-C"
    assert [a.id for a in grid.days[2].appointments] == [mine]
    assert grid.days[2].location_id == practice.location_id


def test_a_holiday_closes_the_day_and_leaves_no_working_time(
    ctx: Context, practice: Practice
) -> None:
    def work(session: Session) -> None:
        session.add(Closure(kind="holiday", reason="Practice retreat", starts_at=local(THU, 0),
                            ends_at=local(date(2027, 3, 12), 0)))

    run_write(ctx.engine, work)
    grid = week_grid(ctx, monday=MON, location_id=practice.location_id)
    assert [c.label for c in grid.days[3].closures] == ["Practice retreat"]
    assert grid.days[3].working == ()
    assert grid.days[2].closures == ()


def test_the_week_over_the_dst_change_keeps_local_hours(ctx: Context, practice: Practice) -> None:
    """Clocks go forward on Sun 14 Mar 2027: 08:00 is 14:00 UTC before and 13:00 after."""
    before = week_grid(ctx, monday=MON, location_id=practice.location_id)
    after = week_grid(ctx, monday=date(2027, 3, 15), location_id=practice.location_id)
    assert before.days[4].working[0].start == datetime(2027, 3, 12, 14, tzinfo=UTC)
    assert after.days[0].working[0].start == datetime(2027, 3, 15, 13, tzinfo=UTC)
    assert (before.first_hour, before.last_hour) == (after.first_hour, after.last_hour) == (8, 17)


@pytest.mark.parametrize("kwargs", [{}, {"location_id": 1, "provider_id": 1},
                                    {"location_id": 999}, {"provider_id": 999}])
def test_it_needs_exactly_one_real_location_or_provider(
    ctx: Context, practice: Practice, kwargs: dict[str, int]
) -> None:
    with pytest.raises(InvalidInput):
        week_grid(ctx, monday=MON, **kwargs)


def test_the_week_starts_on_a_monday(ctx: Context, practice: Practice) -> None:
    with pytest.raises(InvalidInput):
        week_grid(ctx, monday=WED, location_id=practice.location_id)
