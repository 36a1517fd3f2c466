"""An injection report: the visit the reported relief calls for, by protocol and by payer."""

from __future__ import annotations

from datetime import date

from frontdesk.domain.pathway import script
from frontdesk.domain.pathway.levels import Where, blocks_at
from frontdesk.domain.pathway.payers import PayerCheck, payer_check
from frontdesk.domain.pathway.questions import (
    AnswerError,
    count_levels,
    describe_hours,
    lasted_months,
    level_set,
)
from frontdesk.domain.pathway.recommendation import Recommendation, Verdict, _replace
from frontdesk.domain.pathway.values import (
    FOLLOW_UP,
    RFA_CONSULT,
    Answers,
    History,
    PastRelief,
    PayerRules,
    Procedure,
    Rules,
)


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
        practice = Verdict("Practice", False,
                           "No relief: the pain source may not be identified yet")
        verdicts = tuple(Verdict(p.label, False, "No relief: does not count") for p in payers)
        return _replace(
            base, visit_types=(FOLLOW_UP,), practice=practice, payers=verdicts,
            say=script.REVIEW,
            reasons=("No relief at all: the injection may not have found the source of the "
                     "pain.",
                     "The physician decides what comes next (it may be other tests): book a "
                     "physician follow-up; don't book another injection from the desk."))

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
    return _replace(base, visit_types=(RFA_CONSULT,), reasons=tuple(reasons), say=script.WANING,
                    practice=Verdict("Practice", True, "Waning relief: may be an RFA candidate"),
                    payers=tuple(verdicts), disagree=disagree, physician_review=disagree)


def _qualifying_blocks(history: History, answers: Answers, payer: PayerRules,
                       include_this: bool | None = None) -> int:
    """Diagnostic blocks with the payer's relief on the same scale at the levels and side
    reported on (what is recommended next is at the same levels); the block reported now
    counts when it is a diagnostic one and ``include_this`` is not False."""
    count = blocks_at(history.reliefs, _where(answers), payer)
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
        f"Positive block by protocol: {relief_words}" if positive
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
                        say=script.REVIEW, practice=practice, payers=tuple(verdicts),
                        disagree=True, physician_review=True)
    if not positive:
        reasons = [f"Some relief ({relief_words}), but below the protocol's {threshold}.",
                   "Relief between none and the threshold goes to the physician: book a "
                   "physician follow-up; don't guess the next injection."]
        return _replace(base, visit_types=(FOLLOW_UP,), reasons=tuple(reasons),
                        say=script.REVIEW, practice=practice, payers=tuple(verdicts),
                        physician_review=True)
    if needs_confirmation:
        labels = ", ".join(p.label for p in needs_confirmation)
        reasons = [f"Positive block by protocol: {relief_words}.",
                   f"{labels} pays for therapeutic injections or RFA only after a second, "
                   "confirmatory diagnostic block with the same result: book the second "
                   "diagnostic block at the same levels."]
        visit = Procedure.FACET_DIAGNOSTIC
        say: tuple[str, ...] = script.SECOND_BLOCK
    else:
        reasons = [f"Positive block by protocol: {relief_words}.",
                   "The protocol's next step is a therapeutic facet joint injection: book it "
                   "at the same levels; the physician sees the patient at that visit."]
        visit = Procedure.FACET_THERAPEUTIC
        say = script.THERAPEUTIC
        for p in payers:
            reasons.append(f"{p.label} also needs the physician's note on why the patient is "
                           "not a candidate for RFA; the clinical team adds it.")
    checks = _checks(visit, answers, history, payers, today)
    reasons += [f"{c.payer}: {p.text}" for c in checks for p in c.problems]
    return _replace(base, visit_types=(visit.value,), reasons=tuple(reasons), say=say,
                    practice=practice, payers=tuple(verdicts), checks=checks)


def _after_treatment(answers: Answers, history: History, rules: Rules,
                     payers: list[PayerRules], today: date, base: Recommendation,
                     relief_words: str) -> Recommendation:
    """A report after a therapeutic injection or an RFA: repeat when it helped long enough."""
    procedure = answers.procedure
    assert procedure is not None
    percent = answers.percent_relief or 0
    hours = answers.hours_lasted or 0.0
    day = _procedure_day(history, answers, today)
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
        need_pct, need_months = p.repeat_relief(procedure)
        ok = percent >= need_pct and lasted_months(day, hours, need_months)
        summary = (f"{'Repeat allowed' if ok else 'Repeat not covered'}: needs at least "
                   f"{need_pct} % relief for {need_months} months")
        verdicts.append(Verdict(p.label, ok, summary))
        if ok != good:
            disagree = True
            reasons.append(f"The practice protocol and {p.label} disagree ({summary}).")
    if disagree or not good:
        reasons.append("The physician decides: book a physician follow-up to review it.")
        return _replace(base, visit_types=(FOLLOW_UP,), reasons=tuple(reasons),
                        say=script.REVIEW, practice=practice, payers=tuple(verdicts),
                        disagree=disagree, physician_review=True)
    if procedure == Procedure.RFA:
        reasons.append("The ablation helped: book an RFA consult for when the pain returns; "
                       "the physician decides on a repeat.")
        return _replace(base, visit_types=(RFA_CONSULT,), reasons=tuple(reasons),
                        say=script.AFTER_RFA, practice=practice, payers=tuple(verdicts))
    reasons.append("The injection helped: a repeat therapeutic injection at the same levels "
                   "can be booked when the pain returns.")
    checks = _checks(Procedure.FACET_THERAPEUTIC, answers, history, payers, today)
    reasons += [f"{c.payer}: {p.text}" for c in checks for p in c.problems]
    return _replace(base, visit_types=(Procedure.FACET_THERAPEUTIC.value,),
                    reasons=tuple(reasons), say=script.REPEAT_THERAPEUTIC, practice=practice,
                    payers=tuple(verdicts), checks=checks)


def _procedure_day(history: History, answers: Answers, today: date) -> date:
    """The day of the procedure reported on: the last one of its kind in the region up to
    today (today when none is on record). Relief months count from it."""
    assert answers.procedure is not None
    done = [s.day for s in history.in_region(answers.procedure, answers.region) if s.day <= today]
    return done[-1] if done else today


def _checks(visit: Procedure, answers: Answers, history: History, payers: list[PayerRules],
            today: date) -> tuple[PayerCheck, ...]:
    levels = count_levels(answers.levels or "", answers.region) if answers.levels else 1
    pending = _with_report(history, answers)
    where = _where(answers)
    return tuple(payer_check(visit, answers.region, levels, today, pending, p,
                             level_set=where.levels, side=where.side) for p in payers)


def _where(answers: Answers) -> Where:
    """The region, levels and side the answers report on (levels that do not parse: none)."""
    try:
        levels = level_set(answers.levels, answers.region) if answers.levels else frozenset()
    except AnswerError:
        levels = frozenset()
    return Where(answers.region, levels, answers.side)


def _with_report(history: History, answers: Answers) -> History:
    """History with the report being taken now, so rules that need it see it."""
    if answers.procedure is None or answers.percent_relief is None:
        return history
    where = _where(answers)
    sessions = history.in_region(answers.procedure, answers.region)
    # The session reported on: the last at these levels and side, else one without levels on
    # record, else the last in the region.
    last = ([s for s in sessions
             if s.level_set == where.levels and s.side in (where.side, None)]
            or [s for s in sessions if not s.level_set] or sessions)
    day = last[-1].day if last else date.min
    report = PastRelief(answers.procedure, answers.region, day, answers.percent_relief,
                        answers.hours_lasted or 0.0, answers.same_scale is not False,
                        bool(answers.wearing_off), level_set=where.levels, side=where.side)
    reliefs = tuple(r for r in history.reliefs
                    if not (r.procedure == report.procedure and r.region == report.region
                            and r.day == report.day
                            and r.level_set in (report.level_set, frozenset())))
    return History(history.seen_before, history.sessions, (*reliefs, report))
