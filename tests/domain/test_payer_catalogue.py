"""The payer catalogue: what typed text names a plan, the rule set behind each plan, and the
``[plans.KEY]`` settings that change it."""

from __future__ import annotations

from typing import Any

import pytest

from frontdesk.domain.payers import DEFAULT_PLANS, NO_RULES, PayerPlan, folded
from frontdesk.domain.settings import Settings, parse_settings

CATALOGUE = Settings().catalogue


@pytest.mark.parametrize(
    ("typed", "plan"),
    [
        ("Medicare", "medicare"),
        ("medicare", "medicare"),
        ("  MEDICARE  ", "medicare"),
        ("Medicare Part B", "medicare"),
        ("Medicare part  b", "medicare"),
        ("Medicare - Novitas", "medicare"),
        ("Medicare/Novitas", "medicare"),
        ("Novitas", "medicare"),
        ("Medicare Part B (Novitas)", "medicare"),  # the plan's own name
        ("Humana Medicare Advantage", "humana-ma"),
        ("Medicare Advantage", "medicare-advantage"),
        ("BlueCross BlueShield of Oklahoma", "bcbs-ok"),
        ("BlueCross", "bcbs-ok"),
        ("Blue Cross", "bcbs-ok"),
        ("Blue Cross & Blue Shield", None),  # '&' is 'and': not an alias as typed
        ("SoonerCare", "soonercare"),
        ("Self-pay", "self-pay"),
        ("self pay", "self-pay"),
        ("Medcare", None),  # a typo is not a plan: it is offered in search instead
        ("Medicare Part D", None),
        ("Commercial", None),
        ("", None),
        ("   ", None),
        ("--", None),
    ],
)
def test_typed_text_names_a_plan_only_exactly(typed: str, plan: str | None) -> None:
    found = CATALOGUE.match(typed)
    assert (found.key if found else None) == plan


def test_folded_ignores_case_spaces_and_punctuation() -> None:
    assert folded("Medicare - Novitas") == folded("medicare novitas") == "medicarenovitas"
    assert folded("Ｍｅｄｉｃａｒｅ") == "medicare"  # full-width letters (NFKC)
    assert folded("A & B") == "aandb"


@pytest.mark.parametrize(
    ("typed", "first"),
    [
        ("Medcare", "medicare"),
        ("medi", "medicare"),
        ("humana", "humana-ma"),
        ("blue", "bcbs-ok"),
        ("sooner", "soonercare"),
        ("advantage", "humana-ma"),  # holds the word: in catalogue order
        ("BCBS of Oklahoma", "bcbs-ok"),  # every word typed is in the plan's names
        ("humana gold", "humana-ma"),
    ],
)
def test_search_offers_near_plans_first(typed: str, first: str) -> None:
    assert CATALOGUE.search(typed)[0].key == first


def test_search_with_nothing_typed_lists_the_catalogue_and_nonsense_finds_nothing() -> None:
    assert [p.key for p in CATALOGUE.search("")] == [p.key for p in DEFAULT_PLANS[:8]]
    assert CATALOGUE.search("zzzz") == []


def test_choose_refuses_unknown_text_with_the_nearest_plans() -> None:
    assert CATALOGUE.choose("Medicare B").key == "medicare"
    with pytest.raises(ValueError, match=r"'Medcare' is not in the practice's payer list; "
                                         r"did you mean Medicare Part B \(Novitas\)"):
        CATALOGUE.choose("Medcare")


@pytest.mark.parametrize(
    ("key", "text", "plan", "rules", "label"),
    [
        ("medicare", "", "medicare", "medicare", "Medicare Part B (Novitas)"),
        (None, "Medicare", "medicare", "medicare", "Medicare Part B (Novitas)"),
        (None, "Humana Medicare", "humana-ma", "medicare-advantage",
         "Humana Medicare Advantage"),
        ("self-pay", "Self-pay", "self-pay", None, "Self-pay"),
        (None, "Medcare", None, None, "Medcare (not recognised)"),
        (None, "", None, None, "no payer on file"),
        ("retired-plan", "Old Plan", None, None, "Old Plan (not recognised)"),
        ("medicare", "Aetna", "medicare", "medicare", "Medicare Part B (Novitas)"),  # key wins
    ],
)
def test_a_patients_payer_resolves_by_key_then_by_text(
    key: str | None, text: str, plan: str | None, rules: str | None, label: str,
) -> None:
    payer = CATALOGUE.resolve(key, text)
    assert (payer.plan.key if payer.plan else None) == plan
    assert payer.recognised is (plan is not None)
    assert (payer.rules.key if payer.rules else None) == rules
    assert payer.rules_key == (rules or "")
    assert payer.label == label


def test_every_default_plan_has_a_rule_set_or_says_none() -> None:
    keys = {r.key for r in CATALOGUE.rule_sets}
    for plan in DEFAULT_PLANS:
        assert plan.rules == NO_RULES or plan.rules in keys, plan.key
    assert {p.key for p in DEFAULT_PLANS if not p.checked} == {"self-pay"}


# --------------------------------------------------------------------------- settings


def test_a_plan_table_adds_a_plan_with_its_rule_set() -> None:
    settings, problems = parse_settings({
        "payers": {"bcbs-federal": {"label": "BCBS Federal", "max_rfa": 1}},
        "plans": {"fep": {"name": "Federal Employee Program", "aliases": ["FEP", "BCBS FEP"],
                          "rules": "bcbs-federal"}},
    })
    assert problems == []
    plan = settings.catalogue.match("bcbs fep")
    assert plan == PayerPlan("fep", "Federal Employee Program", ("FEP", "BCBS FEP"),
                             "bcbs-federal")
    rules = settings.catalogue.rules_of(plan)
    assert rules is not None
    assert rules.max_rfa == 1
    assert rules.label == "BCBS Federal"


def test_a_plan_table_changes_a_packaged_plan() -> None:
    settings, problems = parse_settings(
        {"plans": {"medicare": {"aliases": ["Medicare", "Mcare"]}}})
    assert problems == []
    assert settings.catalogue.match("mcare").key == "medicare"  # type: ignore[union-attr]
    assert settings.catalogue.match("Novitas") is None  # the aliases were replaced
    assert settings.catalogue.plan("medicare").rules == "medicare"  # type: ignore[union-attr]


def test_a_plan_can_be_moved_to_no_payer_rules_only_by_saying_none() -> None:
    settings, problems = parse_settings({"plans": {"aetna": {"rules": "none"}}})
    assert problems == []
    payer = settings.catalogue.resolve("aetna", "")
    assert payer.recognised
    assert payer.rules is None


@pytest.mark.parametrize(
    ("plans", "key", "reason"),
    [
        pytest.param({"workers-comp": {"name": "Workers' compensation"}},
                     "plans.workers-comp.rules", "say which rule set", id="new-without-rules"),
        pytest.param({"aetna": {"rules": "aetna-2027"}}, "plans.aetna.rules",
                     "rule set key", id="unknown-rules"),
        pytest.param({"aetna": {"aliases": "Aetna"}}, "plans.aetna.aliases", "list of names",
                     id="aliases-not-a-list"),
        pytest.param({"aetna": {"aliases": ["Aetna", ""]}}, "plans.aetna.aliases",
                     "list of names", id="empty-alias"),
        pytest.param({"aetna": {"name": "x" * 61}}, "plans.aetna.name", "60 characters",
                     id="long-name"),
        pytest.param({"aetna": {"colour": "red"}}, "plans.aetna.colour", "unknown setting",
                     id="unknown-key"),
        pytest.param({"Aetna": {"rules": "commercial"}}, "plans.Aetna", "lower-case",
                     id="key-not-lower-case"),
        pytest.param({"aetna": 3}, "plans.aetna", "must be a table", id="not-a-table"),
        pytest.param({"aetna-ppo": {"name": "Aetna PPO", "aliases": ["Medicare"],
                                    "rules": "commercial"}},
                     "plans.aetna-ppo", "shares a name or alias with plans.medicare",
                     id="alias-of-another-plan"),
    ],
)
def test_bad_plans_are_reported_and_the_packaged_plan_kept(
    plans: dict[str, Any], key: str, reason: str,
) -> None:
    settings, problems = parse_settings({"plans": plans})
    assert [p.key for p in problems] == [key]
    assert reason in problems[0].reason
    assert settings.plans == DEFAULT_PLANS


def test_an_edit_that_takes_another_plans_alias_is_not_taken_and_drops_nothing() -> None:
    """The review's case: Medicare given "Humana Medicare" as an alias used to push the
    Humana plan out of the list; now the edit is refused and both plans stay as packaged."""
    settings, problems = parse_settings(
        {"plans": {"medicare": {"aliases": ["Medicare", "Humana Medicare"]}}})
    assert [(p.key, p.reason) for p in problems] == [
        ("plans.medicare", "shares a name or alias with plans.humana-ma")]
    assert settings.plans == DEFAULT_PLANS
    assert settings.catalogue.match("Humana Medicare").key == "humana-ma"  # type: ignore[union-attr]


def test_plans_must_be_a_table() -> None:
    settings, problems = parse_settings({"plans": ["medicare"]})
    assert settings.plans == DEFAULT_PLANS
    assert [p.key for p in problems] == ["plans"]
