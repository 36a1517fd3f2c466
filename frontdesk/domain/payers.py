"""The practice's payer catalogue: the plans patients have, the names people type for them, and
the rule set (``PayerRules``) each plan's facet and RFA bookings are checked against.

A patient's payer is a plan key from the catalogue. Text typed before the catalogue existed (or
brought from another system) is recognised when it is a plan's name or one of its aliases,
compared without case, spaces or punctuation; anything else is *not recognised*, and a procedure
for that patient is not booked without someone choosing to (payer rules not checked).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from frontdesk.domain.pathway import PayerRules

#: ``rules`` of a plan whose visits no payer rule applies to (self-pay).
NO_RULES = "none"


@dataclass(frozen=True, slots=True)
class PayerPlan:
    """One plan in the catalogue."""

    key: str  # stored on the patient
    name: str  # what staff see
    aliases: tuple[str, ...] = ()  # what people type for it (the name is always one)
    rules: str = NO_RULES  # the key of its rule set ([payers.KEY]), or "none"

    @property
    def checked(self) -> bool:
        """True when the plan's bookings are checked against a payer rule set."""
        return self.rules != NO_RULES


@dataclass(frozen=True, slots=True)
class PayerOf:
    """What a patient's payer resolves to: a plan (``plan``), or not recognised."""

    plan: PayerPlan | None
    rules: PayerRules | None  # the plan's rule set; None for a self-pay plan or no plan
    text: str  # what is on file: the typed text, or the plan's name

    @property
    def recognised(self) -> bool:
        return self.plan is not None

    @property
    def rules_key(self) -> str:
        """The rule set key the pathway compares with (``""``: none apply)."""
        return self.rules.key if self.rules is not None else ""

    @property
    def label(self) -> str:
        """How the payer reads on a screen: the plan's name, or the typed text marked."""
        if self.plan is not None:
            return self.plan.name
        return f"{self.text} (not recognised)" if self.text else "no payer on file"


def folded(text: str) -> str:
    """``text`` as names are compared: NFKC, no case, '&' as 'and', letters and digits only."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("&", " and ")
    return re.sub(r"[^0-9a-z]+", "", text)


@dataclass(frozen=True, slots=True)
class Catalogue:
    plans: tuple[PayerPlan, ...]
    rule_sets: tuple[PayerRules, ...]

    def plan(self, key: str | None) -> PayerPlan | None:
        return next((p for p in self.plans if key and p.key == key), None)

    def match(self, text: str) -> PayerPlan | None:
        """The plan ``text`` names exactly (its key, name or an alias), or None."""
        wanted = folded(text)
        if not wanted:
            return None
        for plan in self.plans:
            if wanted in {folded(n) for n in (plan.key, plan.name, *plan.aliases)}:
                return plan
        return None

    def search(self, text: str, *, limit: int = 8) -> list[PayerPlan]:
        """Plans for a search box: exact matches first, then names or aliases that start with
        or hold ``text``, then near spellings ("Medcare")."""
        wanted = folded(text)
        if not wanted:
            return list(self.plans[:limit])
        scored: list[tuple[int, float, int, PayerPlan]] = []
        for order, plan in enumerate(self.plans):
            names = [folded(n) for n in (plan.name, *plan.aliases, plan.key)]
            likeness = 0.0
            if wanted in names:
                rank = 0
            elif any(n.startswith(wanted) for n in names):
                rank = 1
            elif any(wanted in n for n in names):
                rank = 2
            elif _words_found(text, plan):
                rank = 3  # every word typed is in the plan's names ("BCBS of Oklahoma")
            else:
                likeness = max(difflib.SequenceMatcher(None, wanted, n).ratio() for n in names)
                if likeness < 0.8:
                    continue
                rank = 4  # a near spelling: the nearest first
            scored.append((rank, -likeness, order, plan))
        return [s[-1] for s in sorted(scored, key=lambda s: s[:3])][:limit]

    def rules_of(self, plan: PayerPlan | None) -> PayerRules | None:
        if plan is None or not plan.checked:
            return None
        return next((r for r in self.rule_sets if r.key == plan.rules), None)

    def resolve(self, key: str | None, text: str) -> PayerOf:
        """A patient's payer: the stored plan ``key`` when the catalogue has it, else the
        ``text`` on file when it names a plan exactly, else not recognised."""
        plan = self.plan(key) if key else self.match(text)
        return PayerOf(plan, self.rules_of(plan), plan.name if plan else text.strip())

    def choose(self, text: str) -> PayerPlan:
        """The plan ``text`` names, for a form or a command; ValueError with suggestions."""
        plan = self.match(text)
        if plan is not None:
            return plan
        near = self.search(text, limit=3)
        hint = ("; did you mean " + " or ".join(p.name for p in near) + "?") if near else ""
        raise ValueError(f"{text.strip()[:60]!r} is not in the practice's payer list{hint}")


# --------------------------------------------------------------------------- defaults


def _rules(key: str, label: str) -> PayerRules:
    return PayerRules(key=key, label=label)


#: The rule sets the catalogue ships with. Each starts from the Novitas LCD L34892 figures;
#: the practice's billing office sets what its contracts say in settings.toml ([payers.KEY]).
DEFAULT_RULE_SETS: tuple[PayerRules, ...] = (
    PayerRules(),  # medicare: Medicare (Novitas L34892)
    _rules("medicare-advantage", "Medicare Advantage"),
    _rules("commercial", "Commercial"),
    _rules("soonercare", "SoonerCare"),
)

#: The plans the catalogue ships with (Oklahoma); settings.toml [plans.KEY] adds or changes.
DEFAULT_PLANS: tuple[PayerPlan, ...] = (
    PayerPlan("medicare", "Medicare Part B (Novitas)",
              ("Medicare", "Medicare Part B", "Medicare B", "Medicare - Novitas",
               "Medicare Novitas", "Novitas", "Original Medicare", "Traditional Medicare"),
              "medicare"),
    PayerPlan("humana-ma", "Humana Medicare Advantage",
              ("Humana Medicare", "Humana MA", "Humana Gold Plus"), "medicare-advantage"),
    PayerPlan("uhc-ma", "UnitedHealthcare Medicare Advantage",
              ("AARP Medicare Advantage", "UHC Medicare", "UnitedHealthcare Medicare",
               "AARP Medicare"), "medicare-advantage"),
    PayerPlan("medicare-advantage", "Medicare Advantage (other plan)",
              ("Medicare Advantage", "MA plan", "Medicare Part C"), "medicare-advantage"),
    PayerPlan("bcbs-ok", "BlueCross BlueShield of Oklahoma",
              ("BlueCross", "Blue Cross", "BCBS", "BCBSOK", "Blue Cross Blue Shield",
               "BlueCross BlueShield"), "commercial"),
    PayerPlan("aetna", "Aetna", ("Aetna Better Health",), "commercial"),
    PayerPlan("cigna", "Cigna", ("Cigna HealthSpring",), "commercial"),
    PayerPlan("uhc", "UnitedHealthcare", ("United Healthcare", "UHC", "United"), "commercial"),
    PayerPlan("soonercare", "SoonerCare (Oklahoma Medicaid)",
              ("SoonerCare", "Sooner Care", "Medicaid", "Oklahoma Medicaid", "OHCA"),
              "soonercare"),
    PayerPlan("self-pay", "Self-pay", ("Self pay", "Selfpay", "Cash", "Uninsured"), NO_RULES),
)


def catalogue(plans: Iterable[PayerPlan], rule_sets: Sequence[PayerRules]) -> Catalogue:
    return Catalogue(tuple(plans), tuple(rule_sets))


def _words_found(text: str, plan: PayerPlan) -> bool:
    """Whether every word of ``text`` begins a word of the plan's name or aliases."""
    words = [folded(w) for w in text.split()]
    words = [w for w in words if w]
    if len(words) < 2:
        return False
    own = {folded(w) for n in (plan.name, *plan.aliases) for w in n.split()} - {""}
    return all(any(o.startswith(w) for o in own) for w in words)
