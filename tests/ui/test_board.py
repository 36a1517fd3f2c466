"""The board's pure parts: column plans, texts and counts (no Textual needed)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from frontdesk.domain.model import Status
from frontdesk.services.views import AppointmentView, LocationView
from frontdesk.ui.backend.boards import DayBoard
from frontdesk.ui.calendar.board.layout import (
    CELL_PADDING,
    SCROLLBAR,
    cell_text,
    empty_message,
    plan_columns,
    summary,
)
from frontdesk.ui.calendar.cells import cycle_location, person_text, place_text, visit_text
from frontdesk.ui.text import format_day

MIDTOWN = LocationView(1, "Tulsa Midtown", "", "", "America/Chicago")
OWASSO = LocationView(2, "Owasso", "", "", "America/Chicago")
WED = date(2027, 3, 10)


def appt(id_: int, *, location: LocationView = MIDTOWN, status: Status = Status.BOOKED,
         hour: int = 16, region: str | None = None) -> AppointmentView:
    return AppointmentView(
        id=id_, patient_id=id_, patient_short="Testcase, C.", visit_type_code="facet-diagnostic",
        visit_type_name="Diagnostic facet joint injection (medial branch block)",
        visit_colour="magenta", provider_id=1, provider_name="Dr. Avery Able",
        location_id=location.id, location_name=location.name, room_id=1,
        room_name="Procedure Suite", start=datetime(2027, 3, 10, hour, tzinfo=UTC),
        end=datetime(2027, 3, 10, hour, 30, tzinfo=UTC), timezone="America/Chicago",
        status=status, hold_expires_at=None, region=region, levels="L4-L5" if region else None,
        side="left" if region else None, booked_by="desk",
        booked_at=datetime(2027, 3, 1, tzinfo=UTC), cancel_reason=None, late_cancel=False,
        version=1, block_start=datetime(2027, 3, 10, hour - 1, 45, tzinfo=UTC),
        block_end=datetime(2027, 3, 10, hour, 45, tzinfo=UTC),
    )


def used(columns: tuple[object, ...]) -> int:
    return sum(c.width + CELL_PADDING for c in columns) + SCROLLBAR  # type: ignore[attr-defined]


def test_the_date_reads_like_a_calendar() -> None:
    assert format_day(WED) == "Wed 10 Mar 2027"
    assert format_day(date(2027, 3, 1)) == "Mon 1 Mar 2027"


@pytest.mark.parametrize(("current", "step", "expected"), [
    (None, 1, 1), (1, 1, 2), (2, 1, None), (None, -1, 2), (99, 1, 1),
])
def test_locations_cycle_through_all_then_each(current: int | None, step: int,
                                               expected: int | None) -> None:
    assert cycle_location([MIDTOWN, OWASSO], current, step) == expected


def test_columns_fit_80_and_drop_the_room_for_all_locations() -> None:
    rows = [appt(1), appt(2, location=OWASSO)]
    columns = plan_columns(80, rows, all_locations=True, location_count=2)
    keys = [c.key for c in columns]
    assert keys == ["time", "location", "patient", "visit", "provider", "status"]
    assert used(columns) <= 80


def test_one_location_keeps_the_room_at_80() -> None:
    columns = plan_columns(80, [appt(1)], all_locations=False)
    assert [c.key for c in columns] == ["time", "patient", "visit", "provider", "room", "status"]
    assert used(columns) <= 80


def test_a_wide_terminal_gets_end_times_full_names_and_details() -> None:
    row = appt(1, region="lumbar")
    columns = {c.key: c for c in plan_columns(160, [row], all_locations=False)}
    assert cell_text(row, columns["time"]) == "10:00–10:30"
    assert cell_text(row, columns["visit"]) == "Diagnostic facet joint injection"
    assert cell_text(row, columns["room"]) == "Procedure Suite"
    assert cell_text(row, columns["details"]) == "lumbar L4-L5 left"
    assert used(tuple(columns.values())) <= 160


def test_status_shows_letter_and_label() -> None:
    columns = {c.key: c for c in plan_columns(80, [appt(1)], all_locations=False)}
    checked_in = appt(1, status=Status.CHECKED_IN)
    assert cell_text(checked_in, columns["status"]) == "I checked in"


@pytest.mark.parametrize(("width", "expected"), [
    (30, "Dr. Avery Able"), (11, "Dr. A. Able"), (8, "Dr. Able"), (5, "Able"), (3, "Ab…"),
])
def test_provider_names_shorten_politely(width: int, expected: str) -> None:
    assert person_text("Dr. Avery Able", width) == expected


def test_credentials_stay_while_they_fit() -> None:
    assert person_text("Pat Baker, PA-C", 14) == "P. Baker, PA-C"
    assert person_text("Pat Baker, PA-C", 8) == "P. Baker"


@pytest.mark.parametrize(("width", "expected"), [
    (60, "Diagnostic facet joint injection (medial branch block)"),
    (40, "Diagnostic facet joint injection"), (12, "Facet dx"), (7, "Face…"),
])
def test_visit_names_shorten_to_fit(width: int, expected: str) -> None:
    assert visit_text(appt(1), width) == expected


def test_summary_counts_active_visits_per_location() -> None:
    board = DayBoard(WED, None, (MIDTOWN, OWASSO), (
        appt(1), appt(2), appt(3, location=OWASSO), appt(4, status=Status.CANCELLED)))
    assert summary(board) == "3 visits · Tulsa Midtown 2 · Owasso 1 · 1 cancelled"
    one = replace(board, location_id=OWASSO.id, appointments=(appt(3, location=OWASSO),))
    assert summary(one) == "1 visit at Owasso"


def test_rows_group_by_location_then_time_and_can_hide_cancelled() -> None:
    board = DayBoard(WED, None, (MIDTOWN, OWASSO), (
        appt(1, location=OWASSO, hour=14), appt(2, hour=17), appt(3, hour=15),
        appt(4, hour=16, status=Status.CANCELLED)))
    assert [a.id for a in board.rows(show_cancelled=True)] == [3, 4, 2, 1]
    assert [a.id for a in board.rows(show_cancelled=False)] == [3, 2, 1]


def test_an_empty_day_says_so_and_mentions_hidden_cancellations() -> None:
    board = DayBoard(WED, OWASSO.id, (MIDTOWN, OWASSO), (appt(1, status=Status.CANCELLED),))
    assert empty_message(board, show_cancelled=False) == (
        "No appointments on Wed 10 Mar 2027 at Owasso. (1 cancelled hidden — press c to show "
        "them.)")
    nothing = DayBoard(WED, None, (MIDTOWN,), ())
    assert empty_message(nothing, show_cancelled=True) == (
        "No appointments on Wed 10 Mar 2027 at any location.")


@pytest.mark.parametrize(("width", "expected"), [
    (20, "Tulsa Midtown"), (10, "T. Midtown"), (8, "Tulsa M…"),
])
def test_location_names_shorten_to_initials_first(width: int, expected: str) -> None:
    assert place_text("Tulsa Midtown", width) == expected
