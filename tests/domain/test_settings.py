from __future__ import annotations

from frontdesk.domain.settings import BookingRules, parse_settings


def test_empty_file_gives_defaults() -> None:
    settings, problems = parse_settings({})
    assert settings.booking == BookingRules()
    assert problems == []


def test_valid_values_override_defaults() -> None:
    settings, problems = parse_settings({"booking": {"hold_min": 3, "late_cancel_hours": 48}})
    assert settings.booking.hold_min == 3
    assert settings.booking.late_cancel_hours == 48
    assert problems == []


def test_bad_values_are_reported_and_the_default_kept() -> None:
    settings, problems = parse_settings(
        {"booking": {"hold_min": 0, "slot_step_min": "15", "colour": 1}, "practice": {"name": ""}}
    )
    assert settings.booking.hold_min == BookingRules().hold_min
    assert settings.booking.slot_step_min == 15
    keys = {p.key: p.reason for p in problems}
    assert "between" in keys["booking.hold_min"]
    assert "whole number" in keys["booking.slot_step_min"]
    assert keys["booking.colour"] == "unknown setting"
    assert "practice.name" in keys


def test_physician_review_by_physicians_only_is_a_yes_or_no() -> None:
    assert parse_settings({})[0].booking.physician_review_by_physicians_only is True
    settings, problems = parse_settings(
        {"booking": {"physician_review_by_physicians_only": False}})
    assert problems == []
    assert settings.booking.physician_review_by_physicians_only is False
    settings, problems = parse_settings({"booking": {"physician_review_by_physicians_only": 0}})
    assert settings.booking.physician_review_by_physicians_only is True
    assert [p.key for p in problems] == ["booking.physician_review_by_physicians_only"]
    assert "true or false" in problems[0].reason
