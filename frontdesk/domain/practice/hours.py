"""Weekly hours in plain words: ``Mon-Fri 08:00-17:00, lunch 12:00-13:00`` (lunch splits the
day in two), several clauses joined by ``;`` (``Mon-Thu 08:00-17:00; Fri 08:00-12:00``), or an
RFC 5545 rule with its times (``RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=SA 09:00-12:00``). Each
becomes shifts: one stored template per rule and time range, in the location's own zone."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from dateutil.rrule import rrulestr

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_FULL = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_RANGE = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")
_EXAMPLE = 'e.g. "Mon-Fri 08:00-17:00, lunch 12:00-13:00"'
#: the rules the file takes: they pick days (the availability search expands them by day)
FREQS = ("WEEKLY", "MONTHLY")
#: a provider's hours are checked for overlaps over this many weeks from a common start
OVERLAP_WEEKS = 53


class HoursError(ValueError):
    """The text is not hours; the message says why, for the file's line."""


@dataclass(frozen=True, order=True, slots=True)
class Shift:
    """One weekly template: an RRULE (``FREQ=WEEKLY;BYDAY=MO,TU`` for plain weekdays) and the
    wall-clock hours it covers."""

    rrule: str
    start: time
    end: time


def weekly_rule(days: Iterable[int]) -> str:
    return "FREQ=WEEKLY;BYDAY=" + ",".join(BYDAY[d] for d in sorted(set(days)))


def plain_days(rule: str) -> tuple[int, ...] | None:
    """The weekdays of a plain weekly rule (``FREQ=WEEKLY;BYDAY=…`` and nothing else)."""
    parts = dict(p.partition("=")[::2] for p in rule.upper().removeprefix("RRULE:").split(";")
                 if p)
    if parts.get("FREQ") != "WEEKLY" or set(parts) - {"FREQ", "BYDAY", "WKST"}:
        return None
    tokens = [t.strip() for t in parts.get("BYDAY", "").split(",") if t.strip()]
    if not tokens or any(t not in BYDAY for t in tokens):
        return None
    return tuple(sorted({BYDAY.index(t) for t in tokens}))


def parse_hours(text: str) -> tuple[Shift, ...]:
    """The shifts ``text`` describes; HoursError with the reason otherwise."""
    body = text.strip()
    if not body:
        raise HoursError(f"empty hours; {_EXAMPLE}")
    if "FREQ=" in body.upper():
        return (_rule_clause(body),)
    shifts: list[Shift] = []
    for clause in body.split(";"):
        if clause.strip():
            shifts.extend(_plain_clause(clause.strip()))
    return tuple(sorted(set(shifts)))


def _plain_clause(clause: str) -> list[Shift]:
    tokens = [t for t in re.split(r"[,\s]+", re.sub(r"\s*-\s*", "-", clause)) if t]
    days: set[int] = set()
    ranges: list[tuple[time, time]] = []
    lunch: tuple[time, time] | None = None
    i = 0
    while i < len(tokens) and not tokens[i][0].isdigit() and tokens[i].lower() != "lunch":
        days |= _day_span(tokens[i])
        i += 1
    if not days:
        raise HoursError(f"{clause!r} names no weekdays; {_EXAMPLE}")
    while i < len(tokens):
        token = tokens[i]
        if token.lower() == "lunch":
            if lunch is not None or i + 1 >= len(tokens):
                raise HoursError("'lunch' needs one time range, e.g. lunch 12:00-13:00")
            lunch = _range(tokens[i + 1])
            i += 2
            continue
        ranges.append(_range(token))
        i += 1
    if not ranges:
        raise HoursError(f"{clause!r} gives no hours; {_EXAMPLE}")
    ranges.sort()
    for (_, end), (start, _) in zip(ranges, ranges[1:], strict=False):
        if start < end:
            raise HoursError(f"{clause!r}: two time ranges overlap")
    if lunch is not None:
        inside = [r for r in ranges if r[0] < lunch[0] and lunch[1] < r[1]]
        if not inside:
            raise HoursError(f"lunch {lunch[0]:%H:%M}-{lunch[1]:%H:%M} is not inside the hours")
        held = inside[0]
        ranges = sorted([r for r in ranges if r != held]
                        + [(held[0], lunch[0]), (lunch[1], held[1])])
    return [Shift(weekly_rule({d}), s, e) for d in days for s, e in ranges]


def _day_span(token: str) -> set[int]:
    first, dash, last = token.partition("-")
    a = _day(first)
    if not dash:
        return {a}
    b = _day(last)
    return set(range(a, b + 1)) if a <= b else set(range(a, 7)) | set(range(0, b + 1))


def _day(word: str) -> int:
    w = word.strip().lower().rstrip(".")
    for i, full in enumerate(_FULL):
        if len(w) >= 2 and full.startswith(w):
            return i
    raise HoursError(f"{word!r} is not a weekday (Mon, Tue, … Sun); {_EXAMPLE}")


def _range(token: str) -> tuple[time, time]:
    m = _RANGE.match(token)
    if m is None:
        raise HoursError(f"{token!r} is not a time range like 08:00-12:00 (24-hour clock)")
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
        raise HoursError(f"{token!r} is not a time of day (00:00 to 23:59)")
    start, end = time(h1, m1), time(h2, m2)
    if end <= start:
        raise HoursError(f"{token!r} ends before it starts")
    return start, end


def _rule_clause(text: str) -> Shift:
    rule, _, hours = re.sub(r"\s*-\s*", "-", text.strip()).rpartition(" ")
    rule = rule.strip().upper().removeprefix("RRULE:").strip()
    if not rule:
        raise HoursError(f"{text!r}: give the rule and its hours, e.g. "
                         "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=SA 09:00-12:00")
    start, end = _range(hours)
    if re.search(r"(DTSTART|UNTIL|COUNT)", rule):
        raise HoursError("the rule may not carry DTSTART, UNTIL or COUNT (the file's hours "
                         "run from when they are applied)")
    try:
        rrulestr(rule, dtstart=datetime(2026, 1, 5, tzinfo=UTC))
    except (ValueError, TypeError) as exc:
        raise HoursError(f"not an RRULE: {exc}") from None
    parts = dict(p.partition("=")[::2] for p in rule.split(";") if p)
    if parts.get("FREQ") not in FREQS:
        raise HoursError(f"the rule must repeat weekly or monthly (FREQ=WEEKLY or "
                         f"FREQ=MONTHLY), not {parts.get('FREQ') or 'without FREQ'}")
    if set(parts) & {"BYHOUR", "BYMINUTE", "BYSECOND"}:
        raise HoursError("the rule picks days; give the hours after it, e.g. "
                         "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=SA 09:00-12:00")
    if len(rule) > 200:
        raise HoursError("the rule is longer than 200 characters")
    days = plain_days(rule)
    return Shift(weekly_rule(days) if days else rule, start, end)


def rule_days(rule: str, first: date, weeks: int = OVERLAP_WEEKS) -> list[date]:
    """The days ``rule`` picks in ``weeks`` weeks from ``first`` (its start)."""
    start = datetime.combine(first, time())
    found = rrulestr(rule.removeprefix("RRULE:"), dtstart=start)
    end = start + timedelta(weeks=weeks)
    return [d.date() for d in found.between(start, end, inc=True)]


# --------------------------------------------------------------------------- canonical form


Cell = tuple[int | str, time, time]  # (weekday, start, end) for plain rules, else (rule, …)


def cells(shifts: Iterable[Shift]) -> frozenset[Cell]:
    """What a set of shifts means, whatever the rows: plain rules as weekday cells."""
    out: set[Cell] = set()
    for s in shifts:
        days = plain_days(s.rrule)
        if days is None:
            out.add((s.rrule, s.start, s.end))
        else:
            out.update((d, s.start, s.end) for d in days)
    return frozenset(out)


def shifts_of(meaning: frozenset[Cell]) -> tuple[Shift, ...]:
    """The fewest templates for ``meaning``: one per time range with all its weekdays."""
    by_range: dict[tuple[time, time], set[int]] = defaultdict(set)
    rules: list[Shift] = []
    for key, start, end in meaning:
        if isinstance(key, int):
            by_range[start, end].add(key)
        else:
            rules.append(Shift(key, start, end))
    plain = [Shift(weekly_rule(days), s, e) for (s, e), days in by_range.items()]
    return tuple(sorted(plain + rules, key=lambda x: (x.start, x.end, x.rrule)))


def hours_text(meaning: frozenset[Cell]) -> list[str]:
    """``meaning`` in the file's words: one plain string (clauses by weekday groups), plus one
    string per non-weekly rule."""
    per_day: dict[int, list[tuple[time, time]]] = defaultdict(list)
    rules: list[str] = []
    for key, start, end in sorted(meaning, key=lambda c: (str(c[0]), c[1], c[2])):
        if isinstance(key, int):
            per_day[key].append((start, end))
        else:
            rules.append(f"RRULE:{key} {start:%H:%M}-{end:%H:%M}")
    groups: dict[tuple[tuple[time, time], ...], list[int]] = defaultdict(list)
    for day in sorted(per_day):
        groups[tuple(sorted(per_day[day]))].append(day)
    clauses = [f"{_days_text(days)} {_ranges_text(ranges)}"
               for ranges, days in sorted(groups.items(), key=lambda g: min(g[1]))]
    return (["; ".join(clauses)] if clauses else []) + rules


def _days_text(days: list[int]) -> str:
    runs: list[list[int]] = []
    for d in sorted(days):
        if runs and runs[-1][-1] == d - 1:
            runs[-1].append(d)
        else:
            runs.append([d])
    return ",".join(DAYS[r[0]] if len(r) == 1 else
                    f"{DAYS[r[0]]},{DAYS[r[1]]}" if len(r) == 2 else
                    f"{DAYS[r[0]]}-{DAYS[r[-1]]}" for r in runs)


def _ranges_text(ranges: tuple[tuple[time, time], ...]) -> str:
    if len(ranges) == 2:
        (a, b), (c, d) = ranges
        return f"{a:%H:%M}-{d:%H:%M}, lunch {b:%H:%M}-{c:%H:%M}"
    return ", ".join(f"{s:%H:%M}-{e:%H:%M}" for s, e in ranges)
