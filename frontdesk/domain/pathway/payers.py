"""Payer rules: does one procedure on one day pass a payer's limits, and if not, from when."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from frontdesk.domain.model import Region, Side
from frontdesk.domain.pathway.levels import (
    Where,
    at_words,
    blocks_at,
    elsewhere_note,
    may_be_at,
    repeats_unconfirmed,
)
from frontdesk.domain.pathway.questions import describe_hours, lasted_months
from frontdesk.domain.pathway.values import History, PayerRules, Procedure


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
    count: int  # sessions of this kind in this region (and those the payer counts with it)
    #            in the window ending on ``day``
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


# --------------------------------------------------------------------------- payer rules


def payer_check(procedure: Procedure, region: Region | None, levels: int, day: date,
                history: History, payer: PayerRules, *,
                level_set: frozenset[str] = frozenset(), side: Side | None = None) -> PayerCheck:
    """Whether ``payer`` allows ``procedure`` in ``region`` on ``day``, and when it would.

    ``levels`` is how many levels the session treats; ``level_set`` and ``side`` which: the
    diagnostic blocks a procedure needs are counted at them (``levels.py`` says how), while
    the session caps count the region with those the payer counts together."""
    window = relativedelta(months=payer.window_months)
    limit = payer.max_sessions(procedure)
    where_booked = Where(region, level_set, side)
    days = [s.day for s in history.in_regions(procedure, payer.counted_with(region))]
    count = sum(1 for d in days if d > day - window and d <= day)
    problems: list[Problem] = []
    notes: list[str] = []
    if levels > payer.max_levels:
        problems.append(Problem("levels", f"at most {payer.max_levels} levels per session "
                                          f"({levels} asked)"))
    if not _fits(days, day, limit, window):
        earliest = _earliest_fit(days, day, limit, window)
        where = " and ".join(sorted(r.value if r else "this region"
                                    for r in payer.counted_with(region)))
        problems.append(Problem(
            "limit",
            f"{limit} {procedure.noun} sessions in the {where} spine in "
            f"{payer.window_months} months already"
            + (f"; allowed again from {earliest:%a %d %b %Y}" if earliest else ""),
            earliest))
    blocks = blocks_at(history.reliefs, where_booked, payer)
    if procedure == Procedure.FACET_DIAGNOSTIC:
        unconfirmed = repeats_unconfirmed(history, where_booked, day, payer)
        if unconfirmed:
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
        earlier = [r for r in history.reports(procedure, region)
                   if r.day <= day and may_be_at(r, where_booked)]
        if earlier:
            last = earlier[-1]
            pct, months = payer.repeat_relief(procedure)
            if last.percent < pct or not lasted_months(last.day, last.hours, months):
                problems.append(Problem(
                    "repeat", f"a repeat needs the last one to have given at least {pct} % "
                              f"relief for {months} months (it gave {last.percent} % for "
                              f"{describe_hours(last.hours)})"))
    if any(p.rule == "blocks" for p in problems):
        # Blocks count per level and side: say where, and what on record did not count.
        problems = [replace(p, text=p.text + at_words(where_booked)) if p.rule == "blocks"
                    else p for p in problems]
        note = elsewhere_note(history, where_booked, payer, blocks)
        if note:
            notes.append(note)
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
    together = payer.counted_with(region)
    return {proc: sum(1 for s in history.in_regions(proc, together)
                      if day - window < s.day and (booked_after or s.day <= day))
            for proc in Procedure}
