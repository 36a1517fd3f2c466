"""The booking pathway: from what the caller reports to the visit the protocol says to book.

Pure: it takes the answers given on the phone, the patient's procedure and relief history and
the configured practice and payer rules, and returns the recommended visit type(s), the reasons
in plain words, the practice verdict beside each payer's, whether they disagree, and what
override booking would need. It never gives medical advice: where the rules cannot decide, it
routes to the physician.

Two questions are answered here:

- :func:`recommend` — which visit to book after this call, and what is still to be asked
  (:attr:`Recommendation.questions`, in the order the screen should ask them);
- :func:`payer_check` — whether one concrete procedure on one day passes a payer's rules
  (sessions per region in a rolling window, levels per session, the blocks it needs first), and
  if not, the earliest day it would.

Every threshold lives in :class:`PathwayRules` and :class:`PayerRules`, which come from the
practice's settings.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from dateutil.relativedelta import relativedelta

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


@dataclass(frozen=True, slots=True)
class PayerRules:
    """One payer's facet and RFA rules. Defaults: Medicare, Novitas LCD L34892."""

    key: str = "medicare"
    label: str = "Medicare (Novitas)"
    names: tuple[str, ...] = ("medicare", "medicare advantage", "novitas")
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

    def applies_to(self, payer: str) -> bool:
        return payer.strip().casefold() in self.names

    def max_sessions(self, procedure: Procedure) -> int:
        return {
            Procedure.FACET_DIAGNOSTIC: self.max_diagnostic,
            Procedure.FACET_THERAPEUTIC: self.max_therapeutic,
            Procedure.RFA: self.max_rfa,
        }[procedure]


# --------------------------------------------------------------------------- history


@dataclass(frozen=True, slots=True)
class PastSession:
    """A facet injection or RFA the patient had or has booked (cancelled ones are left out)."""

    procedure: Procedure
    region: Region | None
    day: date
    levels: int = 1
    provider_id: int | None = None


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


@dataclass(frozen=True, slots=True)
class History:
    seen_before: bool = False  # the patient has had a visit with the practice
    sessions: tuple[PastSession, ...] = ()
    reliefs: tuple[PastRelief, ...] = ()

    def in_region(self, procedure: Procedure, region: Region | None) -> list[PastSession]:
        return sorted((s for s in self.sessions
                       if s.procedure == procedure and s.region == region),
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


class AnswerError(ValueError):
    def __init__(self, key: str, reason: str) -> None:
        super().__init__(f"{key}: {reason}")
        self.key = key
        self.reason = reason


ANSWER_KEYS = tuple(f for f in Answers.__dataclass_fields__ if f != "reason")


def answers_from(data: Mapping[str, Any], reason: CallReason | None) -> Answers:
    """Answers from a call draft's stored JSON; a value that does not parse is left unasked."""
    values: dict[str, Any] = {}
    for key in ANSWER_KEYS:
        raw = data.get(key)
        if raw is None or raw == "":
            continue
        try:
            values[key] = parse_answer(key, raw)
        except AnswerError:
            continue
    return Answers(reason=reason, **values)


def parse_answer(key: str, raw: Any) -> Any:
    """One answer, typed or stored, as the value :class:`Answers` holds; AnswerError why not."""
    text = str(raw).strip()
    if key not in ANSWER_KEYS:
        raise AnswerError(key, "not a pathway question")
    enum_of: dict[str, type[StrEnum]] = {
        "pain_area": Region, "region": Region, "pain_kind": PainKind, "procedure": Procedure,
        "side": Side,
    }
    if key in enum_of:
        enum = enum_of[key]
        try:
            return enum(text.lower())
        except ValueError:
            choices = ", ".join(m.value for m in enum)
            raise AnswerError(key, f"one of {choices}") from None
    if key == "ordered":
        if not text:
            raise AnswerError(key, "choose the visit the physician ordered")
        return text
    if key == "levels":
        count_levels(text)
        return normalise_levels(text)
    if key == "percent_relief":
        return _whole(key, text.rstrip("%").strip(), 0, 100, "a percentage from 0 to 100")
    if key in ("scale_before", "scale_after"):
        return _whole(key, text, 0, 10, "a score from 0 to 10")
    if key == "injections_so_far":
        return _whole(key, text, 1, 50, "how many injections, counting this one")
    if key == "hours_lasted":
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            hours = float(raw)
        else:
            hours = parse_duration(text)
        if not 0 <= hours <= 24 * 365 * 3:
            raise AnswerError(key, "a duration like 90 min, 3 hours, 2 days or 4 months")
        return hours
    # yes/no questions
    if isinstance(raw, bool):
        return raw
    word = text.lower()
    if word in ("y", "yes", "true"):
        return True
    if word in ("n", "no", "false"):
        return False
    raise AnswerError(key, "yes or no")


def _whole(key: str, text: str, low: int, high: int, what: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise AnswerError(key, what) from None
    if not low <= value <= high:
        raise AnswerError(key, what)
    return value


_DURATION = re.compile(
    r"^\s*(\d+(?:\.\d+)?)\s*(m|min|mins|minutes?|h|hr|hrs|hours?|d|days?|w|wk|wks|weeks?"
    r"|mo|mos|months?)?\s*$", re.IGNORECASE)
_HOURS_PER = {"m": 1 / 60, "h": 1.0, "d": 24.0, "w": 24.0 * 7, "mo": 24.0 * 30}


def parse_duration(text: str) -> float:
    """Hours from '90 min', '2h', '3 hours', '2 days', '3 weeks', '4 months' or a bare number
    of hours."""
    match = _DURATION.match(text)
    if match is None:
        raise AnswerError("hours_lasted", "a duration like 90 min, 3 hours, 2 days or 4 months")
    number, unit = float(match.group(1)), (match.group(2) or "h").lower()
    if unit.startswith("mo"):
        key = "mo"
    elif unit.startswith("m"):
        key = "m"
    else:
        key = unit[0]
    return number * _HOURS_PER[key]


def describe_hours(hours: float) -> str:
    """'90 minutes', '2 hours', '3 days', '4 months': how long relief lasted, in words.

    Rounded down, so a time just short of a threshold never reads as the threshold itself.
    """
    if hours < 2 and hours * 60 % 60:
        minutes = math.floor(hours * 60 + 1e-9)
        return f"{minutes} minute{'' if minutes == 1 else 's'}"
    for size, unit in ((24 * 30, "month"), (24 * 7, "week"), (24, "day"), (1, "hour")):
        if hours >= size * (2 if unit != "hour" else 1):
            amount = math.floor(hours / size * 10 + 1e-9) / 10
            shown = f"{amount:.1f}".rstrip("0").rstrip(".")
            return f"{shown} {unit}{'' if shown == '1' else 's'}"
    return f"{math.floor(hours * 60 + 1e-9)} minutes"


_LEVEL = re.compile(r"^([CTL])(\d{1,2})-([CTLS])(\d{1,2})$")
_REGION_LETTER = {"C": Region.CERVICAL, "T": Region.THORACIC, "L": Region.LUMBAR}


def normalise_levels(text: str) -> str:
    parts = [p.strip().upper().replace(" ", "") for p in re.split(r"[,;/]| and ", text)]
    return ", ".join(p for p in parts if p)


def count_levels(text: str, region: Region | None = None) -> int:
    """How many spinal levels 'L4-L5, L5-S1' names; AnswerError when it is not levels, or
    when they are not in ``region``."""
    parts = [p for p in normalise_levels(text).split(", ") if p]
    if not parts:
        raise AnswerError("levels", "write levels like L4-L5, L5-S1")
    for part in parts:
        match = _LEVEL.match(part)
        if match is None:
            raise AnswerError("levels", "write levels like L4-L5, L5-S1")
        if region is not None and _REGION_LETTER[match.group(1)] != region:
            raise AnswerError("levels", f"{part} is not in the {region.value} spine")
    return len(parts)


# --------------------------------------------------------------------------- questions


@dataclass(frozen=True, slots=True)
class Question:
    key: str
    prompt: str
    choices: tuple[tuple[str, str], ...] = ()  # (value, label) when the answer is a choice
    hint: str = ""


def _choices(enum: Iterable[Any]) -> tuple[tuple[str, str], ...]:
    return tuple((m.value, m.label if hasattr(m, "label") else m.value.title()) for m in enum)


_REGION_CHOICES = (
    (Region.LUMBAR.value, "Low back (lumbar)"),
    (Region.CERVICAL.value, "Neck (cervical)"),
    (Region.THORACIC.value, "Mid back (thoracic)"),
)
_SIDE_CHOICES = ((Side.BILATERAL.value, "Both sides"), (Side.LEFT.value, "Left"),
                 (Side.RIGHT.value, "Right"))

QUESTIONS: dict[str, Question] = {
    "pain_area": Question("pain_area", "Where is the pain?", _REGION_CHOICES),
    "pain_kind": Question("pain_kind", "What kind of pain does the caller describe?",
                          _choices(PainKind)),
    "ordered": Question("ordered", "Which visit did the physician order?"),
    "procedure": Question("procedure", "Which injection is the caller reporting on?",
                          _choices(Procedure)),
    "region": Question("region", "Which part of the spine was injected?", _REGION_CHOICES),
    "levels": Question("levels", "Which levels?", hint="e.g. L4-L5, L5-S1"),
    "side": Question("side", "Which side?", _SIDE_CHOICES),
    "percent_relief": Question("percent_relief", "How much relief, in percent?",
                               hint="0 for none, 100 for all the pain gone"),
    "hours_lasted": Question("hours_lasted", "How long did the relief last?",
                             hint="e.g. 90 min, 3 hours, 2 days, 4 months"),
    "scale_before": Question("scale_before", "Pain score before the injection (0-10)?"),
    "scale_after": Question("scale_after", "Pain score after the injection (0-10)?"),
    "same_scale": Question("same_scale", "Were both scores on the same 0-10 scale?",
                           (("yes", "Yes"), ("no", "No"))),
    "injections_so_far": Question("injections_so_far",
                                  "How many of these injections so far, counting this one?"),
    "wearing_off": Question("wearing_off", "Is the relief wearing off sooner each time?",
                            (("yes", "Yes"), ("no", "No"))),
}


# --------------------------------------------------------------------------- verdicts


@dataclass(frozen=True, slots=True)
class Problem:
    """One payer rule a booking would break."""

    rule: str  # "limit" | "levels" | "blocks" | "repeat"
    text: str
    earliest: date | None = None  # when the rule would allow it (None: waiting does not help)


@dataclass(frozen=True, slots=True)
class PayerCheck:
    """A payer's rules applied to one procedure on one day."""

    payer: str  # the payer rules' label
    procedure: Procedure
    region: Region | None
    day: date
    count: int  # sessions of this kind in this region in the window ending on ``day``
    limit: int
    problems: tuple[Problem, ...] = ()
    window_months: int = 12
    notes: tuple[str, ...] = ()  # conditions to pass on (e.g. documentation the payer needs)

    @property
    def allowed(self) -> bool:
        return not self.problems

    @property
    def earliest(self) -> date | None:
        """The first day every problem is solved by waiting, or None when waiting is not enough."""
        if not self.problems or any(p.earliest is None for p in self.problems):
            return None
        return max(p.earliest for p in self.problems if p.earliest is not None)


@dataclass(frozen=True, slots=True)
class Verdict:
    """One side's reading of the report or request: the practice's, or one payer's."""

    who: str  # "Practice" or the payer's label
    qualifies: bool | None  # None when there is nothing to judge (no report, no procedure)
    summary: str


@dataclass(frozen=True, slots=True)
class Recommendation:
    visit_types: tuple[str, ...] = ()  # the first is the one to book; others are alternatives
    reasons: tuple[str, ...] = ()
    practice: Verdict | None = None
    payers: tuple[Verdict, ...] = ()
    disagree: bool = False
    physician_review: bool = False
    checks: tuple[PayerCheck, ...] = ()  # payer rules on the visit to book, today
    questions: tuple[Question, ...] = ()  # still to ask, in order
    region: Region | None = None
    levels: str | None = None
    side: Side | None = None

    @property
    def complete(self) -> bool:
        return not self.questions

    @property
    def override(self) -> str | None:
        """What booking the recommended visit needs beyond a receptionist, in words."""
        broken = [p for c in self.checks for p in c.problems]
        if not broken:
            return None
        return ("Booking this anyway needs an override by someone allowed to override payer "
                "rules, with a reason: " + "; ".join(p.text for p in broken))


@dataclass(frozen=True, slots=True)
class Rules:
    practice: PathwayRules = field(default_factory=PathwayRules)
    payers: tuple[PayerRules, ...] = (PayerRules(),)


# --------------------------------------------------------------------------- recommend


def needed(answers: Answers, history: History, rules: Rules, payer: str) -> list[str]:
    """The question keys this call needs, in the order to ask them (answered ones included)."""
    reason = answers.reason
    if reason == CallReason.NEW_PROBLEM:
        return ["pain_area", "pain_kind"]
    if reason == CallReason.ORDERED_VISIT:
        keys = ["ordered"]
        if answers.ordered in {p.value for p in Procedure}:
            keys += ["region", "levels", "side"]
        return keys
    if reason != CallReason.INJECTION_REPORT:
        return []
    keys = ["procedure", "region", "levels", "side", "percent_relief"]
    if answers.percent_relief is None or answers.percent_relief <= rules.practice.no_relief_percent:
        return keys
    keys.append("hours_lasted")
    payers = [p for p in rules.payers if p.applies_to(payer)]
    if answers.procedure == Procedure.FACET_DIAGNOSTIC and payers:
        keys += ["scale_before", "scale_after", "same_scale"]
    keys.append("injections_so_far")
    if (answers.injections_so_far or 0) >= rules.practice.waning_injections:
        keys.append("wearing_off")
    return keys


def still_to_ask(answers: Answers, rules: Rules, *, payer: str,
                 history: History | None = None) -> tuple[Question, ...]:
    """The questions this call still needs, in order: what the screen asks next. Needs no
    history, so the screen can ask at once while the recommendation is worked out."""
    keys = needed(answers, history or History(), rules, payer)
    missing = tuple(QUESTIONS[k] for k in keys if getattr(answers, k) is None)
    # Levels must belong to the region; a mismatch is asked again, not guessed.
    if answers.levels is not None and answers.region is not None and "levels" in keys:
        try:
            count_levels(answers.levels, answers.region)
        except AnswerError:
            missing = (QUESTIONS["levels"], *missing)
    return missing


def recommend(answers: Answers, history: History, rules: Rules, *, payer: str,
              today: date) -> Recommendation:
    """The visit to book after this call, why, and what is still to be asked."""
    missing = still_to_ask(answers, rules, payer=payer, history=history)
    base = Recommendation(questions=missing, region=answers.region, levels=answers.levels,
                          side=answers.side)
    if answers.reason is None or missing:
        return base
    if answers.reason == CallReason.NEW_PROBLEM:
        return _new_problem(answers, history, base)
    if answers.reason == CallReason.ORDERED_VISIT:
        return _ordered(answers, history, rules, payer, today, base)
    if answers.reason == CallReason.INJECTION_REPORT:
        return _report(answers, history, rules, payer, today, base)
    return base


def _replace(base: Recommendation, **changes: Any) -> Recommendation:
    return replace(base, **changes)


def _new_problem(answers: Answers, history: History, base: Recommendation) -> Recommendation:
    kind = answers.pain_kind
    options = ("pain medication, muscle relaxants, massage therapy and trigger point injections")
    if kind == PainKind.SPINE:
        options += ", and injection therapy for the spine"
    if not history.seen_before:
        reasons = ("New to the practice: every new caller starts with a new-patient evaluation.",
                   f"At the evaluation the clinician goes through the options: {options}.")
        visit = NEW_PATIENT
        summary = "New-patient evaluation first"
    else:
        reasons = ("Known patient with a new problem: a physician follow-up comes before any "
                   "treatment is booked.",
                   f"The physician decides between the options: {options}.")
        visit = FOLLOW_UP
        summary = "Physician follow-up for the new problem"
    return _replace(base, visit_types=(visit,), reasons=reasons,
                    practice=Verdict("Practice", None, summary))


def _ordered(answers: Answers, history: History, rules: Rules, payer: str, today: date,
             base: Recommendation) -> Recommendation:
    visit = answers.ordered or FOLLOW_UP
    reasons = ["The physician ordered this visit; book it as ordered."]
    checks: tuple[PayerCheck, ...] = ()
    if visit in {p.value for p in Procedure}:
        procedure = Procedure(visit)
        levels = count_levels(answers.levels or "", answers.region)
        checks = tuple(payer_check(procedure, answers.region, levels, today, history, p)
                       for p in rules.payers if p.applies_to(payer))
    payers = tuple(Verdict(c.payer, c.allowed, _check_summary(c)) for c in checks)
    return _replace(base, visit_types=(visit,), reasons=tuple(reasons),
                    practice=Verdict("Practice", True, "Ordered by the physician"),
                    payers=payers, checks=checks)


def _check_summary(check: PayerCheck) -> str:
    if check.allowed:
        return (f"Allowed: {check.count} of {check.limit} {check.procedure.noun} sessions "
                f"in this region in {check.window_months} months")
    return "Not allowed: " + "; ".join(p.text for p in check.problems)


def _report(answers: Answers, history: History, rules: Rules, payer: str, today: date,
            base: Recommendation) -> Recommendation:
    procedure = answers.procedure
    assert procedure is not None
    assert answers.percent_relief is not None
    percent = answers.percent_relief
    hours = answers.hours_lasted or 0.0
    practice_rules = rules.practice
    relief_words = (f"{percent} % relief lasting {describe_hours(hours)}"
                    if percent > practice_rules.no_relief_percent else "no relief")
    waning = (bool(answers.wearing_off) and percent > practice_rules.no_relief_percent
              and (answers.injections_so_far or 0) >= practice_rules.waning_injections)
    payers = [p for p in rules.payers if p.applies_to(payer)]

    if percent <= practice_rules.no_relief_percent:
        practice = Verdict("Practice", False, "No relief: the pain source is not identified")
        verdicts = tuple(Verdict(p.label, False, "No relief: does not count") for p in payers)
        return _replace(
            base, visit_types=(FOLLOW_UP,), practice=practice, payers=verdicts,
            reasons=("No relief at all: the injection did not find the source of the pain.",
                     "The physician does other tests, so book a physician follow-up, not "
                     "another injection."))

    if waning:
        return _waning(answers, history, rules, payers, today, base, relief_words)
    if procedure == Procedure.FACET_DIAGNOSTIC:
        return _diagnostic(answers, history, rules, payers, today, base, relief_words)
    return _after_treatment(answers, history, rules, payers, today, base, relief_words)


def _waning(answers: Answers, history: History, rules: Rules, payers: list[PayerRules],
            today: date, base: Recommendation, relief_words: str) -> Recommendation:
    count = answers.injections_so_far or 0
    reasons = [f"Relief is wearing off after {count} injections ({relief_words} this time).",
               "The patient may be a candidate for radiofrequency ablation: book an RFA "
               "consult with the physician."]
    verdicts: list[Verdict] = []
    disagree = False
    for p in payers:
        blocks = _qualifying_blocks(history, answers, p)
        if blocks >= p.diagnostic_blocks:
            verdicts.append(Verdict(p.label, True,
                                    f"RFA possible: {blocks} qualifying diagnostic blocks"))
        else:
            disagree = True
            verdicts.append(Verdict(
                p.label, False,
                f"RFA needs {p.diagnostic_blocks} diagnostic blocks with at least "
                f"{p.diagnostic_relief_percent} % relief; {blocks} on record"))
            reasons.append(f"{p.label} would not pay for RFA yet: it needs "
                           f"{p.diagnostic_blocks} diagnostic blocks with at least "
                           f"{p.diagnostic_relief_percent} % relief and has {blocks}. The "
                           "physician reviews this at the consult.")
    return _replace(base, visit_types=(RFA_CONSULT,), reasons=tuple(reasons),
                    practice=Verdict("Practice", True, "Waning relief: RFA candidate"),
                    payers=tuple(verdicts), disagree=disagree, physician_review=disagree)


def _qualifying_blocks(history: History, answers: Answers, payer: PayerRules,
                       include_this: bool | None = None) -> int:
    """Diagnostic blocks in the region with the payer's relief on the same scale; the block
    reported now counts when it is a diagnostic one and ``include_this`` is not False."""
    count = sum(1 for r in history.reports(Procedure.FACET_DIAGNOSTIC, answers.region)
                if r.percent >= payer.diagnostic_relief_percent and r.same_scale)
    this = (answers.procedure == Procedure.FACET_DIAGNOSTIC
            and (answers.percent_relief or 0) >= payer.diagnostic_relief_percent
            and answers.same_scale is not False)
    if include_this is not False and this:
        count += 1
    return count


def _diagnostic(answers: Answers, history: History, rules: Rules, payers: list[PayerRules],
                today: date, base: Recommendation, relief_words: str) -> Recommendation:
    practice_rules = rules.practice
    percent = answers.percent_relief or 0
    hours = answers.hours_lasted or 0.0
    positive = percent >= practice_rules.relief_percent and hours >= practice_rules.relief_hours
    threshold = (f"at least {practice_rules.relief_percent} % relief for at least "
                 f"{describe_hours(practice_rules.relief_hours)}")
    practice = Verdict(
        "Practice", positive,
        f"Positive block: {relief_words}" if positive
        else f"Below the protocol's {threshold}: {relief_words}")
    verdicts: list[Verdict] = []
    reasons: list[str] = []
    disagree = False
    needs_confirmation: list[PayerRules] = []
    for p in payers:
        counts = (percent >= p.diagnostic_relief_percent and answers.same_scale is not False)
        blocks = _qualifying_blocks(history, answers, p)
        if counts:
            summary = (f"Counts: {percent} % is at least {p.diagnostic_relief_percent} % "
                       f"({blocks} of {p.diagnostic_blocks} blocks)")
        elif answers.same_scale is False:
            summary = "Does not count: pain was not scored on the same scale before and after"
        else:
            summary = (f"Does not count: {percent} % is below {p.diagnostic_relief_percent} %")
        verdicts.append(Verdict(p.label, counts, summary))
        if counts != positive:
            disagree = True
            reasons.append(
                f"The practice protocol and {p.label} disagree: the protocol "
                f"{'counts' if positive else 'does not count'} this block, {p.label} "
                f"{'counts' if counts else 'does not'} ({summary.split(': ', 1)[1]}).")
        elif counts and blocks < p.diagnostic_blocks:
            needs_confirmation.append(p)

    if disagree:
        reasons.append("When they disagree the physician decides: book a physician follow-up "
                       "to review the result.")
        return _replace(base, visit_types=(FOLLOW_UP,), reasons=tuple(reasons),
                        practice=practice, payers=tuple(verdicts), disagree=True,
                        physician_review=True)
    if not positive:
        reasons = [f"Some relief ({relief_words}), but below the protocol's {threshold}.",
                   "Relief between none and the threshold goes to the physician: book a "
                   "physician follow-up; don't guess the next injection."]
        return _replace(base, visit_types=(FOLLOW_UP,), reasons=tuple(reasons),
                        practice=practice, payers=tuple(verdicts), physician_review=True)
    if needs_confirmation:
        labels = ", ".join(p.label for p in needs_confirmation)
        reasons = [f"A positive diagnostic block: {relief_words}.",
                   f"{labels} pays for therapeutic injections or RFA only after a second, "
                   "confirmatory diagnostic block with the same result: book the second "
                   "diagnostic block at the same levels."]
        visit = Procedure.FACET_DIAGNOSTIC
    else:
        reasons = [f"A positive diagnostic block: {relief_words}.",
                   "Facet injections may now be used for treatment: book a therapeutic facet "
                   "joint injection at the same levels."]
        visit = Procedure.FACET_THERAPEUTIC
        for p in payers:
            reasons.append(f"{p.label} also needs the physician's note on why the patient is "
                           "not a candidate for RFA; the clinical team adds it.")
    checks = _checks(visit, answers, history, payers, today)
    reasons += [f"{c.payer}: {p.text}" for c in checks for p in c.problems]
    return _replace(base, visit_types=(visit.value,), reasons=tuple(reasons),
                    practice=practice, payers=tuple(verdicts), checks=checks)


def _after_treatment(answers: Answers, history: History, rules: Rules,
                     payers: list[PayerRules], today: date, base: Recommendation,
                     relief_words: str) -> Recommendation:
    """A report after a therapeutic injection or an RFA: repeat when it helped long enough."""
    procedure = answers.procedure
    assert procedure is not None
    percent = answers.percent_relief or 0
    hours = answers.hours_lasted or 0.0
    practice_rules = rules.practice
    good = percent >= practice_rules.relief_percent
    practice = Verdict(
        "Practice", good,
        f"Good relief: {relief_words}" if good
        else f"Partial relief: {relief_words}; the physician reviews it")
    verdicts: list[Verdict] = []
    disagree = False
    reasons = [f"After the {procedure.label.lower()}: {relief_words}."]
    for p in payers:
        if procedure == Procedure.RFA:
            need_pct, need_months = p.repeat_rfa_relief_percent, p.repeat_rfa_relief_months
        else:
            need_pct, need_months = p.therapeutic_relief_percent, p.therapeutic_relief_months
        ok = percent >= need_pct and hours >= need_months * 30 * 24
        summary = (f"{'Repeat allowed' if ok else 'Repeat not covered'}: needs at least "
                   f"{need_pct} % relief for {need_months} months")
        verdicts.append(Verdict(p.label, ok, summary))
        if ok != good:
            disagree = True
            reasons.append(f"The practice protocol and {p.label} disagree ({summary}).")
    if disagree or not good:
        reasons.append("The physician decides: book a physician follow-up to review it.")
        return _replace(base, visit_types=(FOLLOW_UP,), reasons=tuple(reasons),
                        practice=practice, payers=tuple(verdicts), disagree=disagree,
                        physician_review=True)
    if procedure == Procedure.RFA:
        reasons.append("The ablation helped: book an RFA consult for when the pain returns; "
                       "the physician decides on a repeat.")
        return _replace(base, visit_types=(RFA_CONSULT,), reasons=tuple(reasons),
                        practice=practice, payers=tuple(verdicts))
    reasons.append("The injection helped: a repeat therapeutic injection at the same levels "
                   "can be booked when the pain returns.")
    checks = _checks(Procedure.FACET_THERAPEUTIC, answers, history, payers, today)
    reasons += [f"{c.payer}: {p.text}" for c in checks for p in c.problems]
    return _replace(base, visit_types=(Procedure.FACET_THERAPEUTIC.value,),
                    reasons=tuple(reasons), practice=practice, payers=tuple(verdicts),
                    checks=checks)


def _checks(visit: Procedure, answers: Answers, history: History, payers: list[PayerRules],
            today: date) -> tuple[PayerCheck, ...]:
    levels = count_levels(answers.levels or "", answers.region) if answers.levels else 1
    pending = _with_report(history, answers)
    return tuple(payer_check(visit, answers.region, levels, today, pending, p) for p in payers)


def _with_report(history: History, answers: Answers) -> History:
    """History with the report being taken now, so rules that need it see it."""
    if answers.procedure is None or answers.percent_relief is None:
        return history
    last = history.in_region(answers.procedure, answers.region)
    day = last[-1].day if last else date.min
    report = PastRelief(answers.procedure, answers.region, day, answers.percent_relief,
                        answers.hours_lasted or 0.0, answers.same_scale is not False,
                        bool(answers.wearing_off))
    reliefs = tuple(r for r in history.reliefs
                    if not (r.procedure == report.procedure and r.region == report.region
                            and r.day == report.day))
    return History(history.seen_before, history.sessions, (*reliefs, report))


# --------------------------------------------------------------------------- payer rules


def payer_check(procedure: Procedure, region: Region | None, levels: int, day: date,
                history: History, payer: PayerRules) -> PayerCheck:
    """Whether ``payer`` allows ``procedure`` in ``region`` on ``day``, and when it would."""
    window = relativedelta(months=payer.window_months)
    limit = payer.max_sessions(procedure)
    days = [s.day for s in history.in_region(procedure, region)]
    count = sum(1 for d in days if d > day - window and d <= day)
    problems: list[Problem] = []
    notes: list[str] = []
    if levels > payer.max_levels:
        problems.append(Problem("levels", f"at most {payer.max_levels} levels per session "
                                          f"({levels} asked)"))
    if not _fits(days, day, limit, window):
        earliest = _earliest_fit(days, day, limit, window)
        where = region.value if region else "this region"
        problems.append(Problem(
            "limit",
            f"{limit} {procedure.noun} sessions in the {where} spine in "
            f"{payer.window_months} months already"
            + (f"; allowed again from {earliest:%a %d %b %Y}" if earliest else ""),
            earliest))
    reports = history.reports(Procedure.FACET_DIAGNOSTIC, region)
    blocks = sum(1 for r in reports if r.percent >= payer.diagnostic_relief_percent
                 and r.same_scale)
    if procedure == Procedure.FACET_DIAGNOSTIC and days:
        previous = [d for d in days if d <= day]
        if previous and blocks == 0:
            problems.append(Problem(
                "blocks", f"a second diagnostic block needs a first one with at least "
                          f"{payer.diagnostic_relief_percent} % relief on record"))
    if procedure in (Procedure.FACET_THERAPEUTIC, Procedure.RFA) \
            and blocks < payer.diagnostic_blocks:
        problems.append(Problem(
            "blocks", f"{payer.diagnostic_blocks} diagnostic blocks with at least "
                      f"{payer.diagnostic_relief_percent} % relief are needed first "
                      f"({blocks} on record)"))
    if procedure == Procedure.FACET_THERAPEUTIC:
        notes.append("needs the physician's note on why the patient is not an RFA candidate")
    if procedure in (Procedure.FACET_THERAPEUTIC, Procedure.RFA):
        earlier = [r for r in history.reports(procedure, region) if r.day <= day]
        if earlier:
            last = earlier[-1]
            if procedure == Procedure.RFA:
                pct, months = payer.repeat_rfa_relief_percent, payer.repeat_rfa_relief_months
            else:
                pct, months = payer.therapeutic_relief_percent, payer.therapeutic_relief_months
            if last.percent < pct or last.hours < months * 30 * 24:
                problems.append(Problem(
                    "repeat", f"a repeat needs the last one to have given at least {pct} % "
                              f"relief for {months} months (it gave {last.percent} % for "
                              f"{describe_hours(last.hours)})"))
    return PayerCheck(payer=payer.label, procedure=procedure, region=region, day=day,
                      count=count, limit=limit, problems=tuple(problems), notes=tuple(notes),
                      window_months=payer.window_months)


def _fits(days: Sequence[date], day: date, limit: int, window: relativedelta) -> bool:
    """True when adding a session on ``day`` keeps every window that holds it within limit."""
    combined = sorted([*days, day])
    for start in combined:
        end = start + window
        if not start <= day < end:
            continue
        if sum(1 for d in combined if start <= d < end) > limit:
            return False
    # windows that start before the first session inside them are covered by those that start
    # on a session: the count only changes at session days.
    return True


def _earliest_fit(days: Sequence[date], day: date, limit: int,
                  window: relativedelta) -> date | None:
    """The first day from ``day`` on when a session would fit, or None within two windows."""
    if limit <= 0:
        return None
    candidate = day
    last = day + window + window
    while candidate <= last:
        if _fits(days, candidate, limit, window):
            return candidate
        candidate += timedelta(days=1)
    return None


def session_counts(history: History, region: Region | None, day: date,
                   payer: PayerRules, *, booked_after: bool = False) -> dict[Procedure, int]:
    """Sessions of each kind in ``region`` in the payer's window ending on ``day`` (and, with
    ``booked_after``, those already booked after it)."""
    window = relativedelta(months=payer.window_months)
    return {proc: sum(1 for s in history.in_region(proc, region)
                      if day - window < s.day and (booked_after or s.day <= day))
            for proc in Procedure}
