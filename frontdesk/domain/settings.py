"""Practice settings: packaged defaults, overridable from a TOML file.

Parsing is pure: it takes the decoded TOML mapping and returns the settings plus a list of
problems (key and reason) so the caller can tell the person which file and key was wrong while
the default stays in force.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any


@dataclass(frozen=True, slots=True)
class BookingRules:
    slot_step_min: int = 15
    min_notice_min: int = 60
    horizon_days: int = 180
    hold_min: int = 5
    late_cancel_hours: int = 24


@dataclass(frozen=True, slots=True)
class Settings:
    booking: BookingRules = BookingRules()
    practice_name: str = "Tulsa Pain Management"
    practice_phone: str = "+19187427030"


#: (section, key) -> (lowest, highest) allowed.
_BOUNDS: dict[str, tuple[int, int]] = {
    "slot_step_min": (5, 60),
    "min_notice_min": (0, 7 * 24 * 60),
    "horizon_days": (1, 730),
    "hold_min": (1, 60),
    "late_cancel_hours": (0, 14 * 24),
}


@dataclass(frozen=True, slots=True)
class SettingProblem:
    key: str
    reason: str


def parse_settings(data: Mapping[str, Any]) -> tuple[Settings, list[SettingProblem]]:
    problems: list[SettingProblem] = []
    booking = BookingRules()
    raw_booking = data.get("booking", {})
    if not isinstance(raw_booking, Mapping):
        problems.append(SettingProblem("booking", "must be a table"))
        raw_booking = {}
    known = {f.name for f in fields(BookingRules)}
    for key, value in raw_booking.items():
        full = f"booking.{key}"
        if key not in known:
            problems.append(SettingProblem(full, "unknown setting"))
            continue
        low, high = _BOUNDS[key]
        if not isinstance(value, int) or isinstance(value, bool):
            problems.append(SettingProblem(full, f"must be a whole number, got {value!r}"))
        elif not low <= value <= high:
            problems.append(SettingProblem(full, f"must be between {low} and {high}"))
        else:
            booking = replace(booking, **{key: value})
    settings = Settings(booking=booking)
    raw_practice = data.get("practice", {})
    if isinstance(raw_practice, Mapping):
        for key in ("name", "phone"):
            if key in raw_practice:
                value = raw_practice[key]
                if isinstance(value, str) and value.strip():
                    if key == "name":
                        settings = replace(settings, practice_name=value.strip())
                    else:
                        settings = replace(settings, practice_phone=value.strip())
                else:
                    problems.append(SettingProblem(f"practice.{key}", "must be non-empty text"))
    else:
        problems.append(SettingProblem("practice", "must be a table"))
    return settings, problems
