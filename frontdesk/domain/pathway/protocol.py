"""The practice protocol: the questions a call needs, then the visit to book (recommend)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from frontdesk.domain.calls import CallReason
from frontdesk.domain.pathway import script
from frontdesk.domain.pathway.payers import PayerCheck, payer_check
from frontdesk.domain.pathway.questions import (
    QUESTIONS,
    AnswerError,
    Question,
    count_levels,
    level_set,
)
from frontdesk.domain.pathway.recommendation import Recommendation, Verdict, _replace
from frontdesk.domain.pathway.relief import _report
from frontdesk.domain.pathway.values import (
    FOLLOW_UP,
    NEW_PATIENT,
    Answers,
    History,
    PainKind,
    Procedure,
    Rules,
)

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
    missing = tuple(worded(QUESTIONS[k], answers) for k in keys if getattr(answers, k) is None)
    # Levels must belong to the region; a mismatch is asked again, not guessed.
    if answers.levels is not None and answers.region is not None and "levels" in keys:
        try:
            count_levels(answers.levels, answers.region)
        except AnswerError:
            missing = (QUESTIONS["levels"], *missing)
    return missing


def worded(question: Question, answers: Answers) -> Question:
    """The question in the tense of the visit it is about: a visit the physician ordered is
    still to come ("will be injected"), a report is about one done ("was injected"); an
    ablation is treated, not injected."""
    if question.key != "region" or answers.reason not in (CallReason.ORDERED_VISIT,
                                                          CallReason.INJECTION_REPORT):
        return question
    ahead = answers.reason == CallReason.ORDERED_VISIT
    procedure = answers.ordered if ahead else answers.procedure
    done = "treated" if procedure == Procedure.RFA else "injected"
    return replace(question, prompt=f"Which part of the spine {'will be' if ahead else 'was'} "
                                    f"{done}?")


def recommend(answers: Answers, history: History, rules: Rules, *, payer: str,
              today: date) -> Recommendation:
    """The visit to book after this call, why, and what is still to be asked."""
    missing = still_to_ask(answers, rules, payer=payer, history=history)
    base = Recommendation(questions=missing, region=answers.region, levels=answers.levels,
                          side=answers.side)
    if answers.reason is None or missing:
        return base
    if answers.reason == CallReason.NEW_PROBLEM:
        rec = _new_problem(answers, history, base)
    elif answers.reason == CallReason.ORDERED_VISIT:
        rec = _ordered(answers, history, rules, payer, today, base)
    elif answers.reason == CallReason.INJECTION_REPORT:
        rec = _report(answers, history, rules, payer, today, base)
    else:
        return base
    if rec.override is not None:
        rec = _replace(rec, say=(*rec.say, script.CHECK_FIRST))
    return rec


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
        say = script.NEW_PATIENT
    else:
        reasons = ("Known patient with a new problem: a physician follow-up comes before any "
                   "treatment is booked.",
                   f"The physician decides between the options: {options}.")
        visit = FOLLOW_UP
        summary = "Physician follow-up for the new problem"
        say = script.NEW_PROBLEM
    return _replace(base, visit_types=(visit,), reasons=reasons, say=say,
                    practice=Verdict("Practice", None, summary))


def _ordered(answers: Answers, history: History, rules: Rules, payer: str, today: date,
             base: Recommendation) -> Recommendation:
    visit = answers.ordered or FOLLOW_UP
    reasons = ["The physician ordered this visit; book it as ordered."]
    checks: tuple[PayerCheck, ...] = ()
    if visit in {p.value for p in Procedure}:
        procedure = Procedure(visit)
        levels = count_levels(answers.levels or "", answers.region)
        at = level_set(answers.levels or "", answers.region)
        checks = tuple(payer_check(procedure, answers.region, levels, today, history, p,
                                   level_set=at, side=answers.side)
                       for p in rules.payers if p.applies_to(payer))
    payers = tuple(Verdict(c.payer, c.allowed, _check_summary(c)) for c in checks)
    return _replace(base, visit_types=(visit,), reasons=tuple(reasons), say=script.ORDERED,
                    practice=Verdict("Practice", True, "Ordered by the physician"),
                    payers=payers, checks=checks)


def _check_summary(check: PayerCheck) -> str:
    if check.allowed:
        return (f"Allowed: {check.count} of {check.limit} {check.procedure.noun} sessions "
                f"in this region in {check.window_months} months")
    return "Not allowed: " + "; ".join(p.text for p in check.problems)
