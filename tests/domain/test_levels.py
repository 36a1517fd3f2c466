"""Levels are part of the history (issue 17, item 5): diagnostic blocks count per level and
side for the two-block rule, sessions per region (or per group of regions) for the caps.

Pure: no database. Table-driven; every case names the boundary it checks. Sessions and
reports are in the lumbar spine unless a case says otherwise.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from frontdesk.domain.calls import CallReason
from frontdesk.domain.model import Region, Side
from frontdesk.domain.pathway import (
    AnswerError,
    Answers,
    History,
    PastRelief,
    PastSession,
    PayerRules,
    Procedure,
    Rules,
    level_set,
    payer_check,
    recommend,
    session_counts,
)
from frontdesk.domain.settings import parse_settings

TODAY = date(2027, 3, 10)
LUMBAR, CERVICAL, THORACIC = Region.LUMBAR, Region.CERVICAL, Region.THORACIC
DIAG, THER, RFA = Procedure.FACET_DIAGNOSTIC, Procedure.FACET_THERAPEUTIC, Procedure.RFA
LEFT, RIGHT, BOTH = Side.LEFT, Side.RIGHT, Side.BILATERAL
MEDICARE = PayerRules()
MONTH_HOURS = 30 * 24.0
SEP, OCT, NOV, DEC = date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1)


def lv(text: str) -> frozenset[str]:
    return frozenset(p.strip() for p in text.split(",") if p.strip())


def done(day: date, levels: str = "L4-L5", side: Side | None = LEFT, percent: int | None = 90,
         *, procedure: Procedure = DIAG, hours: float = 4.0,
         region: Region = LUMBAR) -> History:
    """One session on ``day`` and, unless ``percent`` is None, its report."""
    session = PastSession(procedure, region, day, level_set=lv(levels), side=side)
    reliefs = () if percent is None else (
        PastRelief(procedure, region, day, percent, hours, level_set=lv(levels), side=side),)
    return History(seen_before=True, sessions=(session,), reliefs=reliefs)


def plus(*histories: History) -> History:
    return History(seen_before=True,
                   sessions=tuple(s for h in histories for s in h.sessions),
                   reliefs=tuple(r for h in histories for r in h.reliefs))


def rules(procedure: Procedure, history: History, levels: str, side: Side | None,
          payer: PayerRules = MEDICARE, region: Region = LUMBAR) -> list[str]:
    at = lv(levels)
    check = payer_check(procedure, region, max(len(at), 1), TODAY, history, payer,
                        level_set=at, side=side)
    return [p.rule for p in check.problems]


# --------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("text", "region", "expected"),
    [
        pytest.param("L4-L5", LUMBAR, {"L4-L5"}, id="one"),
        pytest.param("l4-l5, L5-S1", LUMBAR, {"L4-L5", "L5-S1"}, id="lower-case-two"),
        pytest.param(" L5-S1 ; L4-L5 and L3-L4", None, {"L3-L4", "L4-L5", "L5-S1"},
                     id="separators-any-order"),
        pytest.param("L4-L5, L4-L5", LUMBAR, {"L4-L5"}, id="repeated-once"),
        pytest.param("C5-C6", CERVICAL, {"C5-C6"}, id="cervical"),
    ],
)
def test_level_set(text: str, region: Region | None, expected: set[str]) -> None:
    assert level_set(text, region) == frozenset(expected)


@pytest.mark.parametrize(("text", "region"), [
    pytest.param("", None, id="empty"),
    pytest.param("lower back", None, id="words"),
    pytest.param("C5-C6", LUMBAR, id="other-region"),
])
def test_level_set_refuses(text: str, region: Region | None) -> None:
    with pytest.raises(AnswerError):
        level_set(text, region)


# --------------------------------------------------------------------------- second block

NEGATIVE_L45 = done(SEP, "L4-L5", LEFT, 30)
POSITIVE_L45 = done(SEP, "L4-L5", LEFT, 90)


@pytest.mark.parametrize(
    ("history", "levels", "side", "expected"),
    [
        pytest.param(History(), "L4-L5", LEFT, [], id="first-ever"),
        pytest.param(NEGATIVE_L45, "L2-L3", LEFT, [], id="negative-l45-first-l23-allowed"),
        pytest.param(NEGATIVE_L45, "L4-L5", LEFT, ["blocks"], id="negative-l45-again"),
        pytest.param(NEGATIVE_L45, "L4-L5, L5-S1", LEFT, ["blocks"],
                     id="negative-l45-overlapping-set"),
        pytest.param(done(SEP, "L4-L5", LEFT, None), "L4-L5", LEFT, ["blocks"],
                     id="no-report-yet"),
        pytest.param(POSITIVE_L45, "L4-L5", LEFT, [], id="positive-l45-confirmatory"),
        pytest.param(POSITIVE_L45, "L4-L5, L5-S1", LEFT, [],
                     id="positive-l45-adds-a-first-l5s1"),
        pytest.param(done(SEP, "L4-L5", LEFT, 79), "L4-L5", LEFT, ["blocks"],
                     id="79pct-below-payer"),
        # sides: medial branch blocks are side-specific; bilateral is both
        pytest.param(NEGATIVE_L45, "L4-L5", RIGHT, [], id="negative-left-first-right"),
        pytest.param(NEGATIVE_L45, "L4-L5", BOTH, ["blocks"], id="negative-left-bilateral"),
        pytest.param(POSITIVE_L45, "L4-L5", BOTH, [], id="positive-left-first-right-side"),
        pytest.param(done(SEP, "L4-L5", BOTH, 30), "L4-L5", RIGHT, ["blocks"],
                     id="negative-bilateral-right"),
        # old data: what is not on record may have been at these levels and sides
        pytest.param(done(SEP, "", None, 30), "L2-L3", LEFT, ["blocks"],
                     id="old-session-no-levels-negative"),
        pytest.param(done(SEP, "", None, 90), "L2-L3", LEFT, ["blocks"],
                     id="old-report-no-levels-proves-nothing"),
        pytest.param(done(SEP, "L4-L5", None, 90), "L4-L5", LEFT, ["blocks"],
                     id="old-report-no-side-proves-nothing"),
        pytest.param(done(SEP, "L4-L5", None, 30), "L2-L3", LEFT, [],
                     id="no-side-other-levels-allowed"),
        # a booking without levels: any earlier block in the region may be at them
        pytest.param(POSITIVE_L45, "", LEFT, ["blocks"], id="booking-without-levels"),
        pytest.param(done(SEP, "C5-C6", LEFT, 30, region=CERVICAL), "L4-L5", LEFT, [],
                     id="other-region"),
    ],
)
def test_second_diagnostic_block_per_level_and_side(
    history: History, levels: str, side: Side | None, expected: list[str],
) -> None:
    assert rules(DIAG, history, levels, side) == expected


def test_a_later_block_does_not_make_this_one_second() -> None:
    """A negative block booked after ``day`` does not count against one booked before it."""
    later = done(date(2027, 4, 1), "L4-L5", LEFT, 30)
    assert rules(DIAG, later, "L4-L5", LEFT) == []


# --------------------------------------------------------------------------- two blocks

TWO_L45_L5S1 = plus(done(SEP, "L4-L5, L5-S1"), done(OCT, "L4-L5, L5-S1"))


@pytest.mark.parametrize(
    ("procedure", "history", "levels", "side", "expected"),
    [
        pytest.param(THER, plus(done(SEP, "L2-L3"), done(OCT, "L2-L3")), "L4-L5", LEFT,
                     ["blocks"], id="two-at-l23-do-not-count-at-l45"),
        pytest.param(THER, plus(done(SEP, "L2-L3"), done(OCT, "L4-L5")), "L4-L5", LEFT,
                     ["blocks"], id="one-at-l23-one-at-l45"),
        pytest.param(RFA, TWO_L45_L5S1, "L4-L5", LEFT, [], id="two-wider-allow-rfa-l45"),
        pytest.param(RFA, TWO_L45_L5S1, "L4-L5, L5-S1", LEFT, [], id="two-same-set"),
        pytest.param(RFA, TWO_L45_L5S1, "L3-L4, L4-L5", LEFT, ["blocks"],
                     id="two-overlapping-not-covering"),
        pytest.param(RFA, plus(done(SEP, "L4-L5"), done(OCT, "L4-L5, L5-S1")), "L4-L5, L5-S1",
                     LEFT, ["blocks"], id="least-covered-level-counts"),
        pytest.param(THER, plus(done(SEP, "L4-L5"), done(OCT, "L4-L5", percent=79)),
                     "L4-L5", LEFT, ["blocks"], id="second-79pct"),
        # sides
        pytest.param(RFA, plus(done(SEP, side=BOTH), done(OCT, side=BOTH)), "L4-L5", LEFT, [],
                     id="two-bilateral-cover-left"),
        pytest.param(RFA, plus(done(SEP), done(OCT)), "L4-L5", RIGHT, ["blocks"],
                     id="two-left-not-right"),
        pytest.param(RFA, plus(done(SEP), done(OCT)), "L4-L5", BOTH, ["blocks"],
                     id="two-left-not-bilateral"),
        pytest.param(RFA, plus(done(SEP), done(OCT), done(NOV, side=RIGHT),
                               done(DEC, side=RIGHT)), "L4-L5", BOTH, [],
                     id="two-each-side-bilateral"),
        pytest.param(RFA, plus(done(SEP), done(OCT, side=RIGHT)), "L4-L5", BOTH, ["blocks"],
                     id="one-each-side-bilateral"),
        pytest.param(RFA, plus(done(SEP, side=BOTH), done(OCT, side=BOTH)), "L4-L5", None,
                     [], id="booking-without-side-covered-by-bilateral"),
        pytest.param(RFA, plus(done(SEP), done(OCT)), "L4-L5", None, ["blocks"],
                     id="booking-without-side-is-both-sides"),
        # old data
        pytest.param(RFA, plus(done(SEP, "", None), done(OCT, "", None)), "L4-L5", LEFT,
                     ["blocks"], id="old-blocks-without-levels"),
        pytest.param(RFA, plus(done(SEP, side=None), done(OCT, side=None)), "L4-L5", LEFT,
                     ["blocks"], id="old-blocks-without-side"),
        pytest.param(RFA, TWO_L45_L5S1, "", LEFT, ["blocks"], id="booking-without-levels"),
    ],
)
def test_two_block_rule_counts_at_the_booked_levels_and_side(
    procedure: Procedure, history: History, levels: str, side: Side | None,
    expected: list[str],
) -> None:
    assert rules(procedure, history, levels, side) == expected


def test_blocks_problem_says_where_it_counted_and_what_did_not_count() -> None:
    history = plus(done(SEP, "L2-L3"), done(OCT, "L2-L3"), done(NOV, "L4-L5"))
    check = payer_check(THER, LUMBAR, 1, TODAY, history, MEDICARE, level_set=lv("L4-L5"),
                        side=LEFT)
    [problem] = check.problems
    assert "(1 on record)" in problem.text
    assert problem.text.endswith("; counted at L4-L5, left side")
    assert ("does not count 2 qualifying blocks in the lumbar spine at other levels or sides, "
            "or without levels or side on record") in check.notes
    unknown = payer_check(THER, LUMBAR, 1, TODAY, history, MEDICARE)
    [problem] = unknown.problems
    assert "(0 on record)" in problem.text
    assert problem.text.endswith("no levels given, so no block on record can count")


# --------------------------------------------------------------------------- repeat rule

BLOCKS = plus(done(date(2026, 6, 1), "L2-L3, L4-L5"), done(date(2026, 7, 1), "L2-L3, L4-L5"))


@pytest.mark.parametrize(
    ("earlier", "levels", "expected"),
    [
        pytest.param(done(NOV, "L2-L3", percent=20, procedure=THER), "L4-L5", [],
                     id="poor-therapeutic-at-l23-is-not-a-repeat-at-l45"),
        pytest.param(done(NOV, "L4-L5", percent=20, procedure=THER), "L4-L5", ["repeat"],
                     id="poor-therapeutic-at-l45"),
        pytest.param(done(NOV, "", None, percent=20, procedure=THER), "L4-L5", ["repeat"],
                     id="poor-therapeutic-without-levels-may-be-there"),
        pytest.param(done(NOV, "L4-L5", percent=60, hours=4 * MONTH_HOURS, procedure=THER),
                     "L4-L5", [], id="good-therapeutic-at-l45"),
    ],
)
def test_repeat_rule_looks_at_the_same_levels(earlier: History, levels: str,
                                              expected: list[str]) -> None:
    assert rules(THER, plus(BLOCKS, earlier), levels, LEFT) == expected


# --------------------------------------------------------------------------- recommend


def report(levels: str, side: Side = LEFT, percent: int = 85) -> Answers:
    return Answers(reason=CallReason.INJECTION_REPORT, procedure=DIAG, region=LUMBAR,
                   levels=levels, side=side, percent_relief=percent, hours_lasted=3.0,
                   scale_before=8, scale_after=1, same_scale=True, injections_so_far=1)


@pytest.mark.parametrize(
    ("history", "answers", "visit"),
    [
        pytest.param(plus(done(SEP, "L4-L5"), done(TODAY, "L4-L5", percent=None)),
                     report("L4-L5"), THER.value, id="second-positive-same-levels"),
        pytest.param(plus(done(SEP, "L2-L3"), done(TODAY, "L4-L5", percent=None)),
                     report("L4-L5"), DIAG.value, id="first-at-other-levels-confirm-first"),
        pytest.param(plus(done(SEP, "L4-L5"), done(TODAY, "L4-L5", RIGHT, percent=None)),
                     report("L4-L5", RIGHT), DIAG.value, id="first-on-the-other-side"),
        pytest.param(plus(done(SEP, "L4-L5", BOTH), done(TODAY, "L4-L5", percent=None)),
                     report("L4-L5"), THER.value, id="first-bilateral-now-left"),
    ],
)
def test_recommendation_counts_blocks_at_the_reported_levels(
    history: History, answers: Answers, visit: str,
) -> None:
    rec = recommend(answers, history, Rules(), payer="Medicare", today=TODAY)
    assert rec.complete
    assert rec.visit_types == (visit,)
    assert all(c.allowed for c in rec.checks), [p.text for c in rec.checks
                                               for p in c.problems]


def test_waning_relief_counts_blocks_at_the_reported_levels() -> None:
    answers = Answers(reason=CallReason.INJECTION_REPORT, procedure=THER, region=LUMBAR,
                      levels="L4-L5", side=LEFT, percent_relief=60, hours_lasted=3.0,
                      injections_so_far=3, wearing_off=True)
    at_l45 = plus(done(SEP, "L4-L5"), done(OCT, "L4-L5"))
    at_l23 = plus(done(SEP, "L2-L3"), done(OCT, "L2-L3"))
    [ok] = recommend(answers, at_l45, Rules(), payer="Medicare", today=TODAY).payers
    [not_ok] = recommend(answers, at_l23, Rules(), payer="Medicare", today=TODAY).payers
    assert (ok.qualifies, not_ok.qualifies) == (True, False)
    assert "0 on record" in not_ok.summary


# --------------------------------------------------------------------------- region groups

NECK_AND_MID = PayerRules(region_groups=((CERVICAL, THORACIC),))
FOUR_CERVICAL = plus(*(done(d, "C5-C6", region=CERVICAL)
                       for d in (date(2026, 4, 1), date(2026, 6, 1), SEP, OCT)))


@pytest.mark.parametrize(
    ("payer", "region", "levels", "expected"),
    [
        pytest.param(MEDICARE, THORACIC, "T7-T8", [], id="alone-thoracic-not-capped"),
        pytest.param(MEDICARE, CERVICAL, "C5-C6", ["limit"], id="alone-cervical-capped"),
        pytest.param(NECK_AND_MID, THORACIC, "T7-T8", ["limit"], id="grouped-thoracic-capped"),
        pytest.param(NECK_AND_MID, LUMBAR, "L4-L5", [], id="grouped-lumbar-alone"),
    ],
)
def test_session_caps_count_the_payers_region_groups(
    payer: PayerRules, region: Region, levels: str, expected: list[str],
) -> None:
    assert rules(DIAG, FOUR_CERVICAL, levels, LEFT, payer, region) == expected


def test_the_cap_names_the_regions_counted_together() -> None:
    check = payer_check(DIAG, THORACIC, 1, TODAY, FOUR_CERVICAL, NECK_AND_MID,
                        level_set=lv("T7-T8"), side=LEFT)
    assert check.count == 4
    [problem] = check.problems
    assert "in the cervical and thoracic spine" in problem.text


def test_session_counts_use_the_region_groups() -> None:
    assert session_counts(FOUR_CERVICAL, THORACIC, TODAY, NECK_AND_MID)[DIAG] == 4
    assert session_counts(FOUR_CERVICAL, THORACIC, TODAY, MEDICARE)[DIAG] == 0
    assert NECK_AND_MID.counted_with(LUMBAR) == frozenset({LUMBAR})
    assert NECK_AND_MID.counted_with(None) == frozenset({None})


def test_blocks_are_not_shared_by_grouped_regions() -> None:
    """Groups are for the caps: a cervical block never counts for a thoracic procedure."""
    history = plus(done(SEP, "C7-T1", region=CERVICAL), done(OCT, "C7-T1", region=CERVICAL))
    assert rules(RFA, history, "C7-T1", LEFT, NECK_AND_MID, THORACIC) == ["blocks"]


# --------------------------------------------------------------------------- settings


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param([["cervical", "thoracic"]], ((CERVICAL, THORACIC),), id="one-group"),
        pytest.param([[" Cervical ", "THORACIC"], ["lumbar"]], ((CERVICAL, THORACIC),
                                                                 (LUMBAR,)),
                     id="trimmed-any-case"),
        pytest.param([], (), id="empty-each-alone"),
    ],
)
def test_region_groups_setting(value: Any, expected: tuple[tuple[Region, ...], ...]) -> None:
    settings, problems = parse_settings({"payers": {"medicare": {"region_groups": value}}})
    assert problems == []
    medicare = settings.payers[0]
    assert medicare.region_groups == expected


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        pytest.param("cervical, thoracic", "list of lists of regions", id="text"),
        pytest.param(["cervical", "thoracic"], "list of lists of regions", id="flat-list"),
        pytest.param([[]], "list of lists of regions", id="empty-group"),
        pytest.param([["cervical", "sacral"]], "'sacral' is not a region: regions are "
                     "cervical, thoracic, lumbar", id="unknown-region"),
        pytest.param([["cervical", 3]], "'3' is not a region", id="not-text"),
        pytest.param([["cervical", "thoracic"], ["thoracic", "lumbar"]],
                     "thoracic is in more than one group", id="two-groups"),
        pytest.param([["lumbar", "lumbar"]], "lumbar is in more than one group",
                     id="twice-in-one"),
    ],
)
def test_bad_region_groups_are_reported_and_the_default_kept(value: Any, reason: str) -> None:
    settings, problems = parse_settings({"payers": {"medicare": {"region_groups": value}}})
    assert [p.key for p in problems] == ["payers.medicare.region_groups"]
    assert reason in problems[0].reason
    assert settings.payers[0] == PayerRules()
