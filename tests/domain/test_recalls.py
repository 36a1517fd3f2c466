"""Recalls' pure rules: the first day a repeat is allowed is the booking check's own answer;
tries order, hide and close a recall; what each outcome needs."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from dateutil.relativedelta import relativedelta

from frontdesk.domain.model import Region, Side
from frontdesk.domain.pathway import (
    MONTH_HOURS,
    History,
    PastRelief,
    PastSession,
    PayerRules,
    Procedure,
    payer_check,
)
from frontdesk.domain.pathway.repeat import first_eligible
from frontdesk.domain.recalls import (
    RecallKind,
    RecallOutcome,
    RecallRules,
    Try,
    check_outcome,
    closes,
    sort_key,
    standing,
)

LUMBAR = Region.LUMBAR
AT = frozenset({"L4-L5"})
MEDICARE = PayerRules()
SOON = date(2026, 9, 20)  # just after the procedures below


def _history(procedure: Procedure, day: date, *, percent: int, months: float,
             earlier: tuple[date, ...] = ()) -> tuple[PastSession, History]:
    blocks = tuple(PastSession(Procedure.FACET_DIAGNOSTIC, LUMBAR, day - timedelta(days=d),
                               level_set=AT, side=Side.BILATERAL) for d in (70, 50))
    block_reports = tuple(PastRelief(Procedure.FACET_DIAGNOSTIC, LUMBAR, s.day, 90, 6,
                                     level_set=AT, side=Side.BILATERAL) for s in blocks)
    last = PastSession(procedure, LUMBAR, day, level_set=AT, side=Side.BILATERAL)
    before = tuple(PastSession(procedure, LUMBAR, d, level_set=AT, side=Side.BILATERAL)
                   for d in earlier)
    report = PastRelief(procedure, LUMBAR, day, percent, months * MONTH_HOURS, level_set=AT,
                        side=Side.BILATERAL)
    return last, History(True, (*blocks, *before, last), (*block_reports, report))


@pytest.mark.parametrize("procedure", [Procedure.RFA, Procedure.FACET_THERAPEUTIC])
def test_a_repeat_is_allowed_from_the_day_its_relief_rule_months_end(
    procedure: Procedure
) -> None:
    last, history = _history(procedure, date(2026, 8, 31), percent=80, months=9)
    found = first_eligible(last, history, MEDICARE, today=SOON)
    assert found is not None
    _, months = MEDICARE.repeat_relief(procedure)
    assert found.day == date(2026, 8, 31) + relativedelta(months=months)
    assert payer_check(procedure, LUMBAR, 1, found.day, history, MEDICARE, level_set=AT,
                       side=Side.BILATERAL).allowed
    assert found.relief.percent == 80


def test_a_full_cap_moves_it_to_the_day_the_check_names() -> None:
    last, history = _history(Procedure.RFA, date(2026, 9, 15), percent=80, months=7,
                             earlier=(date(2026, 5, 18),))
    found = first_eligible(last, history, MEDICARE, today=SOON)
    assert found is not None
    assert found.day == date(2027, 5, 18)
    assert found.rule.endswith("1 of 2 RFA sessions in 12 months")


@pytest.mark.parametrize(("percent", "months", "rules"), [
    (40, 9, MEDICARE),  # too little relief
    (80, 4, MEDICARE),  # not for long enough
    (80, 9, replace(MEDICARE, max_rfa=0)),  # a payer that refuses repeats
])
def test_no_date_when_waiting_never_helps(percent: int, months: float,
                                          rules: PayerRules) -> None:
    last, history = _history(Procedure.RFA, date(2026, 9, 15), percent=percent,
                             months=months)
    assert first_eligible(last, history, rules, today=SOON) is None


def test_no_date_without_relief_documented_about_the_last_one() -> None:
    last, history = _history(Procedure.RFA, date(2026, 9, 15), percent=80, months=9)
    undocumented = History(True, history.sessions, tuple(
        r for r in history.reliefs if r.procedure != Procedure.RFA))
    assert first_eligible(last, undocumented, MEDICARE, today=SOON) is None


def test_a_day_gone_by_is_asked_again_as_of_today() -> None:
    """The first eligible day passed: the recall stays due since then while the booking's
    check still allows it today — and is gone once a poorer relief report, taken later,
    says the last RFA did not last (the check booking makes would refuse it)."""
    last, history = _history(Procedure.RFA, date(2025, 8, 4), percent=80, months=7)
    today = date(2026, 9, 20)
    found = first_eligible(last, history, MEDICARE, today=today)
    assert found is not None
    assert found.day == date(2026, 2, 4)  # due since then, still allowed today
    poorer = PastRelief(Procedure.RFA, LUMBAR, date(2026, 3, 8), 20, MONTH_HOURS,
                        level_set=AT, side=Side.BILATERAL)  # taken later, not linked
    later = replace(history, reliefs=(*history.reliefs, poorer))
    assert payer_check(Procedure.RFA, LUMBAR, 1, found.day, later, MEDICARE, level_set=AT,
                       side=Side.BILATERAL).allowed  # on the old day it did not show yet
    assert not payer_check(Procedure.RFA, LUMBAR, 1, today, later, MEDICARE, level_set=AT,
                           side=Side.BILATERAL).allowed
    assert first_eligible(last, later, MEDICARE, today=today) is None


def test_a_booked_next_step_closes_each_kind() -> None:
    assert closes("rfa", "rfa-consult")
    assert closes("rfa", "rfa")
    assert not closes("rfa", "massage")
    assert closes("facet-diagnostic", "facet-therapeutic")
    assert closes("facet-therapeutic", "follow-up")
    assert not closes("facet-therapeutic", "med-management")


NOW = datetime(2027, 3, 10, 15, tzinfo=UTC)
TODAY = date(2027, 3, 10)


def test_the_newest_try_decides_and_tries_are_counted() -> None:
    rules = RecallRules()
    tries = [Try(RecallOutcome.NOT_NOW, NOW - timedelta(days=9), date(2027, 3, 5)),
             Try(RecallOutcome.NO_ANSWER, NOW - timedelta(hours=3))]
    found = standing(tries, now=NOW, today=TODAY, rules=rules)
    assert found.tries == 2
    assert found.tried_recently
    assert found.shows(TODAY)
    later = standing(tries, now=NOW + timedelta(days=rules.retry_days), today=TODAY,
                     rules=rules)
    assert not later.tried_recently
    snoozed = standing([Try(RecallOutcome.NOT_NOW, NOW, date(2027, 3, 12))], now=NOW,
                       today=TODAY, rules=rules)
    assert not snoozed.shows(TODAY)
    assert snoozed.shows(date(2027, 3, 12))
    for outcome in (RecallOutcome.BOOKED, RecallOutcome.DECLINED):
        assert not standing([Try(outcome, NOW)], now=NOW, today=TODAY,
                            rules=rules).shows(date(2030, 1, 1))


def test_untried_come_before_tried_then_the_most_overdue() -> None:
    fresh = standing([], now=NOW, today=TODAY, rules=RecallRules())
    tried = standing([Try(RecallOutcome.LEFT_MESSAGE, NOW)], now=NOW, today=TODAY,
                     rules=RecallRules())
    keys = sorted([
        sort_key(date(2027, 1, 1), tried, RecallKind.REPEAT, 1),
        sort_key(date(2027, 3, 1), fresh, RecallKind.RELIEF, 2),
        sort_key(date(2027, 2, 1), fresh, RecallKind.FOLLOW_UP, 3),
    ])
    assert [k[-1] for k in keys] == [3, 2, 1]


@pytest.mark.parametrize(("outcome", "until", "note", "problem"), [
    ("booked", None, "", None),
    ("not-now", date(2027, 3, 11), "", None),
    ("not-now", None, "", "needs the day"),
    ("not-now", TODAY, "", "after today"),
    ("declined", None, " ", "needs a note"),
    ("declined", None, "Moved away", None),
    ("left-message", date(2027, 4, 1), "", "only not now"),
    ("called", None, "", "one of"),
])
def test_what_each_outcome_needs(outcome: str, until: date | None, note: str,
                                 problem: str | None) -> None:
    _, said = check_outcome(outcome, until=until, note=note, today=TODAY)
    assert (said is None) if problem is None else (said is not None and problem in said)
