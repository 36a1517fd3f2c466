"""Practice holidays: federal observed dates plus the day after Thanksgiving, closed from local
midnight to local midnight (stored as UTC), installed once however often it runs."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, col, select

from frontdesk.db.engine import run_write
from frontdesk.db.models import Closure
from frontdesk.services.context import Context
from frontdesk.services.holidays import (
    install_practice_holidays,
    local_day_bounds,
    practice_holidays,
)

CHICAGO = ZoneInfo("America/Chicago")


def closures(ctx: Context) -> list[Closure]:
    with Session(ctx.engine) as session:
        return list(session.exec(select(Closure).order_by(col(Closure.starts_at))).all())


def install(ctx: Context, years: list[int], timezone: str = "America/Chicago") -> int:
    return run_write(ctx.engine, lambda s: install_practice_holidays(s, years=years,
                                                                     timezone=timezone))


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2026, 1, 1), "New Year's Day"),
        (date(2026, 5, 25), "Memorial Day"),
        (date(2026, 7, 3), "Independence Day (observed)"),
        (date(2026, 9, 7), "Labor Day"),
        (date(2026, 11, 26), "Thanksgiving Day"),
        (date(2026, 11, 27), "Day after Thanksgiving"),
        (date(2026, 12, 25), "Christmas Day"),
    ],
)
def test_2026_closes_on_the_federal_and_oklahoma_days(day: date, name: str) -> None:
    assert (day, name) in practice_holidays([2026])


def test_july_4th_on_a_saturday_is_observed_on_friday_the_3rd() -> None:
    days = dict(practice_holidays([2026]))
    assert date(2026, 7, 3).weekday() == 4
    assert days[date(2026, 7, 3)] == "Independence Day (observed)"


def test_only_the_asked_years_in_date_order() -> None:
    days = practice_holidays([2027, 2026])
    assert [d for d, _ in days] == sorted(d for d, _ in days)
    assert {d.year for d, _ in days} == {2026, 2027}
    assert practice_holidays([]) == []
    # New Year's Day 2028 (a Saturday) is observed on Friday 31 December 2027.
    assert (date(2027, 12, 31), "New Year's Day (observed)") in days


def test_a_closure_is_local_midnight_to_midnight_in_utc(ctx: Context) -> None:
    assert install(ctx, [2026]) == len(practice_holidays([2026]))
    by_day = {c.starts_at.astimezone(CHICAGO).date(): c for c in closures(ctx)}
    summer = by_day[date(2026, 7, 3)]  # CDT, UTC-5
    assert summer.starts_at == datetime(2026, 7, 3, 5, tzinfo=UTC)
    assert summer.ends_at == datetime(2026, 7, 4, 5, tzinfo=UTC)
    winter = by_day[date(2026, 12, 25)]  # CST, UTC-6
    assert winter.starts_at == datetime(2026, 12, 25, 6, tzinfo=UTC)
    assert winter.ends_at == datetime(2026, 12, 26, 6, tzinfo=UTC)
    day_after = by_day[date(2026, 11, 27)]
    assert (day_after.kind, day_after.reason) == ("holiday", "Day after Thanksgiving")
    assert all(c.provider_id is None and c.location_id is None for c in by_day.values())


def test_a_day_that_changes_clocks_is_23_or_25_hours() -> None:
    spring = local_day_bounds(date(2027, 3, 14), CHICAGO)
    autumn = local_day_bounds(date(2027, 11, 7), CHICAGO)
    assert spring == (datetime(2027, 3, 14, 6, tzinfo=UTC), datetime(2027, 3, 15, 5, tzinfo=UTC))
    assert autumn == (datetime(2027, 11, 7, 5, tzinfo=UTC), datetime(2027, 11, 8, 6, tzinfo=UTC))


def test_installing_twice_adds_nothing_twice(ctx: Context) -> None:
    first = install(ctx, [2026])
    assert install(ctx, [2026]) == 0
    assert install(ctx, [2026, 2027]) == len(practice_holidays([2027]))
    assert len(closures(ctx)) == first + len(practice_holidays([2027]))


def test_an_existing_holiday_with_another_name_is_kept(ctx: Context) -> None:
    start, end = local_day_bounds(date(2026, 12, 25), CHICAGO)

    def add(session: Session) -> None:
        session.add(Closure(kind="holiday", reason="Christmas (clinic closed)", starts_at=start,
                            ends_at=end))

    run_write(ctx.engine, add)
    install(ctx, [2026])
    christmas = [c for c in closures(ctx) if c.starts_at == start]
    assert [c.reason for c in christmas] == ["Christmas (clinic closed)"]


def test_time_off_on_a_holiday_does_not_stop_the_holiday(ctx: Context) -> None:
    start, end = local_day_bounds(date(2026, 11, 27), CHICAGO)

    def add(session: Session) -> None:
        session.add(Closure(kind="location", reason="Flooring", starts_at=start, ends_at=end))

    run_write(ctx.engine, add)
    install(ctx, [2026])
    kinds = sorted(c.kind for c in closures(ctx) if c.starts_at == start)
    assert kinds == ["holiday", "location"]


def test_another_zone_shifts_the_instants(ctx: Context) -> None:
    install(ctx, [2026], timezone="America/Denver")
    christmas = next(c for c in closures(ctx) if c.reason == "Christmas Day")
    assert christmas.starts_at == datetime(2026, 12, 25, 7, tzinfo=UTC)
