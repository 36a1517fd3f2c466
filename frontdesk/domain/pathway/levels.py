"""Levels and sides: which diagnostic blocks count for the levels a procedure treats.

A medial branch block numbs the nerves at the levels and on the side it was given, so it says
nothing about other levels or the other side: the two-block rule counts blocks per *site* (one
level on one side, ``("L4-L5", Side.LEFT)``), and a bilateral procedure treats both sides.

- A block counts for a procedure at the sites it covered. A procedure at several sites has as
  many qualifying blocks as its least-covered site: two blocks at L4-L5, L5-S1 count twice for
  RFA at L4-L5; blocks at L4-L5 and at L4-L5, L5-S1 count once for RFA at L4-L5, L5-S1; a left
  and a right block count once each side, so once for a bilateral procedure.
- What is not on record never helps a booking through (a billing audit would find it unproven)
  and always may hold one back: a block without levels or side on record covers no site, while
  an earlier session without levels may have been at any level of the region (without a side:
  on both sides). A procedure booked without levels has no site a block could be shown to
  cover; without a side it is taken as both sides.

Session caps are not counted here: they stay per region (or per group of regions a payer counts
together, :meth:`PayerRules.counted_with`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from frontdesk.domain.model import Region, Side
from frontdesk.domain.pathway.values import History, PastRelief, PayerRules, Procedure

Site = tuple[str, Side]  # one level on one side: ("L4-L5", Side.LEFT)
_BOTH = (Side.LEFT, Side.RIGHT)


def _sides(side: Side | None) -> tuple[Side, ...]:
    return (side,) if side in (Side.LEFT, Side.RIGHT) else _BOTH


@dataclass(frozen=True, slots=True)
class Where:
    """Where a procedure is booked or recommended: region, levels and side."""

    region: Region | None
    levels: frozenset[str] = frozenset()  # empty: not given
    side: Side | None = None  # None: not given (taken as both sides)

    @property
    def sites(self) -> frozenset[Site]:
        return frozenset((level, s) for level in self.levels for s in _sides(self.side))

    def describe(self) -> str:
        """'L4-L5, L5-S1, left side' or 'L4-L5, both sides', for the staff's notes."""
        sides = {Side.LEFT: "left side", Side.RIGHT: "right side"}.get(
            self.side or Side.BILATERAL, "both sides")
        return f"{', '.join(sorted(self.levels))}, {sides}"


def covered(levels: frozenset[str], side: Side | None) -> frozenset[Site]:
    """The sites a block proves it covered: none when its levels or side are not on record."""
    if not levels or side is None:
        return frozenset()
    return Where(None, levels, side).sites


def may_have_treated(levels: frozenset[str], side: Side | None,
                     target: frozenset[Site]) -> frozenset[Site]:
    """The ``target`` sites an earlier session may have treated: all of them when its levels are
    not on record, both sides when its side is not."""
    if not levels:
        return target
    return target & Where(None, levels, side).sites


def qualifies(report: PastRelief, payer: PayerRules) -> bool:
    """A diagnostic block report with the payer's relief, scored on the same scale."""
    return report.percent >= payer.diagnostic_relief_percent and report.same_scale


def blocks_at(reports: Iterable[PastRelief], where: Where, payer: PayerRules) -> int:
    """Qualifying diagnostic blocks for a procedure at ``where``: those of its least-covered
    site (0 when no levels are given)."""
    sites = where.sites
    if not sites:
        return 0
    good = [covered(r.level_set, r.side) for r in reports
            if r.procedure == Procedure.FACET_DIAGNOSTIC and r.region == where.region
            and qualifies(r, payer)]
    return min(sum(1 for c in good if site in c) for site in sites)


def repeats_unconfirmed(history: History, where: Where, day: date, payer: PayerRules) -> bool:
    """Whether a diagnostic block at ``where`` on ``day`` would be a second block at a site an
    earlier block may have treated, with no qualifying block there on record (the rule "a
    second diagnostic block needs a first qualifying one", per site)."""
    earlier = [s for s in history.in_region(Procedure.FACET_DIAGNOSTIC, where.region)
               if s.day <= day]
    if not earlier:
        return False
    target = where.sites
    if not target:
        return True  # no levels given: any earlier block in the region may be at them
    treated = frozenset().union(*(may_have_treated(s.level_set, s.side, target)
                                  for s in earlier))
    good = frozenset().union(*(covered(r.level_set, r.side)
                               for r in history.reports(Procedure.FACET_DIAGNOSTIC, where.region)
                               if qualifies(r, payer)))
    return not treated <= good


def may_be_at(report: PastRelief, where: Where) -> bool:
    """Whether ``report`` may be about a procedure at (some of) ``where``'s sites: the one a
    repeat is judged by. Unknown levels on either side: it may."""
    if not where.levels or not report.level_set:
        return True
    return bool(may_have_treated(report.level_set, report.side, where.sites))


def at_words(where: Where) -> str:
    """What a blocks problem adds: where the blocks were counted."""
    if not where.levels:
        return "; no levels given, so no block on record can count"
    return f"; counted at {where.describe()}"


def elsewhere_note(history: History, where: Where, payer: PayerRules, counted: int) -> str | None:
    """For staff (after the payer's label): the qualifying blocks on record in the region that
    do not count at ``where``, or None when there are none."""
    region = history.reports(Procedure.FACET_DIAGNOSTIC, where.region)
    others = sum(1 for r in region if qualifies(r, payer)) - counted
    if others <= 0:
        return None
    place = where.region.value if where.region else "this"
    return (f"does not count {others} qualifying block{'s' if others != 1 else ''} in the "
            f"{place} spine at other levels or sides, or without levels or side on record")
