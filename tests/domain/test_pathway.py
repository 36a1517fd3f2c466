"""The booking pathway (DESIGN.md section 2): practice protocol, payer overlay, questions.

Pure: no database. Table-driven; every case names the branch or boundary it checks.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import pytest

from frontdesk.domain.calls import CallReason
from frontdesk.domain.model import Region, Side
from frontdesk.domain.pathway import (
    FOLLOW_UP,
    MONTH_HOURS,
    NEW_PATIENT,
    RFA_CONSULT,
    AnswerError,
    Answers,
    History,
    PainKind,
    PastRelief,
    PastSession,
    PayerRules,
    Procedure,
    Rules,
    answers_from,
    count_levels,
    describe_hours,
    needed,
    parse_answer,
    parse_duration,
    payer_check,
    recommend,
    session_counts,
)

TODAY = date(2027, 3, 10)
MEDICARE = "Medicare"
COMMERCIAL = "BlueCross"  # no payer rules apply: the practice protocol alone
RULES = Rules()
MEDICARE_RULES = PayerRules()
LUMBAR = Region.LUMBAR
DIAG = Procedure.FACET_DIAGNOSTIC
THER = Procedure.FACET_THERAPEUTIC
RFA = Procedure.RFA
THERAPEUTIC = THER.value
DIAGNOSTIC = DIAG.value
NO_HISTORY = History()
L45 = frozenset({"L4-L5"})
#: where the sessions and reports below were done: report() reports on L4-L5, left
AT: dict[str, Any] = {"level_set": L45, "side": Side.LEFT}


def report(percent: int, hours: float | None = 3.0, *, procedure: Procedure = DIAG,
           same_scale: bool = True, injections: int = 1, wearing_off: bool | None = None,
           levels: str = "L4-L5") -> Answers:
    """A complete injection report (every question the screen may ask, answered)."""
    return Answers(reason=CallReason.INJECTION_REPORT, procedure=procedure, region=LUMBAR,
                   levels=levels, side=Side.LEFT, percent_relief=percent, hours_lasted=hours,
                   scale_before=8, scale_after=2, same_scale=same_scale,
                   injections_so_far=injections, wearing_off=wearing_off)


def block(day: date, percent: int, *, same_scale: bool = True,
          levels: frozenset[str] = L45, side: Side | None = Side.LEFT) -> PastRelief:
    return PastRelief(DIAG, LUMBAR, day, percent, 4.0, same_scale=same_scale,
                      level_set=levels, side=side)


# A first diagnostic block done and reported positive (for Medicare too).
FIRST_POSITIVE = History(
    seen_before=True,
    sessions=(PastSession(DIAG, LUMBAR, date(2027, 2, 1), **AT),
              PastSession(DIAG, LUMBAR, date(2027, 3, 3), **AT)),
    reliefs=(block(date(2027, 2, 1), 85),),
)
# The first block on record did not use the same scale before and after: it does not count.
FIRST_OTHER_SCALE = History(
    seen_before=True,
    sessions=FIRST_POSITIVE.sessions,
    reliefs=(block(date(2027, 2, 1), 90, same_scale=False),),
)
# The first block gave 78 %: positive for the practice, not for Medicare.
FIRST_BELOW_PAYER = History(
    seen_before=True,
    sessions=FIRST_POSITIVE.sessions,
    reliefs=(block(date(2027, 2, 1), 78),),
)
TWO_BLOCKS = History(
    seen_before=True,
    sessions=(PastSession(DIAG, LUMBAR, date(2026, 9, 1), **AT),
              PastSession(DIAG, LUMBAR, date(2026, 10, 1), **AT)),
    reliefs=(block(date(2026, 9, 1), 85), block(date(2026, 10, 1), 90)),
)


def assert_plain(reasons: Sequence[str]) -> None:
    assert reasons, "a recommendation explains itself"
    for reason in reasons:
        assert reason.strip()
        assert reason[0].isupper(), reason
        for marker in ("None", "[", "{", "Procedure.", "Region.", "_"):
            assert marker not in reason, (marker, reason)


# --------------------------------------------------------------------------- recommend: reports

REPORT_CASES: list[Any] = [
    # (answers, history, payer, visit, practice, payer verdicts, disagree, physician_review)
    # -- the 75 % / 80 % relief boundaries on Medicare, 3 hours of relief
    pytest.param(report(74), NO_HISTORY, MEDICARE, FOLLOW_UP, False, (False,), False, True,
                 id="74pct-medicare-below-both"),
    pytest.param(report(75), NO_HISTORY, MEDICARE, FOLLOW_UP, True, (False,), True, True,
                 id="75pct-medicare-practice-only-disagree"),
    pytest.param(report(77), NO_HISTORY, MEDICARE, FOLLOW_UP, True, (False,), True, True,
                 id="77pct-3h-medicare-disagree"),
    pytest.param(report(79), NO_HISTORY, MEDICARE, FOLLOW_UP, True, (False,), True, True,
                 id="79pct-medicare-disagree"),
    pytest.param(report(80), NO_HISTORY, MEDICARE, DIAGNOSTIC, True, (True,), False, False,
                 id="80pct-medicare-first-block-confirmatory"),
    # -- the 2 hour boundary
    pytest.param(report(80, 1.99), NO_HISTORY, MEDICARE, FOLLOW_UP, False, (True,), True, True,
                 id="80pct-1.99h-medicare-payer-only-disagree"),
    pytest.param(report(80, 2.0), NO_HISTORY, MEDICARE, DIAGNOSTIC, True, (True,), False,
                 False, id="80pct-2h-medicare-confirmatory"),
    pytest.param(report(85, 1.5), NO_HISTORY, MEDICARE, FOLLOW_UP, False, (True,), True, True,
                 id="85pct-1.5h-medicare-disagree-other-way"),
    # -- commercial payer: the practice protocol alone
    pytest.param(report(74), NO_HISTORY, COMMERCIAL, FOLLOW_UP, False, (), False, True,
                 id="74pct-commercial-below"),
    pytest.param(report(75, 2.0), NO_HISTORY, COMMERCIAL, THERAPEUTIC, True, (), False, False,
                 id="75pct-2h-commercial-therapeutic"),
    pytest.param(report(75, 1.99), NO_HISTORY, COMMERCIAL, FOLLOW_UP, False, (), False, True,
                 id="75pct-1.99h-commercial-below"),
    pytest.param(report(77), NO_HISTORY, COMMERCIAL, THERAPEUTIC, True, (), False, False,
                 id="77pct-commercial-therapeutic"),
    # -- no relief at all
    pytest.param(report(0, None), NO_HISTORY, MEDICARE, FOLLOW_UP, False, (False,), False,
                 False, id="no-relief-medicare"),
    pytest.param(report(0, None), NO_HISTORY, COMMERCIAL, FOLLOW_UP, False, (), False, False,
                 id="no-relief-commercial"),
    # -- second (confirmatory) block and what counts as the first one
    pytest.param(report(85), FIRST_POSITIVE, MEDICARE, THERAPEUTIC, True, (True,), False,
                 False, id="second-positive-block-medicare-therapeutic"),
    pytest.param(report(85), FIRST_OTHER_SCALE, MEDICARE, DIAGNOSTIC, True, (True,), False,
                 False, id="first-block-other-scale-does-not-count"),
    pytest.param(report(85), FIRST_BELOW_PAYER, MEDICARE, DIAGNOSTIC, True, (True,), False,
                 False, id="first-block-78pct-does-not-count-for-medicare"),
    pytest.param(report(85), FIRST_BELOW_PAYER, COMMERCIAL, THERAPEUTIC, True, (), False,
                 False, id="commercial-needs-no-second-block"),
    pytest.param(report(85, same_scale=False), NO_HISTORY, MEDICARE, FOLLOW_UP, True, (False,),
                 True, True, id="this-block-other-scale-disagree"),
    # -- relief wearing off after several injections
    pytest.param(report(60, injections=1, wearing_off=True), NO_HISTORY, COMMERCIAL,
                 FOLLOW_UP, False, (), False, True, id="waning-after-1-not-counted"),
    pytest.param(report(60, injections=2, wearing_off=True), NO_HISTORY, COMMERCIAL,
                 RFA_CONSULT, True, (), False, False, id="waning-after-2-commercial-rfa"),
    pytest.param(report(60, injections=3, wearing_off=False), NO_HISTORY, COMMERCIAL,
                 FOLLOW_UP, False, (), False, True, id="not-waning-after-3"),
    pytest.param(report(60, injections=2, wearing_off=True), NO_HISTORY, MEDICARE,
                 RFA_CONSULT, True, (False,), True, True, id="waning-medicare-no-blocks"),
    pytest.param(report(60, procedure=THER, injections=3, wearing_off=True), TWO_BLOCKS,
                 MEDICARE, RFA_CONSULT, True, (True,), False, False,
                 id="waning-medicare-two-blocks"),
    # -- after a therapeutic injection: repeat needs >= 50 % for >= 3 months
    pytest.param(report(80, 3 * MONTH_HOURS, procedure=THER), TWO_BLOCKS, MEDICARE,
                 THERAPEUTIC, True, (True,), False, False, id="therapeutic-80pct-3mo-repeat"),
    pytest.param(report(80, 3 * MONTH_HOURS - 1, procedure=THER), TWO_BLOCKS, MEDICARE,
                 FOLLOW_UP, True, (False,), True, True, id="therapeutic-80pct-under-3mo"),
    pytest.param(report(50, 3 * MONTH_HOURS, procedure=THER), TWO_BLOCKS, MEDICARE,
                 FOLLOW_UP, False, (True,), True, True, id="therapeutic-50pct-payer-only"),
    pytest.param(report(49, 3 * MONTH_HOURS, procedure=THER), TWO_BLOCKS, MEDICARE,
                 FOLLOW_UP, False, (False,), False, True, id="therapeutic-49pct-neither"),
    pytest.param(report(80, 24.0, procedure=THER), NO_HISTORY, COMMERCIAL, THERAPEUTIC, True,
                 (), False, False, id="therapeutic-commercial-good"),
    pytest.param(report(60, 3 * MONTH_HOURS, procedure=THER), NO_HISTORY, COMMERCIAL,
                 FOLLOW_UP, False, (), False, True, id="therapeutic-commercial-partial"),
    # -- after an RFA: repeat needs >= 50 % for >= 6 months
    pytest.param(report(80, 6 * MONTH_HOURS, procedure=RFA), TWO_BLOCKS, MEDICARE,
                 RFA_CONSULT, True, (True,), False, False, id="rfa-80pct-6mo"),
    pytest.param(report(80, 6 * MONTH_HOURS - 1, procedure=RFA), TWO_BLOCKS, MEDICARE,
                 FOLLOW_UP, True, (False,), True, True, id="rfa-80pct-under-6mo"),
    pytest.param(report(50, 6 * MONTH_HOURS, procedure=RFA), TWO_BLOCKS, MEDICARE,
                 FOLLOW_UP, False, (True,), True, True, id="rfa-50pct-payer-only"),
    pytest.param(report(80, 24.0, procedure=RFA), NO_HISTORY, COMMERCIAL, RFA_CONSULT, True,
                 (), False, False, id="rfa-commercial-good"),
]


@pytest.mark.parametrize(
    ("answers", "history", "payer", "visit", "practice", "payers", "disagree", "review"),
    REPORT_CASES,
)
def test_recommend_after_an_injection_report(
    answers: Answers, history: History, payer: str, visit: str, practice: bool,
    payers: tuple[bool, ...], disagree: bool, review: bool,
) -> None:
    rec = recommend(answers, history, RULES, payer=payer, today=TODAY)
    assert rec.complete, [q.key for q in rec.questions]
    assert rec.visit_types == (visit,)
    assert rec.practice is not None
    assert rec.practice.who == "Practice"
    assert rec.practice.qualifies is practice
    assert tuple(v.qualifies for v in rec.payers) == payers
    assert all(v.who == "Medicare (Novitas)" for v in rec.payers)
    assert rec.disagree is disagree
    assert rec.physician_review is review
    assert_plain(rec.reasons)
    if disagree:  # said in plain words, naming the payer
        assert any("Medicare (Novitas)" in r for r in rec.reasons)


def test_disagreement_is_explained_with_both_verdicts() -> None:
    rec = recommend(report(77), NO_HISTORY, RULES, payer=MEDICARE, today=TODAY)
    assert rec.practice is not None
    assert "77 % relief" in rec.practice.summary
    (medicare,) = rec.payers
    assert "below 80 %" in medicare.summary
    assert "The practice protocol and Medicare (Novitas) disagree" in rec.reasons[0]
    assert "physician decides" in rec.reasons[-1]


@pytest.mark.parametrize(
    ("answers", "history", "checked"),
    [
        pytest.param(report(80), NO_HISTORY, DIAG, id="confirmatory-block-checked"),
        pytest.param(report(85), FIRST_POSITIVE, THER, id="therapeutic-checked"),
        pytest.param(report(80, 3 * MONTH_HOURS, procedure=THER), TWO_BLOCKS, THER,
                     id="repeat-therapeutic-checked"),
    ],
)
def test_positive_result_checks_the_next_visit_against_the_payer(
    answers: Answers, history: History, checked: Procedure,
) -> None:
    rec = recommend(answers, history, RULES, payer=MEDICARE, today=TODAY)
    (check,) = rec.checks
    assert check.procedure == checked
    assert check.day == TODAY
    assert check.region == LUMBAR
    assert check.allowed
    assert rec.override is None


@pytest.mark.parametrize(
    ("answers", "history", "visit", "rule"),
    [
        pytest.param(report(85, levels="L3-L4, L4-L5, L5-S1"),
                     History(seen_before=True, sessions=FIRST_POSITIVE.sessions,
                             reliefs=(block(date(2027, 2, 1), 85, levels=frozenset(
                                 {"L3-L4", "L4-L5", "L5-S1"})),)),
                     THERAPEUTIC, "levels", id="three-levels"),
        pytest.param(report(80, 3 * MONTH_HOURS, procedure=THER), NO_HISTORY, THERAPEUTIC,
                     "blocks", id="repeat-therapeutic-without-blocks"),
    ],
)
def test_override_is_needed_exactly_when_a_check_has_problems(
    answers: Answers, history: History, visit: str, rule: str,
) -> None:
    rec = recommend(answers, history, RULES, payer=MEDICARE, today=TODAY)
    assert rec.visit_types == (visit,)
    problems = [p for c in rec.checks for p in c.problems]
    assert [p.rule for p in problems] == [rule]
    assert rec.override is not None
    assert rec.override.startswith("Booking this anyway needs an override")
    assert problems[0].text in rec.override
    assert any(problems[0].text in r for r in rec.reasons)


def test_commercial_payer_has_no_checks_and_no_override() -> None:
    rec = recommend(report(85, levels="L3-L4, L4-L5, L5-S1"), NO_HISTORY, RULES,
                    payer=COMMERCIAL, today=TODAY)
    assert rec.visit_types == (THERAPEUTIC,)
    assert rec.checks == ()
    assert rec.override is None


def test_second_block_therapeutic_mentions_the_rfa_note() -> None:
    rec = recommend(report(85), FIRST_POSITIVE, RULES, payer=MEDICARE, today=TODAY)
    assert any("not a candidate for RFA" in r for r in rec.reasons)
    (check,) = rec.checks
    assert check.notes == ("needs the physician's note on why the patient is not an RFA "
                           "candidate",)


# --------------------------------------------------------------------------- recommend: others


@pytest.mark.parametrize(
    ("seen_before", "kind", "visit", "injections_mentioned"),
    [
        pytest.param(False, PainKind.MUSCLE, NEW_PATIENT, False, id="new-patient-muscle"),
        pytest.param(False, PainKind.SPINE, NEW_PATIENT, True, id="new-patient-spine"),
        pytest.param(False, PainKind.UNSURE, NEW_PATIENT, False, id="new-patient-unsure"),
        pytest.param(True, PainKind.MUSCLE, FOLLOW_UP, False, id="known-patient-muscle"),
        pytest.param(True, PainKind.SPINE, FOLLOW_UP, True, id="known-patient-spine"),
    ],
)
def test_new_problem(seen_before: bool, kind: PainKind, visit: str,
                     injections_mentioned: bool) -> None:
    answers = Answers(reason=CallReason.NEW_PROBLEM, pain_area=LUMBAR, pain_kind=kind)
    rec = recommend(answers, History(seen_before=seen_before), RULES, payer=MEDICARE,
                    today=TODAY)
    assert rec.complete
    assert rec.visit_types == (visit,)
    assert rec.practice is not None
    assert rec.practice.qualifies is None
    assert rec.payers == ()
    assert rec.disagree is False
    assert rec.physician_review is False
    assert_plain(rec.reasons)
    text = " ".join(rec.reasons)
    assert "trigger point injections" in text
    assert ("injection therapy for the spine" in text) is injections_mentioned


@pytest.mark.parametrize(
    ("ordered", "payer", "history", "payers", "override"),
    [
        pytest.param(FOLLOW_UP, MEDICARE, NO_HISTORY, (), False, id="follow-up"),
        pytest.param(THERAPEUTIC, MEDICARE, NO_HISTORY, (False,), True,
                     id="therapeutic-medicare-no-blocks"),
        pytest.param(THERAPEUTIC, MEDICARE, TWO_BLOCKS, (True,), False,
                     id="therapeutic-medicare-two-blocks"),
        pytest.param(RFA.value, MEDICARE, TWO_BLOCKS, (True,), False, id="rfa-medicare"),
        pytest.param(THERAPEUTIC, COMMERCIAL, NO_HISTORY, (), False, id="therapeutic-commercial"),
    ],
)
def test_ordered_visit_is_booked_as_ordered(
    ordered: str, payer: str, history: History, payers: tuple[bool, ...], override: bool,
) -> None:
    answers = Answers(reason=CallReason.ORDERED_VISIT, ordered=ordered, region=LUMBAR,
                      levels="L4-L5", side=Side.LEFT)
    rec = recommend(answers, history, RULES, payer=payer, today=TODAY)
    assert rec.complete
    assert rec.visit_types == (ordered,)
    assert rec.practice is not None
    assert rec.practice.qualifies is True
    assert tuple(v.qualifies for v in rec.payers) == payers
    assert len(rec.checks) == len(payers)
    assert (rec.override is not None) is override
    assert rec.disagree is False
    assert_plain(rec.reasons)


@pytest.mark.parametrize(
    "reason",
    [CallReason.CHANGE_VISIT, CallReason.TREATMENT_QUESTION, CallReason.OTHER, None],
    ids=["change-visit", "treatment-question", "other", "no-reason"],
)
def test_reasons_outside_the_pathway_give_no_visit_type(reason: CallReason | None) -> None:
    answers = Answers(reason=reason, pain_area=LUMBAR, percent_relief=80)
    rec = recommend(answers, NO_HISTORY, RULES, payer=MEDICARE, today=TODAY)
    assert rec.visit_types == ()
    assert rec.practice is None
    assert rec.questions == ()
    assert rec.reasons == ()
    assert rec.override is None


# --------------------------------------------------------------------------- questions


def _injection(**values: Any) -> Answers:
    return Answers(reason=CallReason.INJECTION_REPORT, **values)


BASE_KEYS = ["procedure", "region", "levels", "side", "percent_relief"]
SCALE_KEYS = ["scale_before", "scale_after", "same_scale"]


@pytest.mark.parametrize(
    ("answers", "payer", "keys"),
    [
        pytest.param(_injection(), MEDICARE, BASE_KEYS, id="nothing-answered"),
        pytest.param(_injection(procedure=DIAG, percent_relief=0), MEDICARE, BASE_KEYS,
                     id="no-relief-no-hours"),
        pytest.param(_injection(procedure=DIAG, percent_relief=60), MEDICARE,
                     [*BASE_KEYS, "hours_lasted", *SCALE_KEYS, "injections_so_far"],
                     id="diagnostic-medicare-asks-scale"),
        pytest.param(_injection(procedure=DIAG, percent_relief=60), COMMERCIAL,
                     [*BASE_KEYS, "hours_lasted", "injections_so_far"],
                     id="diagnostic-commercial-no-scale"),
        pytest.param(_injection(procedure=THER, percent_relief=60), MEDICARE,
                     [*BASE_KEYS, "hours_lasted", "injections_so_far"],
                     id="therapeutic-medicare-no-scale"),
        pytest.param(_injection(procedure=THER, percent_relief=60, injections_so_far=1),
                     COMMERCIAL, [*BASE_KEYS, "hours_lasted", "injections_so_far"],
                     id="one-injection-no-waning"),
        pytest.param(_injection(procedure=THER, percent_relief=60, injections_so_far=2),
                     COMMERCIAL,
                     [*BASE_KEYS, "hours_lasted", "injections_so_far", "wearing_off"],
                     id="two-injections-asks-waning"),
        pytest.param(Answers(reason=CallReason.NEW_PROBLEM), MEDICARE,
                     ["pain_area", "pain_kind"], id="new-problem"),
        pytest.param(Answers(reason=CallReason.ORDERED_VISIT, ordered=FOLLOW_UP), MEDICARE,
                     ["ordered"], id="ordered-follow-up"),
        pytest.param(Answers(reason=CallReason.ORDERED_VISIT, ordered=RFA.value), MEDICARE,
                     ["ordered", "region", "levels", "side"], id="ordered-procedure"),
        pytest.param(Answers(reason=CallReason.CHANGE_VISIT), MEDICARE, [], id="change-visit"),
    ],
)
def test_needed_asks_only_what_is_needed(answers: Answers, payer: str,
                                         keys: list[str]) -> None:
    assert needed(answers, NO_HISTORY, RULES, payer) == keys


@pytest.mark.parametrize(
    ("answers", "payer", "questions"),
    [
        pytest.param(report(0, None), MEDICARE, [], id="no-relief-complete-without-hours"),
        pytest.param(
            _injection(procedure=DIAG, region=LUMBAR, levels="L4-L5", side=Side.LEFT,
                       percent_relief=80),
            MEDICARE, ["hours_lasted", *SCALE_KEYS, "injections_so_far"],
            id="after-percent-medicare"),
        pytest.param(report(80, injections=1, wearing_off=None), MEDICARE, [],
                     id="waning-not-asked-below-threshold"),
        pytest.param(report(80, injections=2, wearing_off=None), MEDICARE, ["wearing_off"],
                     id="waning-asked-at-threshold"),
        pytest.param(report(80, levels="C5-C6"), MEDICARE, ["levels"],
                     id="levels-outside-region-asked-again"),
        pytest.param(
            _injection(procedure=DIAG, region=LUMBAR, levels="C5-C6", percent_relief=80),
            COMMERCIAL, ["levels", "side", "hours_lasted", "injections_so_far"],
            id="levels-asked-again-first"),
        pytest.param(Answers(reason=CallReason.NEW_PROBLEM, pain_area=LUMBAR), MEDICARE,
                     ["pain_kind"], id="new-problem-kind"),
        pytest.param(
            Answers(reason=CallReason.ORDERED_VISIT, ordered=THERAPEUTIC, region=Region.CERVICAL,
                    levels="L4-L5", side=Side.LEFT),
            MEDICARE, ["levels"], id="ordered-levels-outside-region"),
    ],
)
def test_recommend_lists_the_questions_still_to_ask(
    answers: Answers, payer: str, questions: list[str],
) -> None:
    rec = recommend(answers, NO_HISTORY, RULES, payer=payer, today=TODAY)
    assert [q.key for q in rec.questions] == questions
    assert rec.complete is (not questions)
    if questions:
        assert rec.visit_types == ()
        assert rec.practice is None
        assert all(q.prompt.endswith("?") for q in rec.questions)


# --------------------------------------------------------------------------- payer_check


def diag_sessions(*days: date) -> History:
    """Diagnostic sessions in the lumbar spine, the first one reported positive."""
    return History(sessions=tuple(PastSession(DIAG, LUMBAR, d, **AT) for d in days),
                   reliefs=(block(days[0], 85),))


FOUR_IN_YEAR = (date(2026, 4, 1), date(2026, 6, 1), date(2026, 8, 1), date(2026, 10, 1))


@pytest.mark.parametrize(
    ("history", "levels", "count", "rules", "earliest"),
    [
        pytest.param(diag_sessions(*FOUR_IN_YEAR[1:]), 1, 3, [], None, id="4th-allowed"),
        # 2026-04-01 leaves the rolling window on 2027-04-01 (12 months later).
        pytest.param(diag_sessions(*FOUR_IN_YEAR), 1, 4, ["limit"], date(2027, 4, 1),
                     id="5th-refused"),
        # One falls out of the window exactly a year after it: 2026-03-10 no longer counts.
        pytest.param(diag_sessions(date(2026, 3, 10), *FOUR_IN_YEAR[1:]), 1, 3, [], None,
                     id="oldest-out-of-window"),
        pytest.param(diag_sessions(date(2026, 3, 11), *FOUR_IN_YEAR[1:]), 1, 4, ["limit"],
                     date(2027, 3, 11), id="oldest-one-day-inside"),
        # A booked session in April counts: the window from 2026-05-01 would hold five.
        pytest.param(diag_sessions(date(2026, 5, 1), date(2026, 7, 1), date(2026, 9, 1),
                                   date(2027, 4, 15)),
                     1, 3, ["limit"], date(2027, 5, 1), id="future-booking-counts"),
        pytest.param(diag_sessions(*FOUR_IN_YEAR[1:]), 2, 3, [], None, id="2-levels-allowed"),
        pytest.param(diag_sessions(*FOUR_IN_YEAR[1:]), 3, 3, ["levels"], None,
                     id="3-levels-refused"),
        pytest.param(diag_sessions(*FOUR_IN_YEAR), 3, 4, ["levels", "limit"], None,
                     id="levels-and-limit-waiting-not-enough"),
    ],
)
def test_payer_check_diagnostic_limits(
    history: History, levels: int, count: int, rules: list[str], earliest: date | None,
) -> None:
    check = payer_check(DIAG, LUMBAR, levels, TODAY, history, MEDICARE_RULES, **AT)
    assert check.count == count
    assert check.limit == 4
    assert [p.rule for p in check.problems] == rules
    assert check.allowed is (not rules)
    assert check.earliest == earliest
    limit = [p for p in check.problems if p.rule == "limit"]
    if limit:
        assert limit[0].earliest is not None
        assert f"{limit[0].earliest:%d %b %Y}" in limit[0].text


def test_payer_check_other_region_does_not_count() -> None:
    history = History(sessions=tuple(PastSession(DIAG, Region.CERVICAL, d, **AT)
                                     for d in FOUR_IN_YEAR),
                      reliefs=(PastRelief(DIAG, Region.CERVICAL, FOUR_IN_YEAR[0], 90, 4.0, **AT),))
    assert payer_check(DIAG, LUMBAR, 1, TODAY, history, MEDICARE_RULES, **AT).allowed
    assert not payer_check(DIAG, Region.CERVICAL, 1, TODAY, history, MEDICARE_RULES, **AT).allowed


def rfa_history(*days: date, reliefs: tuple[PastRelief, ...] = ()) -> History:
    return History(sessions=tuple(PastSession(RFA, LUMBAR, d, **AT) for d in days),
                   reliefs=(*TWO_BLOCKS.reliefs, *reliefs))


@pytest.mark.parametrize(
    ("procedure", "history", "rules", "earliest"),
    [
        # blocks: therapeutic injections and RFA need two blocks with >= 80 % on the same scale
        pytest.param(THER, NO_HISTORY, ["blocks"], None, id="therapeutic-no-blocks"),
        pytest.param(THER, History(reliefs=(block(date(2026, 9, 1), 85),)), ["blocks"], None,
                     id="therapeutic-one-block"),
        pytest.param(THER, History(reliefs=(block(date(2026, 9, 1), 85),
                                            block(date(2026, 10, 1), 79))),
                     ["blocks"], None, id="therapeutic-second-block-79pct"),
        pytest.param(THER, History(reliefs=(block(date(2026, 9, 1), 85),
                                            block(date(2026, 10, 1), 90, same_scale=False))),
                     ["blocks"], None, id="therapeutic-second-block-other-scale"),
        pytest.param(THER, TWO_BLOCKS, [], None, id="therapeutic-two-blocks"),
        pytest.param(RFA, NO_HISTORY, ["blocks"], None, id="rfa-no-blocks"),
        pytest.param(RFA, TWO_BLOCKS, [], None, id="rfa-two-blocks"),
        # a second diagnostic block needs a first one with >= 80 %
        pytest.param(DIAG, History(sessions=(PastSession(DIAG, LUMBAR, date(2027, 2, 1), **AT),),
                                   reliefs=(block(date(2027, 2, 1), 78),)),
                     ["blocks"], None, id="second-diagnostic-after-78pct"),
        pytest.param(DIAG, NO_HISTORY, [], None, id="first-diagnostic"),
        # repeat: the last one must have helped long enough
        pytest.param(THER, History(reliefs=(*TWO_BLOCKS.reliefs,
                                            PastRelief(THER, LUMBAR, date(2026, 11, 1), 60,
                                                       3 * MONTH_HOURS, **AT))),
                     [], None, id="repeat-therapeutic-3mo"),
        pytest.param(THER, History(reliefs=(*TWO_BLOCKS.reliefs,
                                            PastRelief(THER, LUMBAR, date(2026, 11, 1), 60,
                                                       2 * MONTH_HOURS, **AT))),
                     ["repeat"], None, id="repeat-therapeutic-2mo"),
        pytest.param(THER, History(reliefs=(*TWO_BLOCKS.reliefs,
                                            PastRelief(THER, LUMBAR, date(2026, 11, 1), 49,
                                                       4 * MONTH_HOURS, **AT))),
                     ["repeat"], None, id="repeat-therapeutic-49pct"),
        pytest.param(RFA, rfa_history(date(2026, 6, 1), reliefs=(
            PastRelief(RFA, LUMBAR, date(2026, 6, 1), 50, 6 * MONTH_HOURS, **AT),)),
                     [], None, id="repeat-rfa-6mo"),
        pytest.param(RFA, rfa_history(date(2026, 6, 1), reliefs=(
            PastRelief(RFA, LUMBAR, date(2026, 6, 1), 90, 5 * MONTH_HOURS, **AT),)),
                     ["repeat"], None, id="repeat-rfa-5mo"),
        # RFA: at most 2 sessions per region in 12 months
        pytest.param(RFA, rfa_history(date(2026, 6, 1), date(2026, 12, 15), reliefs=(
            PastRelief(RFA, LUMBAR, date(2026, 12, 15), 90, 7 * MONTH_HOURS, **AT),)),
                     ["limit"], date(2027, 6, 1), id="third-rfa-in-year"),
    ],
)
def test_payer_check_blocks_repeat_and_rfa(
    procedure: Procedure, history: History, rules: list[str], earliest: date | None,
) -> None:
    check = payer_check(procedure, LUMBAR, 1, TODAY, history, MEDICARE_RULES, **AT)
    assert [p.rule for p in check.problems] == rules
    assert check.allowed is (not rules)
    assert check.earliest == earliest
    assert check.limit == MEDICARE_RULES.max_sessions(procedure)
    assert all(p.text and "None" not in p.text for p in check.problems)


def test_repeat_problem_says_what_the_last_one_gave() -> None:
    history = History(reliefs=(*TWO_BLOCKS.reliefs,
                               PastRelief(THER, LUMBAR, date(2026, 11, 1), 60, 48.0, **AT)))
    (problem,) = payer_check(THER, LUMBAR, 1, TODAY, history, MEDICARE_RULES, **AT).problems
    assert problem.rule == "repeat"
    assert problem.text == ("a repeat needs the last one to have given at least 50 % relief "
                            "for 3 months (it gave 60 % for 2 days)")
    assert problem.earliest is None


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        pytest.param(TODAY, {DIAG: 2, THER: 1, RFA: 0}, id="today"),
        pytest.param(date(2027, 2, 1), {DIAG: 2, THER: 0, RFA: 0}, id="before-therapeutic"),
        pytest.param(date(2027, 6, 2), {DIAG: 1, THER: 1, RFA: 0}, id="first-block-out"),
        pytest.param(date(2025, 1, 1), {DIAG: 0, THER: 0, RFA: 0}, id="before-everything"),
    ],
)
def test_session_counts(day: date, expected: dict[Procedure, int]) -> None:
    history = History(sessions=(
        PastSession(DIAG, LUMBAR, date(2026, 6, 1), **AT),
        PastSession(DIAG, LUMBAR, date(2026, 7, 1), **AT),
        PastSession(THER, LUMBAR, date(2027, 3, 1), **AT),
        PastSession(RFA, Region.CERVICAL, date(2027, 1, 5), **AT),
    ))
    assert session_counts(history, LUMBAR, day, MEDICARE_RULES) == expected


# --------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        pytest.param("90 min", 1.5, id="minutes"),
        pytest.param("30 minutes", 0.5, id="minutes-word"),
        pytest.param("2h", 2.0, id="h"),
        pytest.param("3 hours", 3.0, id="hours"),
        pytest.param("1.5", 1.5, id="bare-number-is-hours"),
        pytest.param("3 days", 72.0, id="days"),
        pytest.param("2 weeks", 336.0, id="weeks"),
        pytest.param("4 months", 4 * MONTH_HOURS, id="months"),
        pytest.param("2.5 months", 2.5 * MONTH_HOURS, id="months-one-decimal"),
        pytest.param("6 mo", 6 * MONTH_HOURS, id="mo"),
        pytest.param(" 2 HRS ", 2.0, id="upper-case-padded"),
    ],
)
def test_parse_duration(text: str, hours: float) -> None:
    assert parse_duration(text) == pytest.approx(hours)


@pytest.mark.parametrize("text", ["abc", "", "2 years", "-3 hours", "two hours", "3 h 20",
                                  "2.25 months"],
                         ids=["word", "empty", "years", "negative", "spelled", "compound",
                              "months-two-decimals"])
def test_parse_duration_refuses(text: str) -> None:
    with pytest.raises(AnswerError) as caught:
        parse_duration(text)
    assert caught.value.key == "hours_lasted"


@pytest.mark.parametrize(
    ("hours", "words"),
    [
        pytest.param(0.5, "30 minutes", id="half-hour"),
        pytest.param(1.0, "1 hour", id="one-hour"),
        pytest.param(1.5, "90 minutes", id="ninety-minutes"),
        pytest.param(1.99, "119 minutes", id="just-under-two-hours"),
        pytest.param(3 * MONTH_HOURS - 1, "91.2 days", id="just-under-three-months"),
        pytest.param(90 * 24.0, "90 days", id="ninety-days-is-not-three-months"),
        pytest.param(15 * 24.0, "15 days", id="fifteen-days"),
        pytest.param(2.0, "2 hours", id="two-hours"),
        pytest.param(24.0, "24 hours", id="one-day-in-hours"),
        pytest.param(72.0, "3 days", id="three-days"),
        pytest.param(336.0, "2 weeks", id="two-weeks"),
        pytest.param(4 * MONTH_HOURS, "4 months", id="four-months"),
        pytest.param(MONTH_HOURS, "1 month", id="one-month"),
        pytest.param(2.5 * MONTH_HOURS, "2.5 months", id="months-one-decimal"),
    ],
)
def test_describe_hours(hours: float, words: str) -> None:
    assert describe_hours(hours) == words


@pytest.mark.parametrize(
    ("text", "region", "count"),
    [
        pytest.param("L4-L5, L5-S1", None, 2, id="two"),
        pytest.param("l4-l5", LUMBAR, 1, id="lower-case"),
        pytest.param("L3-L4; L4-L5 and L5-S1", LUMBAR, 3, id="separators"),
        pytest.param("C5-C6, C6-C7", Region.CERVICAL, 2, id="cervical"),
        pytest.param("T7 - T8", Region.THORACIC, 1, id="spaces"),
    ],
)
def test_count_levels(text: str, region: Region | None, count: int) -> None:
    assert count_levels(text, region) == count


@pytest.mark.parametrize(
    ("text", "region"),
    [
        pytest.param("X1", None, id="not-a-level"),
        pytest.param("", None, id="empty"),
        pytest.param("L4", None, id="half-a-level"),
        pytest.param("C5-C6", LUMBAR, id="wrong-region"),
        pytest.param("L4-L5, C5-C6", LUMBAR, id="one-in-wrong-region"),
    ],
)
def test_count_levels_refuses(text: str, region: Region | None) -> None:
    with pytest.raises(AnswerError) as caught:
        count_levels(text, region)
    assert caught.value.key == "levels"


@pytest.mark.parametrize(
    ("key", "raw", "value"),
    [
        pytest.param("percent_relief", "80%", 80, id="percent-sign"),
        pytest.param("percent_relief", " 0 ", 0, id="percent-zero"),
        pytest.param("percent_relief", "100", 100, id="percent-100"),
        pytest.param("hours_lasted", "90 min", 1.5, id="hours-text"),
        pytest.param("hours_lasted", 3, 3.0, id="hours-number"),
        pytest.param("levels", "l4-l5,l5-s1", "L4-L5, L5-S1", id="levels-normalised"),
        pytest.param("region", "Lumbar", Region.LUMBAR, id="region"),
        pytest.param("pain_kind", "SPINE", PainKind.SPINE, id="pain-kind"),
        pytest.param("procedure", "rfa", Procedure.RFA, id="procedure"),
        pytest.param("side", "bilateral", Side.BILATERAL, id="side"),
        pytest.param("scale_before", "10", 10, id="scale"),
        pytest.param("injections_so_far", "2", 2, id="injections"),
        pytest.param("same_scale", "Yes", True, id="yes"),
        pytest.param("wearing_off", "n", False, id="no"),
        pytest.param("wearing_off", True, True, id="bool"),
        pytest.param("ordered", " follow-up ", FOLLOW_UP, id="ordered"),
    ],
)
def test_parse_answer(key: str, raw: Any, value: Any) -> None:
    assert parse_answer(key, raw) == value


@pytest.mark.parametrize(
    ("key", "raw"),
    [
        pytest.param("percent_relief", "101", id="percent-over-100"),
        pytest.param("percent_relief", "-5", id="percent-negative"),
        pytest.param("percent_relief", "lots", id="percent-word"),
        pytest.param("percent_relief", "75.5", id="percent-fraction"),
        pytest.param("hours_lasted", "abc", id="hours-word"),
        pytest.param("hours_lasted", -1, id="hours-negative-number"),
        pytest.param("levels", "X1", id="levels"),
        pytest.param("region", "neck", id="region-word"),
        pytest.param("scale_after", "11", id="scale-over-10"),
        pytest.param("injections_so_far", "0", id="injections-zero"),
        pytest.param("same_scale", "maybe", id="yes-no"),
        pytest.param("ordered", "  ", id="ordered-empty"),
        pytest.param("reason", "other", id="not-a-question"),
    ],
)
def test_parse_answer_refuses(key: str, raw: Any) -> None:
    with pytest.raises(AnswerError) as caught:
        parse_answer(key, raw)
    assert caught.value.key == key
    assert caught.value.reason


def test_answers_from_leaves_bad_values_unasked() -> None:
    answers = answers_from({"procedure": "facet-diagnostic", "percent_relief": "101",
                            "hours_lasted": "3 hours", "levels": "", "same_scale": "no"},
                           CallReason.INJECTION_REPORT)
    assert answers == Answers(reason=CallReason.INJECTION_REPORT, procedure=DIAG,
                              hours_lasted=3.0, same_scale=False)


def test_an_allowed_order_names_the_payers_own_window() -> None:
    payer = PayerRules(window_months=6)
    rec = recommend(
        Answers(reason=CallReason.ORDERED_VISIT, ordered="facet-diagnostic",
                region=Region.LUMBAR, levels="L4-L5", side=Side.LEFT),
        History(), Rules(payers=(payer,)), payer="Medicare", today=TODAY)
    [verdict] = rec.payers
    assert verdict.summary == "Allowed: 0 of 4 diagnostic sessions in this region in 6 months"
