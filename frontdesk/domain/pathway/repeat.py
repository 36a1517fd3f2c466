"""When a repeat becomes allowed: the first day a payer's rules let a patient have an RFA or a
therapeutic injection again, after the last one done.

The day is the booking check's own answer (:func:`payer_check`), asked from the first day the
documented relief can meet the payer's repeat rule (the relief has to have lasted the rule's
months from the procedure day, so the repeat is no sooner) and moved on by the day the check
itself names when a session cap is full. No threshold is read here twice: the relief rule
comes from :meth:`PayerRules.repeat_relief`, the caps from the check.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from frontdesk.domain.pathway.levels import Where, may_be_at
from frontdesk.domain.pathway.payers import PayerCheck, payer_check
from frontdesk.domain.pathway.questions import describe_hours
from frontdesk.domain.pathway.values import History, PastRelief, PastSession, PayerRules, Procedure

#: The procedures a repeat is recalled for.
REPEATED = (Procedure.RFA, Procedure.FACET_THERAPEUTIC)
#: How many times the check's own "allowed again from" is followed before giving up (each
#: step is a full cap moving on; two windows' worth is more than any cap needs).
_STEPS = 8


@dataclass(frozen=True, slots=True)
class Eligible:
    """The first day a repeat of ``last`` passes ``check``'s payer, and the rule behind it."""

    day: date
    rule: str  # for staff: the payer's rule and what is on record
    check: PayerCheck
    relief: PastRelief


def relief_for(last: PastSession, history: History) -> PastRelief | None:
    """The newest relief report about ``last`` (taken on it or a later one of its kind, at its
    levels and side where both are on record), or None when none is documented."""
    where = Where(last.region, last.level_set, last.side)
    found = [r for r in history.reports(last.procedure, last.region)
             if r.day >= last.day and may_be_at(r, where)]
    return found[-1] if found else None


def first_eligible(last: PastSession, history: History, payer: PayerRules, *,
                   today: date) -> Eligible | None:
    """The first day ``payer`` allows repeating ``last`` (an RFA or a therapeutic injection),
    or None: no relief documented about it, relief short of the rule, or a cap that waiting
    never frees (a payer that refuses repeats).

    A day already past is asked again as of ``today`` — the booking's own check, which
    weighs every relief report on record by then (one taken later, poorer, ends the recall)
    and today's caps: still allowed, the recall stays due since that day; allowed only later,
    it is due from then; never, there is none."""
    relief = relief_for(last, history)
    if last.procedure not in REPEATED or relief is None:
        return None
    percent, months = payer.repeat_relief(last.procedure)
    first = max(last.day + timedelta(days=1), last.day + relativedelta(months=months))
    found = _allowed_from(last, history, payer, first)
    if found is None:
        return None
    day, check = found
    if day < today:
        still = _allowed_from(last, history, payer, today)
        if still is None:
            return None
        day, check = (day, still[1]) if still[0] == today else still
    return Eligible(day, _rule(last, payer, check, relief, percent, months), check, relief)


def _allowed_from(last: PastSession, history: History, payer: PayerRules, day: date
                  ) -> tuple[date, PayerCheck] | None:
    """The first day from ``day`` the booking check allows repeating ``last``, with the
    check, following the day it names while a cap is full; None when waiting never helps."""
    for _ in range(_STEPS):
        check = payer_check(last.procedure, last.region, last.levels, day, history, payer,
                            level_set=last.level_set, side=last.side)
        if check.allowed:
            return day, check
        later = check.earliest
        if later is None or later <= day:
            return None
        day = later
    return None


def _rule(last: PastSession, payer: PayerRules, check: PayerCheck, relief: PastRelief,
          percent: int, months: int) -> str:
    """'Medicare (Novitas): repeat RFA after at least 50 % relief for 6 months (on record:
    80 % for 7 months); 1 of 2 RFA sessions in 12 months'."""
    noun = last.procedure.noun
    return (f"{payer.label}: repeat {noun} after at least {percent} % relief for {months} "
            f"months (on record: {relief.percent} % for {describe_hours(relief.hours)}); "
            f"{check.count} of {check.limit} {noun} sessions in {check.window_months} months")
