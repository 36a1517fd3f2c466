"""Weekly rules as weekdays: the plain ``FREQ=WEEKLY;BYDAY=…`` rule the editor stores, and any
stored rule read back as the weekdays it falls on."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_PLAIN_RULE_KEYS = frozenset({"FREQ", "BYDAY", "WKST"})


def weekdays_text(weekdays: Iterable[int]) -> str:
    """'Mon Tue Wed' (always Monday first)."""
    return " ".join(WEEKDAY_NAMES[d] for d in sorted(set(weekdays)))


def weekly_rule(weekdays: Iterable[int]) -> str:
    """The RRULE the practice stores for these weekdays: ``FREQ=WEEKLY;BYDAY=MO,WE``."""
    return "FREQ=WEEKLY;BYDAY=" + ",".join(_BYDAY[d] for d in sorted(set(weekdays)))


def _rule_parts(rule: str) -> dict[str, str]:
    text = rule.strip().upper().removeprefix("RRULE:")
    return {k.strip(): v.strip() for k, _, v in (p.partition("=") for p in text.split(";")) if k}


def rule_weekdays(rule: str, valid_from: date) -> tuple[int, ...]:
    """The weekdays a weekly rule falls on; without BYDAY, the weekday it starts on."""
    byday = _rule_parts(rule).get("BYDAY")
    if not byday:
        return (valid_from.weekday(),)
    days = {_BYDAY.index(t.strip()[-2:]) for t in byday.split(",") if t.strip()[-2:] in _BYDAY}
    return tuple(sorted(days))


def is_plain_rule(rule: str) -> bool:
    parts = _rule_parts(rule)
    byday = parts.get("BYDAY", "")
    return (parts.get("FREQ") == "WEEKLY" and set(parts) <= _PLAIN_RULE_KEYS
            and all(t.strip() in _BYDAY for t in byday.split(",") if byday))
