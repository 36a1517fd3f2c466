"""The ``[storage]`` table: files for their owner alone unless a shared group is named."""

from __future__ import annotations

from frontdesk.domain.settings import StorageSettings, parse_settings


def test_by_default_no_group_shares_the_files() -> None:
    settings, problems = parse_settings({})
    assert settings.storage == StorageSettings(shared_group="")
    assert problems == []


def test_a_shared_group_is_read() -> None:
    settings, problems = parse_settings({"storage": {"shared_group": " frontdesk "}})
    assert problems == []
    assert settings.storage.shared_group == "frontdesk"


def test_bad_values_are_reported_and_the_files_stay_private() -> None:
    for value, reason in ((7, "must be non-empty text"), ("", "must be non-empty text"),
                          ("front desk", "must be the name of an OS group"),
                          ("-x", "must be the name of an OS group")):
        settings, problems = parse_settings({"storage": {"shared_group": value}})
        assert settings.storage.shared_group == ""
        assert [(p.key, p.reason) for p in problems] == [("storage.shared_group", reason)]


def test_an_unknown_key_is_reported() -> None:
    _settings, problems = parse_settings({"storage": {"mode": "group"}})
    assert [(p.key, p.reason) for p in problems] == [("storage.mode", "unknown setting")]
