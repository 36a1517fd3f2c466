"""The ``[signin]`` table: lockout, idle lock and the SSH mapping of OS users to staff."""

from __future__ import annotations

from frontdesk.domain.settings import SignInSettings, parse_settings


def test_defaults_lock_after_five_failures_for_fifteen_minutes_and_idle_after_five() -> None:
    settings, problems = parse_settings({})
    assert settings.signin == SignInSettings()
    assert (settings.signin.max_failures, settings.signin.lockout_minutes,
            settings.signin.idle_minutes, settings.signin.os_users) == (5, 15, 5, {})
    assert problems == []


def test_valid_values_override_the_defaults() -> None:
    settings, problems = parse_settings({"signin": {
        "max_failures": 3, "lockout_minutes": 30, "idle_minutes": 0,
        "os_users": {"jdoe": "Sam", "m.castellano": "maria"},
    }})
    assert problems == []
    assert settings.signin.max_failures == 3
    assert settings.signin.lockout_minutes == 30
    assert settings.signin.idle_minutes == 0  # the idle lock is off
    assert settings.signin.os_users == {"jdoe": "sam", "m.castellano": "maria"}


def test_bad_values_are_reported_and_the_defaults_kept() -> None:
    settings, problems = parse_settings({"signin": {
        "max_failures": 0, "lockout_minutes": "15", "idle_minutes": -1, "colour": 1,
        "os_users": {"jdoe": 7},
    }})
    assert settings.signin == SignInSettings()
    keys = {p.key: p.reason for p in problems}
    assert "between" in keys["signin.max_failures"]
    assert "whole number" in keys["signin.lockout_minutes"]
    assert "between" in keys["signin.idle_minutes"]
    assert keys["signin.colour"] == "unknown setting"
    assert "staff username" in keys["signin.os_users.jdoe"]


def test_os_users_must_be_a_table_of_real_names() -> None:
    settings, problems = parse_settings({"signin": {"os_users": ["jdoe"]}})
    assert settings.signin.os_users == {}
    assert "table" in problems[0].reason
    settings, problems = parse_settings({"signin": {"os_users": {"jdoe": "Not A User!"}}})
    assert settings.signin.os_users == {}
    assert problems[0].key == "signin.os_users.jdoe"
    settings, problems = parse_settings({"signin": {"os_users": {"bad name": "sam"}}})
    assert settings.signin.os_users == {}
    assert "OS user" in problems[0].reason


def test_signin_must_be_a_table() -> None:
    settings, problems = parse_settings({"signin": 5})
    assert settings.signin == SignInSettings()
    assert problems[0].key == "signin"
