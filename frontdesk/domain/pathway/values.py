"""The pathway's values: procedures, pain kinds, practice and payer thresholds, history, answers."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from frontdesk.domain.calls import CallReason
from frontdesk.domain.model import Region, Side

# Visit type codes the pathway recommends (the practice's catalogue uses the same codes).
NEW_PATIENT = "new-patient"
FOLLOW_UP = "follow-up"
RFA_CONSULT = "rfa-consult"


class Procedure(StrEnum):
    """The injections and ablations payer rules count (visit type codes)."""

    FACET_DIAGNOSTIC = "facet-diagnostic"
    FACET_THERAPEUTIC = "facet-therapeutic"
    RFA = "rfa"

    @property
    def label(self) -> str:
        return _PROCEDURE_LABELS[self]

    @property
    def noun(self) -> str:
        return _PROCEDURE_NOUNS[self]


_PROCEDURE_LABELS = {
    Procedure.FACET_DIAGNOSTIC: "Diagnostic facet joint injection (medial branch block)",
    Procedure.FACET_THERAPEUTIC: "Therapeutic facet joint injection",
    Procedure.RFA: "Radiofrequency ablation (RFA)",
}
_PROCEDURE_NOUNS = {
    Procedure.FACET_DIAGNOSTIC: "diagnostic",
    Procedure.FACET_THERAPEUTIC: "therapeutic",
    Procedure.RFA: "RFA",
}


class PainKind(StrEnum):
    MUSCLE = "muscle"
    SPINE = "spine"
    UNSURE = "unsure"

    @property
    def label(self) -> str:
        return _PAIN_LABELS[self]


_PAIN_LABELS = {
    PainKind.MUSCLE: "Muscle pain (spasm, strain, tight muscles)",
    PainKind.SPINE: "Spine: arthritis or facet joint problems",
    PainKind.UNSURE: "Not sure",
}


# --------------------------------------------------------------------------- rules


@dataclass(frozen=True, slots=True)
class PathwayRules:
    """The practice's protocol thresholds."""

    relief_percent: int = 75  # at least this much relief ...
    relief_hours: float = 2.0  # ... lasting at least this long: a positive diagnostic block
    no_relief_percent: int = 0  # at or below this: "no relief at all"
    waning_injections: int = 2  # relief wearing off after at least this many: RFA consult


#: The lowest and highest value settings.toml may give each protocol threshold.
PATHWAY_BOUNDS: dict[str, tuple[float, float]] = {
    "relief_percent": (1, 100),
    "relief_hours": (0, 24 * 30),
    "no_relief_percent": (0, 50),
    "waning_injections": (1, 20),
}


@dataclass(frozen=True, slots=True)
class PayerRules:
    """One payer rule set: the facet and RFA rules the plans that use it are checked against
    (the payer catalogue, ``domain/payers.py``, says which plan uses which). Defaults:
    Medicare, Novitas LCD L34892."""

    key: str = "medicare"
    label: str = "Medicare (Novitas)"
    diagnostic_blocks: int = 2  # blocks needed before therapeutic injections or RFA
    diagnostic_relief_percent: int = 80  # relief a block needs to count
    therapeutic_relief_percent: int = 50  # a repeat therapeutic needs the last one to have
    therapeutic_relief_months: int = 3  # ... given this much relief for this long
    repeat_rfa_relief_percent: int = 50
    repeat_rfa_relief_months: int = 6
    max_diagnostic: int = 4  # sessions per region in any rolling window
    max_therapeutic: int = 4
    max_rfa: int = 2
    window_months: int = 12
    max_levels: int = 2  # per session
    #: spinal regions whose sessions count together against the caps (each region alone when
    #: it is in no group), e.g. ((Region.CERVICAL, Region.THORACIC),)
    region_groups: tuple[tuple[Region, ...], ...] = ()

    def applies_to(self, payer: str) -> bool:
        """True for the rule set key ``payer`` (what a patient's plan resolves to)."""
        return payer.strip().casefold() == self.key

    def max_sessions(self, procedure: Procedure) -> int:
        return {
            Procedure.FACET_DIAGNOSTIC: self.max_diagnostic,
            Procedure.FACET_THERAPEUTIC: self.max_therapeutic,
            Procedure.RFA: self.max_rfa,
        }[procedure]

    def repeat_relief(self, procedure: Procedure) -> tuple[int, int]:
        """The relief (percent, months) the last ``procedure`` must have given before a repeat:
        an RFA's own rule, else the therapeutic injections' one."""
        if procedure == Procedure.RFA:
            return self.repeat_rfa_relief_percent, self.repeat_rfa_relief_months
        return self.therapeutic_relief_percent, self.therapeutic_relief_months

    def counted_with(self, region: Region | None) -> frozenset[Region | None]:
        """The regions whose sessions count with ``region``'s against the session caps."""
        for group in self.region_groups:
            if region in group:
                return frozenset(group)
        return frozenset({region})


#: The lowest and highest value a ``[payers.KEY]`` table may give each rule.
PAYER_BOUNDS: dict[str, tuple[float, float]] = {
    "diagnostic_blocks": (1, 5),
    "diagnostic_relief_percent": (1, 100),
    "therapeutic_relief_percent": (1, 100),
    "therapeutic_relief_months": (0, 36),
    "repeat_rfa_relief_percent": (1, 100),
    "repeat_rfa_relief_months": (0, 36),
    "max_diagnostic": (0, 52),
    "max_therapeutic": (0, 52),
    "max_rfa": (0, 52),
    "window_months": (1, 36),
    "max_levels": (1, 10),
}


@dataclass(frozen=True, slots=True)
class Rules:
    practice: PathwayRules = field(default_factory=PathwayRules)
    payers: tuple[PayerRules, ...] = (PayerRules(),)


# --------------------------------------------------------------------------- history


@dataclass(frozen=True, slots=True)
class PastSession:
    """A facet injection or RFA the patient had or has booked (cancelled ones are left out)."""

    procedure: Procedure
    region: Region | None
    day: date
    levels: int = 1
    provider_id: int | None = None
    level_set: frozenset[str] = frozenset()  # {"L4-L5", "L5-S1"}; empty: not on record
    side: Side | None = None  # None: not on record


@dataclass(frozen=True, slots=True)
class PastRelief:
    """A relief report the practice took after a procedure."""

    procedure: Procedure
    region: Region | None
    day: date  # the day of the procedure reported on (or of the report when unknown)
    percent: int
    hours: float
    same_scale: bool = True
    wearing_off: bool = False
    level_set: frozenset[str] = frozenset()  # the levels the procedure treated; empty: unknown
    side: Side | None = None  # None: not on record


@dataclass(frozen=True, slots=True)
class History:
    seen_before: bool = False  # the patient has had a visit with the practice
    sessions: tuple[PastSession, ...] = ()
    reliefs: tuple[PastRelief, ...] = ()

    def in_region(self, procedure: Procedure, region: Region | None) -> list[PastSession]:
        return self.in_regions(procedure, {region})

    def in_regions(self, procedure: Procedure,
                   regions: Collection[Region | None]) -> list[PastSession]:
        """Sessions of ``procedure`` in any of ``regions`` (a payer's regions counted together)."""
        return sorted((s for s in self.sessions
                       if s.procedure == procedure and s.region in regions),
                      key=lambda s: s.day)

    def reports(self, procedure: Procedure, region: Region | None) -> list[PastRelief]:
        return sorted((r for r in self.reliefs
                       if r.procedure == procedure and r.region == region),
                      key=lambda r: r.day)


# --------------------------------------------------------------------------- answers


@dataclass(frozen=True, slots=True)
class Answers:
    """What the caller said. ``None`` means not asked (or not answered) yet."""

    reason: CallReason | None = None
    pain_area: Region | None = None
    pain_kind: PainKind | None = None
    ordered: str | None = None  # the visit type the physician ordered (ORDERED_VISIT calls)
    procedure: Procedure | None = None  # the injection reported on
    region: Region | None = None
    levels: str | None = None  # "L4-L5, L5-S1"
    side: Side | None = None
    percent_relief: int | None = None
    hours_lasted: float | None = None
    scale_before: int | None = None
    scale_after: int | None = None
    same_scale: bool | None = None
    injections_so_far: int | None = None
    wearing_off: bool | None = None
