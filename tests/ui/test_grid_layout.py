"""The day view's pure layout: rows, cells, widths and words (no Textual, no database)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from frontdesk.domain.model import Interval, Status
from frontdesk.services.calendar import DayGrid, ProviderDay, ShadedClosure
from frontdesk.services.views import AppointmentView
from frontdesk.ui.backend.boards import GridBoard
from frontdesk.ui.calendar.day.layout import (
    GUTTER,
    MIN_COLUMN,
    SEPARATOR,
    Cell,
    Column,
    Kind,
    cell_text,
    cells,
    columns,
    describe,
    fit_columns,
    next_location,
    now_row,
    row_starts,
    summary,
)
from frontdesk.ui.calendar.line_widget import scroll_to
from tests.ui.test_board import MIDTOWN, OWASSO, appt

WED = date(2027, 3, 10)
TULSA = ZoneInfo("America/Chicago")


def at(hour: int, minute: int = 0, day: date = WED) -> datetime:
    return datetime.combine(day, time(hour, minute), TULSA).astimezone(UTC)


ABLE = ProviderDay(1, "Dr. Avery Able", (Interval(at(8), at(12)), Interval(at(13), at(17))),
                   (Interval(at(8), at(12)), Interval(at(13), at(17))))


def grid(**changes: Any) -> DayGrid:
    base = DayGrid(WED, MIDTOWN, (ABLE,), (), (), 8, 17)
    return replace(base, **changes)


def visit(hour: int, minute: int = 0, *, minutes: int = 30, buffer: int = 0,
          **changes: Any) -> AppointmentView:
    start = at(hour, minute)
    end = start + timedelta(minutes=minutes)
    margin = timedelta(minutes=buffer)
    base = replace(appt(7), start=start, end=end, block_start=start - margin,
                   block_end=end + margin)
    return replace(base, **changes)


def row_of(g: DayGrid, hour: int, minute: int = 0) -> int:
    return row_starts(g).index(at(hour, minute))


def test_rows_are_quarter_hours_of_the_template_day() -> None:
    starts = row_starts(grid())
    assert len(starts) == 36
    assert (starts[0], starts[-1]) == (at(8), at(16, 45))


def test_a_visit_fills_the_rows_it_overlaps_with_its_lines_in_order() -> None:
    g = grid(appointments=(visit(10, 0, minutes=45),))
    table = cells(g, row_starts(g), columns(g))
    rows = [table[row_of(g, 10, m)][0] for m in (0, 15, 30)]
    assert [(c.kind, c.line, c.lines) for c in rows] == [(Kind.VISIT, i, 3) for i in range(3)]
    assert table[row_of(g, 10, 45)][0].kind is Kind.FREE
    texts = [cell_text(c, 30) for c in rows]
    assert texts[0] == "▌B 10:00 Testcase, C.".ljust(30)
    assert texts[1] == "▌Facet diagnostic".ljust(30)  # the full name needs 36 cells
    assert texts[2] == "▌Procedure Suite · booked".ljust(30)
    assert {len(t) for t in texts} == {30}


def test_a_procedures_buffers_are_taken_time_not_free_time() -> None:
    g = grid(appointments=(visit(10, 0, minutes=30, buffer=15),))
    table = cells(g, row_starts(g), columns(g))
    kinds = [table[row_of(g, 9, 30)][0].kind, table[row_of(g, 9, 45)][0].kind,
             table[row_of(g, 10)][0].kind, table[row_of(g, 10, 30)][0].kind,
             table[row_of(g, 10, 45)][0].kind]
    assert kinds == [Kind.FREE, Kind.BUFFER, Kind.VISIT, Kind.BUFFER, Kind.FREE]
    assert cell_text(table[row_of(g, 9, 45)][0], 20) == "┄ buffer ┄┄┄┄┄┄┄┄┄┄┄"
    assert describe(table[row_of(g, 9, 45)][0], columns(g)[0], at(9, 45), g) == (
        "09:45 · Dr. Avery Able · buffer before or after a procedure (cannot be booked)")


def test_a_one_row_visit_squeezes_its_type_onto_the_line() -> None:
    cell = Cell(Kind.VISIT, visit(10, minutes=15), 0, 1)
    assert cell_text(cell, 34) == "▌B 10:00 Testcase, C. · Facet dx  "


def test_lunch_is_shaded_as_outside_the_template_and_closures_say_why() -> None:
    off = ShadedClosure(at(14), at(15), "time_off", "Time off", 1, None)
    g = grid(closures=(off,))
    table = cells(g, row_starts(g), columns(g))
    assert table[row_of(g, 12, 15)][0].kind is Kind.OFF
    assert cell_text(table[row_of(g, 12, 15)][0], 5) == "░░░░░"
    first, second = table[row_of(g, 14)][0], table[row_of(g, 14, 15)][0]
    assert cell_text(first, 20) == "▒ Closed: Time off ▒"
    assert cell_text(second, 4) == "▒▒▒▒"


def test_cancelled_visits_are_not_drawn_and_free_time_shows_through() -> None:
    g = grid(appointments=(visit(10, status=Status.CANCELLED),))
    table = cells(g, row_starts(g), columns(g))
    assert table[row_of(g, 10)][0].kind is Kind.FREE
    assert summary(GridBoard(WED, 1, (MIDTOWN,), g)) == (
        "0 visits · 1 provider working · 1 cancelled (not drawn)")


def test_someone_booked_without_hours_there_still_gets_a_column() -> None:
    g = grid(appointments=(visit(10, provider_id=5, provider_name="Pat Baker, PA-C"),))
    assert columns(g) == (Column(1, "Dr. Avery Able"), Column(5, "Pat Baker, PA-C"))
    table = cells(g, row_starts(g), columns(g))
    assert [table[row_of(g, 9)][1].kind, table[row_of(g, 10)][1].kind] == [Kind.OFF, Kind.VISIT]


def test_the_now_row_holds_now_and_is_none_off_the_grid() -> None:
    starts = row_starts(grid())
    assert now_row(starts, at(9, 7)) == 4
    assert now_row(starts, at(7, 59)) is None
    assert now_row(starts, at(17)) is None


@pytest.mark.parametrize(("width", "count", "expected"), [
    (80, 2, (2, 36)),  # two providers share an 80-column terminal
    (80, 5, (3, 23)),  # three fit, the rest scroll sideways
    (160, 2, (2, 76)),
    (160, 10, (7, 21)),
    (30, 3, (1, 23)),  # always at least one
])
def test_columns_fit_the_width(width: int, count: int, expected: tuple[int, int]) -> None:
    shown, each = fit_columns(width, count)
    assert (shown, each) == expected
    assert each >= MIN_COLUMN or shown == 1
    assert GUTTER + shown * (each + SEPARATOR) <= max(width, GUTTER + MIN_COLUMN + SEPARATOR)


@pytest.mark.parametrize(("first", "cursor", "expected"), [
    (0, 3, 0), (0, 10, 6), (5, 2, 2), (30, 35, 31), (40, 0, 0),
])
def test_the_view_scrolls_only_when_the_cursor_leaves_it(first: int, cursor: int,
                                                         expected: int) -> None:
    assert scroll_to(first, cursor, 5, 36) == expected


@pytest.mark.parametrize(("current", "step", "expected"), [
    (1, 1, 2), (2, 1, 1), (1, -1, 2), (None, 1, 1), (None, -1, 2), (99, 1, 1),
])
def test_locations_cycle_without_all_locations(current: int | None, step: int,
                                                expected: int) -> None:
    assert next_location((MIDTOWN, OWASSO), current, step) == expected


def test_the_cursor_cell_reads_in_words() -> None:
    g = grid()
    col = Column(1, "Dr. Avery Able")
    assert describe(Cell(Kind.FREE), col, at(9), g) == "09:00 · Dr. Avery Able · free"
    assert describe(Cell(Kind.OFF), col, at(12), g) == (
        "12:00 · Dr. Avery Able · not working (outside template hours)")
    assert describe(Cell(Kind.VISIT, visit(10)), col, at(10), g) == (
        "10:00–10:30 · Dr. Avery Able · Testcase, C. · Diagnostic facet joint injection · "
        "Procedure Suite · B booked")


def test_the_summary_names_a_practice_wide_closure_and_an_empty_day() -> None:
    holiday = ShadedClosure(at(0), at(0, day=date(2027, 3, 11)), "holiday", "Retreat", None, None)
    board = GridBoard(WED, 1, (MIDTOWN,), grid(providers=(), closures=(holiday,)))
    assert summary(board) == "0 visits · nobody works here this day · closed: Retreat"
    assert summary(GridBoard(WED, None, (), None)).startswith("This database has no locations")
    closed = grid(providers=(replace(ABLE, working=()),), closures=(holiday,))
    assert summary(GridBoard(WED, 1, (MIDTOWN,), closed)) == (
        "0 visits · nobody working (closed) · closed: Retreat")


def test_no_location_cycles_to_nothing() -> None:
    assert next_location((), None, 1) is None
