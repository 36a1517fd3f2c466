"""Distances by ZIP code come from the offline table: real coordinates, no network."""

from __future__ import annotations

import pytest

from frontdesk.domain.geo import coordinates, distance_miles, miles_text


def test_a_tulsa_zip_has_its_coordinates() -> None:
    lat, lon = coordinates("74133") or (0.0, 0.0)
    assert 35.9 < lat < 36.2
    assert -96.0 < lon < -95.7


def test_zip_plus_four_is_read_by_its_first_five_digits() -> None:
    assert coordinates("74133-1234") == coordinates("74133")


@pytest.mark.parametrize("bad", ["", "7413", "ABCDE", "00000", "74133-12"])
def test_an_unknown_or_malformed_zip_has_no_distance(bad: str) -> None:
    assert distance_miles(bad, "74133") is None


def test_tulsa_to_oklahoma_city_is_about_a_hundred_miles() -> None:
    miles = distance_miles("74133", "73102")  # south Tulsa to downtown Oklahoma City
    assert miles is not None
    assert 90 < miles < 115
    assert distance_miles("74133", "74133") == 0


def test_miles_are_written_for_the_desk() -> None:
    assert miles_text(None) == ""
    assert miles_text(0.4) == "<1 mi"
    assert miles_text(12.4) == "12 mi"
