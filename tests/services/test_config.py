from __future__ import annotations

from pathlib import Path

from frontdesk.domain.settings import BookingRules
from frontdesk.services.config import load_settings


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    loaded = load_settings(tmp_path / "settings.toml")
    assert loaded.settings.booking == BookingRules()
    assert loaded.problems == ()


def test_values_are_read(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text("[booking]\nhold_min = 7\n", encoding="utf-8")
    assert load_settings(path).settings.booking.hold_min == 7


def test_broken_toml_names_the_file_and_keeps_defaults(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text("[booking\nhold_min = \n", encoding="utf-8")
    loaded = load_settings(path)
    assert loaded.settings.booking == BookingRules()
    assert str(path) in loaded.problems[0]
    assert "not valid TOML" in loaded.problems[0]


def test_bad_value_names_file_key_and_reason(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text("[booking]\nhold_min = 500\nlate_cancel_hours = 12\n", encoding="utf-8")
    loaded = load_settings(path)
    assert loaded.settings.booking.hold_min == BookingRules().hold_min
    assert loaded.settings.booking.late_cancel_hours == 12
    assert loaded.problems == (f"{path}: booking.hold_min: must be between 1 and 60",)
