"""The all-locations board's pure text: counts, slot lines, names and focus (no Textual)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from frontdesk.domain.model import Status
from frontdesk.services.board import LocationSummary, NextSlot
from frontdesk.services.views import LocationView, SlotView
from frontdesk.ui.calendar.all_locations.layout import (
    TEXT_WIDTH,
    counts_lines,
    panel_lines,
    slot_line,
    step_focus,
    surname,
)

WED = date(2027, 3, 10)
PLACE = LocationView(1, "Tulsa Midtown", "1 Main St", "+19185550100", "America/Chicago")


def summary(counts: dict[Status, int], *, providers: tuple[str, ...] = (),
            next_slots: tuple[NextSlot, ...] = ()) -> LocationSummary:
    return LocationSummary(PLACE, tuple((s, counts.get(s, 0)) for s in Status), providers,
                           next_slots)


def slot(start: datetime, provider: str = "Dr. Emery Flintridge, MD") -> SlotView:
    return SlotView(start, start, 7, provider, 1, "Tulsa Midtown", 3, "Exam 1",
                    "America/Chicago")


def test_counts_read_as_two_lines_of_three_letters() -> None:
    counts = {Status.BOOKED: 12, Status.CONFIRMED: 5, Status.CHECKED_IN: 2,
              Status.COMPLETED: 3, Status.CANCELLED: 1}
    assert counts_lines(summary(counts)) == ["B 12 · C 5 · I 2", "D 3 · X 1 · N 0"]


def test_pending_holds_are_added_only_when_there_are_some() -> None:
    assert counts_lines(summary({Status.HELD: 2}))[-1] == "D 0 · X 0 · N 0 · H 2"


def test_cancelled_and_lapsed_visits_do_not_count_as_visits() -> None:
    counts = {Status.BOOKED: 2, Status.CANCELLED: 4, Status.EXPIRED: 1, Status.NO_SHOW: 1}
    assert summary(counts).visits == 3


@pytest.mark.parametrize(("name", "short"), [
    ("Dr. Emery Flintridge, MD", "Flintridge"),
    ("Pat Baker, PA-C", "Baker"),
    ("Cher", "Cher"),
])
def test_a_provider_is_known_by_surname(name: str, short: str) -> None:
    assert surname(name) == short


def test_a_slot_within_the_week_shows_its_weekday() -> None:
    nxt = NextSlot("facet-diagnostic", "Diagnostic facet", slot(datetime(2027, 3, 11, 16, 15,
                                                                         tzinfo=UTC)))
    assert slot_line(nxt, WED, horizon_days=60) == "Facet dx Thu 10:15 Flintridge"


def test_a_slot_a_week_or_more_away_shows_its_date() -> None:
    nxt = NextSlot("rfa", "Radiofrequency ablation", slot(datetime(2027, 3, 17, 14, tzinfo=UTC)))
    assert slot_line(nxt, WED, horizon_days=60) == "RFA      3/17 09:00 Flintridge"


def test_no_slot_says_how_far_it_looked() -> None:
    assert slot_line(NextSlot("massage", "Massage", None), WED, horizon_days=60) == (
        "Massage  none in 60 days")


def test_an_unknown_visit_type_uses_the_start_of_its_name() -> None:
    line = slot_line(NextSlot("acupuncture", "Acupuncture", None), WED, horizon_days=30)
    assert line == "Acupunct none in 30 days"


def test_every_panel_line_fits_the_panel() -> None:
    many = tuple(f"Dr. Someone Verylongname{i}, MD" for i in range(6))
    lines = panel_lines(summary({}, providers=many, next_slots=(
        NextSlot("x", "A very long visit type name", slot(datetime(2027, 4, 1, 14, tzinfo=UTC),
                                                          "Dr. Extraordinarilylongname")),)),
        WED, horizon_days=60)
    assert all(len(line) <= TEXT_WIDTH for line in lines)
    assert lines[4].endswith("…")  # the providers wrap onto two lines at most


def test_a_location_with_nobody_and_no_rooms_says_so() -> None:
    lines = panel_lines(summary({}), WED, horizon_days=60)
    assert "nobody works here" in lines
    assert lines[-1] == "no rooms for any visit type"


@pytest.mark.parametrize(("count", "current", "step", "expected"), [
    (3, 0, 1, 1), (3, 2, 1, 0), (3, 0, -1, 2), (3, None, 1, 0), (3, None, -1, 2),
    (0, None, 1, None),
])
def test_focus_steps_wrap_around(count: int, current: int | None, step: int,
                                 expected: int | None) -> None:
    assert step_focus(count, current, step) == expected
