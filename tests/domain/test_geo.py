"""Distances by ZIP code come from the offline table: real coordinates, no network."""

from __future__ import annotations

import pytest

from frontdesk.domain.geo import coordinates, distance_miles, miles_text
from frontdesk.domain.patients import DetailError, check_zip


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


@pytest.mark.parametrize("other_digits", ["７４１０３", "٧٤١٠٣", "७४१०३", "74١03",
                                          "74103-１２３４"])
def test_digits_other_than_ascii_are_no_zip(other_digits: str) -> None:
    """\\d matches any script's digits; the ZIP table panics on them (a BaseException)."""
    coordinates.cache_clear()
    assert coordinates(other_digits) is None
    assert distance_miles(other_digits, "74103") is None
    with pytest.raises(DetailError, match="a ZIP code is 5 digits"):
        check_zip(other_digits)


def test_a_failure_of_the_table_is_an_unknown_zip_but_an_interrupt_is_not(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import zipcodes

    class PanicException(BaseException):  # what the table's Rust core raises
        pass

    def panics(_code: str) -> None:
        raise PanicException("called `Option::unwrap()` on a `None` value")

    coordinates.cache_clear()
    monkeypatch.setattr(zipcodes, "matching", panics)
    assert coordinates("74103") is None

    def interrupted(_code: str) -> None:
        raise KeyboardInterrupt

    coordinates.cache_clear()
    monkeypatch.setattr(zipcodes, "matching", interrupted)
    with pytest.raises(KeyboardInterrupt):
        coordinates("74104")
    coordinates.cache_clear()


def test_check_zip_takes_ascii_digits_only() -> None:
    assert check_zip(" 74103 ") == "74103"
    assert check_zip("741031234") == "74103-1234"
    for bad in ("７４１０３", "٧٤١٠٣", "74103-١٢٣٤", "74103\n1"):
        with pytest.raises(DetailError):
            check_zip(bad)
