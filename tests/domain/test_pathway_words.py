"""Issue 17, item 6: the words staff may read aloud, and months that are calendar months.

Pure: no database. The read-aloud script is checked over every outcome the protocol can give
(a sweep of answers, histories and payers), and the months rule at its calendar boundaries.
"""

from __future__ import annotations

import itertools
import re
from datetime import date, timedelta

import pytest

from frontdesk.domain.calls import CallReason
from frontdesk.domain.model import Region, Side
from frontdesk.domain.pathway import (
    FOLLOW_UP,
    RFA_CONSULT,
    Answers,
    History,
    PainKind,
    PastRelief,
    PastSession,
    PayerRules,
    Procedure,
    Recommendation,
    Rules,
    describe_hours,
    lasted_months,
    months_in,
    parse_duration,
    payer_check,
    recommend,
    script,
)

LUMBAR = Region.LUMBAR
DIAG, THER, RFA = Procedure.FACET_DIAGNOSTIC, Procedure.FACET_THERAPEUTIC, Procedure.RFA
DAY = 24.0
MEDICARE = "Medicare"
COMMERCIAL = "BlueCross"
RULES = Rules()

#: Words a read-aloud sentence must never hold: they interpret a result, promise an outcome,
#: decide for the caller, or bring the payer's rules to the phone.
INTERPRETING = (
    "positive", "negative", "will stop", "will help", "will fix", "will work", "will relieve",
    "stop sending", "stop the pain", "may now be used", "cure", "guarantee", "did not find",
    "didn't find", "not found", "failed", "worked", "successful", "qualif", "diagnosis",
    "confirmatory", "pain-free", "pain free", "permanent",
)
#: In the pathway's script, nothing that decides for the caller...
DECIDING = ("you need", "you should", "you must", "best for you")
#: ...and nothing of the staff-only verdicts.
STAFF_ONLY = ("%", "medicare", "payer", "insurance", "covered", "protocol", "threshold",
              "helped", "candidate", "no relief", "override")


def offending(sentence: str, words: tuple[str, ...]) -> list[str]:
    low = sentence.lower()
    return [w for w in words if re.search(rf"(?<![a-z]){re.escape(w)}", low)]


# --------------------------------------------------------------------------- calendar months


def months(n: float) -> float:
    """What the desk stores for an answer of ``n`` months."""
    return parse_duration(f"{n} months")


@pytest.mark.parametrize(
    ("day", "hours", "need", "lasted"),
    [
        # 31 January + 1 month is the last day of February (28 or 29 days later).
        pytest.param(date(2027, 1, 31), months(1), 1, True, id="31jan-1-month"),
        pytest.param(date(2027, 1, 31), 28 * DAY, 1, True, id="31jan-until-28feb"),
        pytest.param(date(2027, 1, 31), 27 * DAY, 1, False, id="31jan-until-27feb"),
        pytest.param(date(2028, 1, 31), 28 * DAY, 1, False, id="31jan-leap-until-28feb"),
        pytest.param(date(2028, 1, 31), 29 * DAY, 1, True, id="31jan-leap-until-29feb"),
        pytest.param(date(2028, 1, 31), months(1), 1, True, id="31jan-leap-1-month"),
        # 3 months over July and August (31 days each): 92 days.
        pytest.param(date(2026, 7, 1), 89 * DAY, 3, False, id="1jul-89-days"),
        pytest.param(date(2026, 7, 1), 90 * DAY, 3, False, id="1jul-90-days"),
        pytest.param(date(2026, 7, 1), 91 * DAY, 3, False, id="1jul-91-days"),
        pytest.param(date(2026, 7, 1), 92 * DAY, 3, True, id="1jul-92-days"),
        pytest.param(date(2026, 7, 1), 92 * DAY - 1, 3, False, id="1jul-92-days-less-an-hour"),
        pytest.param(date(2026, 7, 1), months(3), 3, True, id="1jul-3-months"),
        pytest.param(date(2026, 7, 1), months(2.9), 3, False, id="1jul-2.9-months"),
        # 3 months over February: 89 days.
        pytest.param(date(2027, 2, 1), 88 * DAY, 3, False, id="1feb-88-days"),
        pytest.param(date(2027, 2, 1), 89 * DAY, 3, True, id="1feb-89-days"),
        pytest.param(date(2027, 2, 1), months(3), 3, True, id="1feb-3-months"),
        # 30 November + 3 months is 28 February: 90 days.
        pytest.param(date(2026, 11, 30), 89 * DAY, 3, False, id="30nov-89-days"),
        pytest.param(date(2026, 11, 30), 90 * DAY, 3, True, id="30nov-90-days"),
        # 6 months from 1 July: 184 days.
        pytest.param(date(2026, 7, 1), 183 * DAY, 6, False, id="1jul-183-days"),
        pytest.param(date(2026, 7, 1), 184 * DAY, 6, True, id="1jul-184-days"),
        pytest.param(date(2026, 7, 1), months(6), 6, True, id="1jul-6-months"),
        pytest.param(date(2026, 7, 1), months(5.9), 6, False, id="1jul-5.9-months"),
        pytest.param(date(2026, 7, 1), months(3), 4, False, id="3-months-not-4"),
        # A row stored before calendar months (3 months as 90 days) still means 90 days.
        pytest.param(date(2026, 7, 1), 3 * 30 * DAY, 3, False, id="old-90-days-from-1jul"),
        pytest.param(date(2027, 2, 1), 3 * 30 * DAY, 3, True, id="old-90-days-from-1feb"),
        pytest.param(date(2026, 7, 1), 0.0, 0, True, id="no-months-needed"),
    ],
)
def test_relief_lasted_calendar_months(day: date, hours: float, need: int,
                                       lasted: bool) -> None:
    assert lasted_months(day, hours, need) is lasted


def test_an_answer_in_months_meets_that_many_months_from_any_procedure_day() -> None:
    """Answer and rule agree: "N months" is N calendar months whatever day it started, and
    never N + 1."""
    day = date(2027, 1, 1)
    while day < date(2029, 1, 1):  # a common year and a leap year
        for n in (1, 3, 6, 12):
            assert lasted_months(day, months(n), n), (day, n)
            assert not lasted_months(day, months(n), n + 1), (day, n)
            assert not lasted_months(day, months(n - 0.1), n), (day, n)
        day += timedelta(days=1)


@pytest.mark.parametrize(
    ("text", "shown", "in_months"),
    [
        pytest.param("3 months", "3 months", 3.0, id="3-months"),
        pytest.param("6 mo", "6 months", 6.0, id="6-mo"),
        pytest.param("1 month", "1 month", 1.0, id="1-month"),
        pytest.param("2.5 months", "2.5 months", 2.5, id="2.5-months"),
        pytest.param("36 months", "36 months", 36.0, id="36-months-the-longest"),
        pytest.param("90 days", "90 days", None, id="90-days-stays-days"),
        pytest.param("92 days", "92 days", None, id="92-days"),
        pytest.param("4 weeks", "4 weeks", None, id="4-weeks"),
        pytest.param("30 days", "30 days", None, id="30-days-is-not-a-month"),
        pytest.param("3 hours", "3 hours", None, id="hours"),
    ],
)
def test_an_answer_in_months_is_stored_and_shown_as_months(
    text: str, shown: str, in_months: float | None,
) -> None:
    hours = parse_duration(text)
    assert months_in(hours) == in_months
    assert describe_hours(hours) == shown


def test_a_relief_row_stored_before_keeps_its_hours() -> None:
    """Stored rows are hours: 3 months stored as 90 days before reads as 90 days now."""
    assert months_in(3 * 30 * DAY) is None
    assert describe_hours(3 * 30 * DAY) == "90 days"


#: Where every session and report below was: L4-L5, left side (blocks count per level and side).
AT = {"level_set": frozenset({"L4-L5"}), "side": Side.LEFT}


def lumbar_history(procedure: Procedure, day: date, *, blocks: bool = True) -> History:
    reliefs = (PastRelief(DIAG, LUMBAR, date(2026, 1, 5), 85, 4.0, **AT),  # type: ignore[arg-type]
               PastRelief(DIAG, LUMBAR, date(2026, 2, 5), 90, 4.0, **AT),  # type: ignore[arg-type]
               ) if blocks else ()
    sessions = (PastSession(DIAG, LUMBAR, date(2026, 1, 5), **AT),  # type: ignore[arg-type]
                PastSession(DIAG, LUMBAR, date(2026, 2, 5), **AT),  # type: ignore[arg-type]
                PastSession(procedure, LUMBAR, day, **AT))  # type: ignore[arg-type]
    return History(seen_before=True, sessions=sessions, reliefs=reliefs)


@pytest.mark.parametrize(
    ("procedure", "hours", "visit"),
    [
        # A therapeutic injection on 1 July, reported in October: 3 months is 92 days.
        pytest.param(THER, 91 * DAY, FOLLOW_UP, id="therapeutic-91-days"),
        pytest.param(THER, 92 * DAY, THER.value, id="therapeutic-92-days"),
        pytest.param(THER, months(3), THER.value, id="therapeutic-3-months"),
        pytest.param(THER, 3 * 30 * DAY, FOLLOW_UP, id="therapeutic-old-90-days"),
        # An RFA on 1 July: 6 months is 184 days.
        pytest.param(RFA, 183 * DAY, FOLLOW_UP, id="rfa-183-days"),
        pytest.param(RFA, 184 * DAY, RFA_CONSULT, id="rfa-184-days"),
        pytest.param(RFA, months(6), RFA_CONSULT, id="rfa-6-months"),
    ],
)
def test_the_pathway_counts_months_from_the_procedure_day(
    procedure: Procedure, hours: float, visit: str,
) -> None:
    answers = Answers(reason=CallReason.INJECTION_REPORT, procedure=procedure, region=LUMBAR,
                      levels="L4-L5", side=Side.LEFT, percent_relief=80, hours_lasted=hours,
                      injections_so_far=1)
    today = date(2027, 1, 20)
    rec = recommend(answers, lumbar_history(procedure, date(2026, 7, 1)), RULES,
                    payer=MEDICARE, today=today)
    assert rec.visit_types == (visit,)


@pytest.mark.parametrize(
    ("hours", "repeat_allowed"),
    [
        pytest.param(91 * DAY, False, id="91-days"),
        pytest.param(92 * DAY, True, id="92-days"),
        pytest.param(months(3), True, id="3-months"),
    ],
)
def test_the_payer_repeat_rule_counts_calendar_months(hours: float,
                                                      repeat_allowed: bool) -> None:
    history = lumbar_history(THER, date(2026, 7, 1))
    history = History(history.seen_before, history.sessions,
                      (*history.reliefs, PastRelief(THER, LUMBAR, date(2026, 7, 1), 60, hours,
                                                    **AT)))  # type: ignore[arg-type]
    check = payer_check(THER, LUMBAR, 1, date(2027, 1, 20), history, PayerRules(),
                        level_set=frozenset({"L4-L5"}), side=Side.LEFT)
    assert [p.rule for p in check.problems] == ([] if repeat_allowed else ["repeat"])
    if not repeat_allowed:
        assert "(it gave 60 % for 91 days)" in check.problems[0].text


# --------------------------------------------------------------------------- read-aloud script


def report(procedure: Procedure, percent: int, hours: float | None, *, same_scale: bool,
           injections: int, wearing_off: bool) -> Answers:
    return Answers(reason=CallReason.INJECTION_REPORT, procedure=procedure, region=LUMBAR,
                   levels="L4-L5", side=Side.LEFT, percent_relief=percent, hours_lasted=hours,
                   scale_before=8, scale_after=2, same_scale=same_scale,
                   injections_so_far=injections, wearing_off=wearing_off)


HISTORIES = {
    "none": History(),
    "one-block": History(seen_before=True,
                         sessions=(PastSession(DIAG, LUMBAR, date(2027, 2, 1),
                                               **AT),  # type: ignore[arg-type]
                                   PastSession(DIAG, LUMBAR, date(2027, 3, 3),
                                               **AT)),  # type: ignore[arg-type]
                         reliefs=(PastRelief(DIAG, LUMBAR, date(2027, 2, 1), 85, 4.0,
                                             **AT),)),  # type: ignore[arg-type]
    "two-blocks": lumbar_history(THER, date(2026, 11, 1)),
    "blocks-only": lumbar_history(DIAG, date(2026, 3, 1)),
    "two-blocks-rfa": lumbar_history(RFA, date(2026, 6, 1)),
}


def every_outcome() -> list[tuple[str, Recommendation]]:
    """Every complete recommendation a sweep of calls can give, named by what was asked."""
    today = date(2027, 3, 10)
    out: list[tuple[str, Recommendation]] = []
    for (name, history), payer in itertools.product(HISTORIES.items(), (MEDICARE, COMMERCIAL)):
        for kind in PainKind:
            answers = Answers(reason=CallReason.NEW_PROBLEM, pain_area=LUMBAR, pain_kind=kind)
            out.append((f"new-problem {kind} {name} {payer}",
                        recommend(answers, history, RULES, payer=payer, today=today)))
        for ordered in (FOLLOW_UP, "med-management", *(p.value for p in Procedure)):
            levels = "L3-L4, L4-L5, L5-S1" if ordered == THER.value else "L4-L5"
            answers = Answers(reason=CallReason.ORDERED_VISIT, ordered=ordered, region=LUMBAR,
                              levels=levels, side=Side.LEFT)
            out.append((f"ordered {ordered} {name} {payer}",
                        recommend(answers, history, RULES, payer=payer, today=today)))
        for procedure, percent, hours, same, injections, waning in itertools.product(
                Procedure, (0, 40, 74, 75, 79, 80, 100),
                (1.5, 2.0, 3.0, 91 * DAY, months(3), months(6)), (True, False), (1, 3),
                (True, False)):
            answers = report(procedure, percent, hours, same_scale=same,
                             injections=injections, wearing_off=waning)
            out.append((f"report {procedure} {percent}% {hours}h same={same} n={injections} "
                        f"waning={waning} {name} {payer}",
                        recommend(answers, history, RULES, payer=payer, today=today)))
    return out


OUTCOMES = every_outcome()


def test_every_outcome_has_a_script_and_each_script_is_reached() -> None:
    reached: set[tuple[str, ...]] = set()
    for name, rec in OUTCOMES:
        assert rec.complete, name
        assert rec.visit_types, name
        assert rec.say, name
        assert all(s.strip() and s[0].isupper() and s.endswith(".") for s in rec.say), name
        assert (script.CHECK_FIRST in rec.say) is (rec.override is not None), name
        reached.add(tuple(s for s in rec.say if s != script.CHECK_FIRST))
    scripts = {s for s in script.ALL.values() if s != (script.CHECK_FIRST,)}
    assert reached == scripts  # every script is used, and nothing else is said
    assert any(script.CHECK_FIRST in rec.say for _, rec in OUTCOMES)


@pytest.mark.parametrize(("name", "sentences"), list(script.ALL.items()), ids=list(script.ALL))
def test_no_script_interprets_promises_or_speaks_for_the_payer(
    name: str, sentences: tuple[str, ...],
) -> None:
    for sentence in sentences:
        assert not offending(sentence, INTERPRETING + DECIDING + STAFF_ONLY), (name, sentence)


@pytest.mark.parametrize(
    ("answers", "history", "payer", "said"),
    [
        pytest.param(report(DIAG, 0, None, same_scale=True, injections=1, wearing_off=False),
                     "none", MEDICARE, script.REVIEW, id="no-relief"),
        pytest.param(report(DIAG, 74, 3.0, same_scale=True, injections=1, wearing_off=False),
                     "none", COMMERCIAL, script.REVIEW, id="below-threshold"),
        pytest.param(report(DIAG, 77, 3.0, same_scale=True, injections=1, wearing_off=False),
                     "none", MEDICARE, script.REVIEW, id="protocol-and-payer-disagree"),
        pytest.param(report(DIAG, 85, 3.0, same_scale=True, injections=1, wearing_off=False),
                     "none", MEDICARE, script.SECOND_BLOCK, id="second-block"),
        pytest.param(report(DIAG, 85, 3.0, same_scale=True, injections=1, wearing_off=False),
                     "one-block", MEDICARE, script.THERAPEUTIC, id="therapeutic"),
        pytest.param(report(DIAG, 85, 3.0, same_scale=True, injections=1, wearing_off=False),
                     "none", COMMERCIAL, script.THERAPEUTIC, id="therapeutic-commercial"),
        pytest.param(report(THER, 60, 3.0, same_scale=True, injections=3, wearing_off=True),
                     "two-blocks", MEDICARE, script.WANING, id="waning"),
        pytest.param(report(THER, 80, months(3), same_scale=True, injections=1,
                            wearing_off=False),
                     "two-blocks", MEDICARE, script.REPEAT_THERAPEUTIC, id="repeat-therapeutic"),
        pytest.param(report(THER, 60, months(3), same_scale=True, injections=1,
                            wearing_off=False),
                     "two-blocks", COMMERCIAL, script.REVIEW, id="partial-after-therapeutic"),
        pytest.param(report(RFA, 80, months(6), same_scale=True, injections=1,
                            wearing_off=False),
                     "two-blocks-rfa", MEDICARE, script.AFTER_RFA, id="after-rfa"),
        pytest.param(Answers(reason=CallReason.NEW_PROBLEM, pain_area=LUMBAR,
                             pain_kind=PainKind.SPINE),
                     "none", MEDICARE, script.NEW_PATIENT, id="new-patient"),
        pytest.param(Answers(reason=CallReason.NEW_PROBLEM, pain_area=LUMBAR,
                             pain_kind=PainKind.MUSCLE),
                     "one-block", MEDICARE, script.NEW_PROBLEM, id="known-patient-new-problem"),
        pytest.param(Answers(reason=CallReason.ORDERED_VISIT, ordered=FOLLOW_UP),
                     "none", MEDICARE, script.ORDERED, id="ordered"),
        pytest.param(Answers(reason=CallReason.ORDERED_VISIT, ordered=THER.value, region=LUMBAR,
                             levels="L4-L5", side=Side.LEFT),
                     "none", MEDICARE, (*script.ORDERED, script.CHECK_FIRST),
                     id="ordered-needs-override"),
    ],
)
def test_each_branch_says_its_script(answers: Answers, history: str, payer: str,
                                     said: tuple[str, ...]) -> None:
    rec = recommend(answers, HISTORIES[history], RULES, payer=payer, today=date(2027, 3, 10))
    assert rec.say == said
    assert not set(rec.say) & set(rec.reasons)  # read aloud and staff-only stay apart


def test_staff_reasons_say_what_the_seed_says_about_no_relief() -> None:
    rec = recommend(report(DIAG, 0, None, same_scale=True, injections=1, wearing_off=False),
                    History(), RULES, payer=COMMERCIAL, today=date(2027, 3, 10))
    text = " ".join(rec.reasons)
    assert "may not have found the source of the pain" in text
    assert "The physician decides what comes next" in text
    assert "did not find" not in text
    assert rec.practice is not None
    assert rec.practice.summary == "No relief: the pain source may not be identified yet"


def test_staff_reasons_make_no_promise_either() -> None:
    for name, rec in OUTCOMES:
        for reason in rec.reasons:
            assert not offending(reason, ("may now be used", "did not find", "will stop",
                                          "cure", "guarantee")), (name, reason)
