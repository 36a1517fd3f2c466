"""``[[providers]]`` read and checked: kind, the visit types they perform (against the file's
own when it declares them) and the weekly hours at each location, one place at a time."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date, time
from typing import Any

from frontdesk.domain.model import ProviderKind
from frontdesk.domain.practice.hours import Cell, HoursError, cells, parse_hours, rule_days
from frontdesk.domain.practice.lines import Path
from frontdesk.domain.practice.reader import Reader
from frontdesk.domain.practice.values import ProviderDecl


def read_providers(read: Reader, data: Mapping[str, Any], places: set[str] | None,
               codes: set[str] | None) -> tuple[ProviderDecl, ...] | None:
    raw = read.tables(data, "providers")
    if raw is None:
        return None
    out: list[ProviderDecl] = []
    names: list[tuple[str, Path]] = []
    for i, item in enumerate(raw):
        path: Path = ("providers", i)
        table = read.table(item, path, ("name", "credentials", "kind", "visit_types", "hours"))
        if table is None:
            continue
        name = read.text(table, "name", path, most=80)
        credentials = read.text(table, "credentials", path, most=40, default="")
        kind = read.choice(table, "kind", path, ProviderKind)
        performs = read.names(table, "visit_types", path)
        if performs is not None and codes is not None:
            for j, code in enumerate(performs):
                if code not in codes:
                    read.problem((*path, "visit_types", j),
                                 f"visit type {code!r} is not in [[visit_types]]")
        hours = _hours(read, table.get("hours", {}), (*path, "hours"), places)
        if name:
            names.append((name, (*path, "name")))
        if name and credentials is not None and kind and performs is not None and hours:
            out.append(ProviderDecl(name, credentials, kind, tuple(dict.fromkeys(performs)),
                                    hours[0]))
    read.unique(names, "provider")
    return tuple(out)


def _hours(read: Reader, raw: Any, path: Path, places: set[str] | None
           ) -> tuple[tuple[tuple[str, frozenset[Cell]], ...]] | None:
    """``hours = { "Location" = "Mon-Fri 08:00-17:00" }`` (or a list of such strings)."""
    if not isinstance(raw, Mapping):
        read.problem(path, 'hours must be a table: hours = { "Midtown" = "Mon-Fri 08:00-17:00" }')
        return None
    out: list[tuple[str, frozenset[Cell]]] = []
    ok = True
    for place, value in raw.items():
        where = (*path, place)
        name = " ".join(place.split())
        if places is not None and name.casefold() not in places:
            read.problem(where, f"location {place!r} is not in [[locations]]")
            ok = False
            continue
        texts = value if isinstance(value, list) else [value]
        meaning: set[Cell] = set()
        for k, text in enumerate(texts):
            at = (*where, k) if isinstance(value, list) else where  # a list: the element's line
            if not isinstance(text, str):
                read.problem(at, f"hours at {place} must be text such as "
                                 '"Mon-Fri 08:00-17:00, lunch 12:00-13:00"')
                ok = False
                continue
            try:
                meaning |= cells(parse_hours(text))
            except HoursError as exc:
                read.problem(at, f"hours at {place}: {exc}")
                ok = False
        out.append((name, frozenset(meaning)))
    if ok and _overlap(out):
        read.problem(path, f"hours overlap: {_overlap(out)}")
        ok = False
    return (tuple(sorted(out)),) if ok else None


def _overlap(hours: list[tuple[str, frozenset[Cell]]]) -> str:
    """A provider is in one place at a time: the first weekday with overlapping hours. Rules
    (``RRULE:…``) are laid out day by day over a year from a common Monday, with the plain
    weekly hours beside them."""
    days = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    per_day: dict[int, list[tuple[time, time, str]]] = defaultdict(list)
    for place, meaning in hours:
        for key, start, end in meaning:
            if isinstance(key, int):
                per_day[key].append((start, end, place))
    found = _first_overlap({d: sorted(spans) for d, spans in per_day.items()})
    if found is not None:
        return f"{days[found[0]]} {found[1]:%H:%M} {found[2]}"
    rules = [(key, start, end, place) for place, meaning in hours
             for key, start, end in meaning if isinstance(key, str)]
    if not rules:
        return ""
    per_date: dict[date, list[tuple[time, time, str]]] = defaultdict(list)
    for key, start, end, place in rules:
        for when in rule_days(key, _FIRST):
            per_date[when].append((start, end, place))
    for when in sorted(per_date):
        hit = _first_overlap({0: per_date[when] + per_day.get(when.weekday(), [])})
        if hit is not None:
            return (f"{days[when.weekday()]} {hit[1]:%H:%M} {hit[2]} (in the weeks a rule "
                    "picks)")
    return ""


_FIRST = date(2026, 1, 5)  # a Monday: every rule of one file starts on the same day


def _first_overlap(per_day: dict[int, list[tuple[time, time, str]]]
                   ) -> tuple[int, time, str] | None:
    for day in sorted(per_day):
        spans = sorted(per_day[day])
        for (_, end, a), (start, _, b) in zip(spans, spans[1:], strict=False):
            if start < end:
                return day, start, f"at {a}" if a == b else f"at {a} and {b}"
    return None
