"""Pathway, payer and callback settings: parsed from TOML data, bad values reported."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from frontdesk.domain.calls import CallReason
from frontdesk.domain.model import Region, Side
from frontdesk.domain.pathway import (
    FOLLOW_UP,
    Answers,
    History,
    PathwayRules,
    PayerRules,
    Procedure,
    payer_check,
    recommend,
)
from frontdesk.domain.payers import DEFAULT_PLANS, DEFAULT_RULE_SETS
from frontdesk.domain.settings import CallbackRules, parse_settings

TODAY = date(2027, 3, 10)


def diagnostic_report(percent: int, hours: float = 3.0) -> Answers:
    return Answers(reason=CallReason.INJECTION_REPORT, procedure=Procedure.FACET_DIAGNOSTIC,
                   region=Region.LUMBAR, levels="L4-L5", side=Side.LEFT,
                   percent_relief=percent, hours_lasted=hours, scale_before=8, scale_after=2,
                   same_scale=True, injections_so_far=1)


def test_defaults_without_sections() -> None:
    settings, problems = parse_settings({})
    assert problems == []
    assert settings.pathway == PathwayRules()
    assert settings.payers == DEFAULT_RULE_SETS
    assert settings.payers[0] == PayerRules()  # Medicare, Novitas L34892
    assert settings.plans == DEFAULT_PLANS
    assert settings.callbacks == CallbackRules()
    assert settings.rules.practice == PathwayRules()
    assert settings.rules.payers == DEFAULT_RULE_SETS


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        pytest.param({"relief_percent": 70}, PathwayRules(relief_percent=70), id="percent"),
        pytest.param({"relief_hours": 1.5}, PathwayRules(relief_hours=1.5), id="hours"),
        pytest.param({"relief_hours": 3}, PathwayRules(relief_hours=3.0), id="whole-hours"),
        pytest.param({"no_relief_percent": 10, "waning_injections": 3},
                     PathwayRules(no_relief_percent=10, waning_injections=3), id="two-keys"),
    ],
)
def test_pathway_values_override_defaults(section: dict[str, Any],
                                          expected: PathwayRules) -> None:
    settings, problems = parse_settings({"pathway": section})
    assert problems == []
    assert settings.pathway == expected
    assert settings.rules.practice == expected


@pytest.mark.parametrize(
    ("percent", "default_visit", "configured_visit"),
    [
        pytest.param(69, FOLLOW_UP, FOLLOW_UP, id="69pct-below-both"),
        pytest.param(70, FOLLOW_UP, Procedure.FACET_THERAPEUTIC.value, id="70pct"),
        pytest.param(72, FOLLOW_UP, Procedure.FACET_THERAPEUTIC.value, id="72pct"),
    ],
)
def test_recommend_uses_the_configured_relief_percent(
    percent: int, default_visit: str, configured_visit: str,
) -> None:
    configured, problems = parse_settings({"pathway": {"relief_percent": 70}})
    assert problems == []
    default, _ = parse_settings({})
    answers = diagnostic_report(percent)
    history = History()
    before = recommend(answers, history, default.rules, payer="BlueCross", today=TODAY)
    after = recommend(answers, history, configured.rules, payer="BlueCross", today=TODAY)
    assert before.visit_types == (default_visit,)
    assert after.visit_types == (configured_visit,)
    assert after.practice is not None
    assert after.practice.qualifies is (configured_visit != FOLLOW_UP)


def test_configured_relief_percent_disagrees_with_medicare() -> None:
    settings, _ = parse_settings({"pathway": {"relief_percent": 70}})
    rec = recommend(diagnostic_report(72), History(), settings.rules, payer="Medicare",
                    today=TODAY)
    assert rec.visit_types == (FOLLOW_UP,)
    assert rec.disagree is True
    assert rec.physician_review is True
    assert rec.practice is not None
    assert rec.practice.qualifies is True
    assert [v.qualifies for v in rec.payers] == [False]


@pytest.mark.parametrize(
    ("key", "value", "reason"),
    [
        pytest.param("relief_percent", 0, "between", id="percent-zero"),
        pytest.param("relief_percent", 101, "between", id="percent-over-100"),
        pytest.param("relief_percent", "75", "whole number", id="percent-text"),
        pytest.param("relief_percent", 75.5, "whole number", id="percent-fraction"),
        pytest.param("relief_percent", True, "whole number", id="percent-bool"),
        pytest.param("relief_hours", "2h", "a number", id="hours-text"),
        pytest.param("relief_hours", -1, "between", id="hours-negative"),
        pytest.param("waning_injections", 0, "between", id="waning-zero"),
        pytest.param("no_relief_percent", 51, "between", id="no-relief-over-50"),
        pytest.param("relief", 80, "unknown setting", id="unknown-key"),
    ],
)
def test_bad_pathway_values_are_reported_and_the_default_kept(
    key: str, value: Any, reason: str,
) -> None:
    settings, problems = parse_settings({"pathway": {key: value}})
    assert settings.pathway == PathwayRules()
    assert [p.key for p in problems] == [f"pathway.{key}"]
    assert reason in problems[0].reason


def test_one_bad_pathway_value_keeps_the_good_ones() -> None:
    settings, problems = parse_settings(
        {"pathway": {"relief_percent": 150, "relief_hours": 4, "waning_injections": 3}})
    assert settings.pathway == PathwayRules(relief_hours=4.0, waning_injections=3)
    assert [p.key for p in problems] == ["pathway.relief_percent"]


def test_pathway_must_be_a_table() -> None:
    settings, problems = parse_settings({"pathway": 75})
    assert settings.pathway == PathwayRules()
    assert [(p.key, p.reason) for p in problems] == [("pathway", "must be a table")]


def test_medicare_override_changes_only_that_key() -> None:
    settings, problems = parse_settings({"payers": {"medicare": {"max_levels": 3}}})
    assert problems == []
    medicare, *others = settings.payers
    assert medicare == PayerRules(max_levels=3)
    assert tuple(others) == DEFAULT_RULE_SETS[1:]
    check = payer_check(Procedure.FACET_DIAGNOSTIC, Region.LUMBAR, 3, TODAY, History(),
                        medicare)
    assert check.allowed
    default_check = payer_check(Procedure.FACET_DIAGNOSTIC, Region.LUMBAR, 3, TODAY,
                                History(), PayerRules())
    assert [p.rule for p in default_check.problems] == ["levels"]


def test_new_rule_set_gets_the_default_rules() -> None:
    settings, problems = parse_settings({"payers": {"bcbs": {"max_rfa": 1}}})
    assert problems == []
    assert settings.payers[:-1] == DEFAULT_RULE_SETS
    bcbs = settings.payers[-1]
    assert bcbs.key == "bcbs"
    assert bcbs.label == "Bcbs"
    assert bcbs.applies_to("bcbs")
    assert not bcbs.applies_to("medicare")
    assert bcbs.max_rfa == 1
    assert bcbs.diagnostic_relief_percent == PayerRules().diagnostic_relief_percent
    assert bcbs.max_levels == PayerRules().max_levels
    assert bcbs.window_months == PayerRules().window_months


def test_new_rule_set_applies_in_recommend_by_its_key() -> None:
    settings, _ = parse_settings({"payers": {"bcbs": {"label": "Blue Cross"}}})
    rec = recommend(diagnostic_report(77), History(), settings.rules, payer="bcbs",
                    today=TODAY)
    assert [(v.who, v.qualifies) for v in rec.payers] == [("Blue Cross", False)]
    assert rec.disagree is True
    assert rec.visit_types == (FOLLOW_UP,)


@pytest.mark.parametrize(
    ("payers", "key", "reason"),
    [
        pytest.param({"medicare": {"max_levels": 0}}, "payers.medicare.max_levels", "between",
                     id="levels-zero"),
        pytest.param({"medicare": {"window_months": "12"}}, "payers.medicare.window_months",
                     "whole number", id="window-text"),
        pytest.param({"medicare": {"names": ["medicare"]}}, "payers.medicare.names",
                     "a plan's aliases now", id="names-moved-to-plans"),
        pytest.param({"Medicare": {"max_levels": 3}}, "payers.Medicare",
                     "lower-case", id="key-not-lower-case"),
        pytest.param({"none": {"max_levels": 3}}, "payers.none",
                     "not 'none'", id="key-none"),
        pytest.param({"medicare": {"colour": "red"}}, "payers.medicare.colour",
                     "unknown setting", id="unknown-key"),
        pytest.param({"medicare": 2}, "payers.medicare", "must be a table", id="not-a-table"),
    ],
)
def test_bad_payer_values_are_reported_and_the_default_kept(
    payers: dict[str, Any], key: str, reason: str,
) -> None:
    settings, problems = parse_settings({"payers": payers})
    assert settings.payers == DEFAULT_RULE_SETS
    assert [p.key for p in problems] == [key]
    assert reason in problems[0].reason


def test_payers_must_be_a_table() -> None:
    settings, problems = parse_settings({"payers": ["medicare"]})
    assert settings.payers == DEFAULT_RULE_SETS
    assert [p.key for p in problems] == ["payers"]


def test_callback_values_override_defaults() -> None:
    settings, problems = parse_settings(
        {"callbacks": {"relief_report_hours": 48, "override_roles": ["Manager", "admin"]}})
    assert problems == []
    assert settings.callbacks == CallbackRules(relief_report_hours=48,
                                               override_roles=("manager", "admin"))


@pytest.mark.parametrize(
    ("key", "value", "reason"),
    [
        pytest.param("override_roles", ["doctor"], "roles are", id="unknown-role"),
        pytest.param("override_roles", ["manager", "nurse"], "roles are", id="one-unknown"),
        pytest.param("override_roles", "admin", "list of names", id="not-a-list"),
        pytest.param("override_roles", [3], "list of names", id="not-text"),
        pytest.param("relief_report_hours", 0, "between", id="hours-zero"),
        pytest.param("relief_report_hours", 24 * 15, "between", id="hours-over-two-weeks"),
    ],
)
def test_bad_callback_values_are_reported_and_the_default_kept(
    key: str, value: Any, reason: str,
) -> None:
    settings, problems = parse_settings({"callbacks": {key: value}})
    assert settings.callbacks == CallbackRules()
    assert [p.key for p in problems] == [f"callbacks.{key}"]
    assert reason in problems[0].reason
