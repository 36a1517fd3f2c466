"""The caller's distance to each location by ZIP code, and the offered times ranked by it:
nearest first then soonest, a few per place, unknown distances last; soonest first; as given."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from frontdesk.services.nearest import (
    NO_PLACES,
    NO_ZIP,
    UNKNOWN_ZIP,
    Distances,
    Order,
    distances,
    nearest_first,
    ordered,
)
from frontdesk.services.views import LocationView, SlotView

TULSA, OWASSO, BIXBY = 1, 2, 3
NINE = datetime(2027, 3, 10, 15, 0, tzinfo=UTC)


def place(loc_id: int, zip_code: str) -> LocationView:
    return LocationView(loc_id, f"Place {loc_id}", "", "+19185550100", "America/Chicago",
                        zip_code)


def slot(loc_id: int, hours: int, provider: int = 1) -> SlotView:
    start = NINE + timedelta(hours=hours)
    return SlotView(start, start + timedelta(minutes=30), provider, "Dr. Able", loc_id,
                    f"Place {loc_id}", 1, "Exam 1", "America/Chicago")


PLACES = [place(TULSA, "74103"), place(OWASSO, "74055"), place(BIXBY, "")]


class TestDistances:
    def test_each_location_with_a_known_zip_from_the_callers(self) -> None:
        found = distances("74055", PLACES)
        assert found.note == ""
        assert set(found.miles) == {TULSA, OWASSO}  # Bixby's ZIP is not on file
        assert found.of(OWASSO) == pytest.approx(0.0)
        assert found.of(TULSA) == pytest.approx(13.3, abs=0.2)
        assert found.of(BIXBY) is None
        assert found.orders() == (Order.BEST, Order.NEAREST, Order.SOONEST)

    def test_a_zip_plus_four_reads_as_its_zip(self) -> None:
        assert distances("74055-1234", PLACES).miles == distances("74055", PLACES).miles

    @pytest.mark.parametrize(("zip_code", "note"), [
        ("", NO_ZIP), ("   ", NO_ZIP), ("00000", UNKNOWN_ZIP), ("7405", UNKNOWN_ZIP),
        ("ABCDE", UNKNOWN_ZIP),
    ])
    def test_an_unknown_zip_is_a_note_never_an_error(self, zip_code: str, note: str) -> None:
        found = distances(zip_code, PLACES)
        assert found == Distances(note=note)
        assert found.orders() == (Order.BEST, Order.SOONEST)  # no nearest without distances

    def test_no_location_with_a_known_zip(self) -> None:
        assert distances("74055", [place(BIXBY, "")]) == Distances(note=NO_PLACES)


class TestRanking:
    MILES = {TULSA: 13.3, OWASSO: 0.0}

    def test_nearest_first_then_soonest_a_few_per_place_unknown_last(self) -> None:
        offered = [slot(TULSA, 0), slot(BIXBY, 1), slot(OWASSO, 8), slot(OWASSO, 4),
                   slot(TULSA, 2), slot(OWASSO, 5), slot(OWASSO, 6), slot(TULSA, 1)]
        ranked = nearest_first(offered, self.MILES, limit=7, per_place=3)
        assert [(s.location_id, s.start.hour - 15) for s in ranked] == [
            (OWASSO, 4), (OWASSO, 5), (OWASSO, 6),  # the nearest's three soonest
            (TULSA, 0), (TULSA, 1), (TULSA, 2),
            (BIXBY, 1),  # distance unknown: last
        ]
        assert len(nearest_first(offered, self.MILES, limit=4)) == 4

    def test_soonest_first_and_as_given(self) -> None:
        offered = [slot(TULSA, 3), slot(OWASSO, 1), slot(TULSA, 2)]
        assert [s.start.hour for s in ordered(offered, Order.SOONEST, self.MILES)] == [
            16, 17, 18]
        assert ordered(offered, Order.BEST, self.MILES) == offered
        assert [s.location_id for s in ordered(offered, Order.NEAREST, self.MILES)] == [
            OWASSO, TULSA, TULSA]
