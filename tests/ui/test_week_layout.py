"""The week view's pure layout: row length, weekend columns, cells and words (no database)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from frontdesk.domain.model import Interval, Status
from frontdesk.services.calendar import ShadedClosure
from frontdesk.services.views import AppointmentView
from frontdesk.services.week import WeekDay, WeekGrid
from frontdesk.ui.calendar.cells import cycle
from frontdesk.ui.calendar.week.layout import (
    Kind,
    WeekCell,
    cell_text,
    cells,
    day_label,
    monday_of,
    pick_step,
    row_times,
    shown_days,
)
from tests.ui.test_board import appt

MON = date(2027, 3, 8)
TULSA = ZoneInfo("America/Chicago")


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), TULSA).astimezone(UTC)


def visit(day: date, hour: int, minute: int = 0, **changes: object) -> AppointmentView:
    start = at(day, hour, minute)
    return replace(appt(7), start=start, end=start + timedelta(minutes=30),
                   **changes)  # type: ignore[arg-type]


def week(**per_day: tuple[AppointmentView, ...]) -> WeekGrid:
    days = []
    for i in range(7):
        day = MON + timedelta(days=i)
        hours = (Interval(at(day, 8), at(day, 12)),) if i < 5 else ()
        days.append(WeekDay(day, hours, hours, (), per_day.get(f"{day:%a}".lower(), ()), 1))
    return WeekGrid(MON, 1, None, "Test Clinic", "America/Chicago", tuple(days), 8, 12)


def test_the_week_starts_on_monday() -> None:
    assert monday_of(date(2027, 3, 14)) == MON
    assert monday_of(MON) == MON


@pytest.mark.parametrize(("height", "step"), [(40, 15), (16, 15), (15, 30), (8, 30), (4, 60),
                                              (2, 60)])
def test_rows_are_the_finest_that_fit(height: int, step: int) -> None:
    assert pick_step(week(), height) == step


def test_the_weekend_shows_only_when_something_is_booked_then() -> None:
    assert len(shown_days(week())) == 5
    assert len(shown_days(week(sat=(visit(MON + timedelta(days=5), 9),)))) == 7


def test_a_cancelled_weekend_visit_does_not_add_the_weekend() -> None:
    cancelled = visit(MON + timedelta(days=5), 9, status=Status.CANCELLED)
    assert len(shown_days(week(sat=(cancelled,)))) == 5


def test_cells_mark_visits_starting_running_free_and_off() -> None:
    g = week(mon=(visit(MON, 9), visit(MON, 9, 40)), tue=(visit(MON + timedelta(days=1), 8),))
    table = cells(g, shown_days(g), row_times(g, 30), 30)
    nine, half_past = table[2], table[3]
    assert nine[0].kind is Kind.VISIT
    assert len(nine[0].items) == 1
    assert half_past[0].kind is Kind.VISIT  # 09:40 starts in the 09:30 row
    assert table[0][1].kind is Kind.VISIT
    assert table[1][1].kind is Kind.FREE
    assert nine[2].kind is Kind.FREE
    assert table[4][0].kind is Kind.RUNNING  # 10:00, the 09:40 visit is still going


def test_a_closure_shades_the_day_and_names_itself_once() -> None:
    g = week()
    thu = MON + timedelta(days=3)
    shut = ShadedClosure(at(thu, 0), at(thu + timedelta(days=1), 0), "holiday", "Retreat", None,
                       None)
    g = replace(g, days=tuple(replace(d, closures=(shut,)) if d.day == thu else d
                              for d in g.days))
    table = cells(g, shown_days(g), row_times(g, 60), 60)
    assert [row[3].kind for row in table] == [Kind.CLOSED] * 4
    assert cell_text(table[0][3], 12) == "▒ Retreat ▒▒"
    assert cell_text(table[1][3], 4) == "▒▒▒▒"


def test_a_crowded_cell_counts_what_does_not_fit() -> None:
    items = tuple(visit(MON, 9, i) for i in range(3))
    assert cell_text(WeekCell(Kind.VISIT, items), 13) == "B 09:00 T… +2"
    assert cell_text(WeekCell(Kind.VISIT, items[:1]), 20) == "B 09:00 Testcase    "


@pytest.mark.parametrize(("width", "text"), [(20, "Wed 10 ● today"), (13, "● Wed 10"),
                                             (6, "●Wed…")])
def test_today_is_marked_in_characters(width: int, text: str) -> None:
    assert day_label(date(2027, 3, 10), date(2027, 3, 10), width) == text


def test_cycling_wraps_and_restarts_when_the_current_one_is_gone() -> None:
    assert cycle([1, 2, 3], 3, 1) == 1
    assert cycle([1, 2, 3], 1, -1) == 3
    assert cycle([1, 2], 9, -1) == 2
    assert cycle([], None, 1) is None
