"""The practice file written out: the same format ``practice apply`` reads, section by section,
so an export applied again changes nothing."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from frontdesk.domain.practice.hours import hours_text
from frontdesk.domain.practice.values import PracticeFile

_BARE = re.compile(r"^[A-Za-z0-9_-]+$")

HEADER = """\
# The practice, as `frontdesk practice apply FILE` reads it (`frontdesk practice export`
# writes it). A section left out is not managed by the file; a section present is the whole
# list: what it no longer names is retired (staff accounts are disabled). Holidays close the
# day in the [practice] timezone. Hours are in each location's own time zone:
# "Mon-Fri 08:00-17:00, lunch 12:00-13:00", clauses joined by ";",
# or "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=SA 09:00-12:00". Staff accounts are created without a
# password: an admin gives each its first one with `frontdesk staff reset-password USERNAME`.
"""


def render(practice: PracticeFile, *, header: str = HEADER) -> str:
    out: list[str] = [header.rstrip("\n")] if header else []
    if practice.practice is not None:
        out += ["", "[practice]", _pair("name", practice.practice.name),
                _pair("phone", practice.practice.phone),
                _pair("timezone", practice.practice.timezone)]
    for loc in practice.locations or ():
        out += ["", "[[locations]]", _pair("name", loc.name), _pair("address", loc.address),
                _pair("zip", loc.zip), _pair("phone", loc.phone),
                _pair("timezone", loc.timezone), "rooms = ["]
        out += [f"  {{ name = {_value(r.name)}, kind = {_value(r.kind.value)} }},"
                for r in loc.rooms]
        out.append("]")
    for vt in practice.visit_types or ():
        out += ["", "[[visit_types]]", _pair("code", vt.code), _pair("name", vt.name),
                _pair("duration", vt.duration), _pair("buffer_before", vt.buffer_before),
                _pair("buffer_after", vt.buffer_after), _pair("room", vt.room.value),
                _pair("procedure", vt.procedure), _pair("colour", vt.colour),
                _pair("prep", vt.prep)]
    for p in practice.providers or ():
        out += ["", "[[providers]]", _pair("name", p.name), _pair("credentials", p.credentials),
                _pair("kind", p.kind.value), _pair("visit_types", list(p.visit_types))]
        if p.hours:
            out.append("hours = { " + ", ".join(
                f"{_key(place)} = {_value(_one(hours_text(meaning)))}"
                for place, meaning in p.hours) + " }")
    for s in practice.staff or ():
        out += ["", "[[staff]]", _pair("username", s.username), _pair("name", s.name),
                _pair("role", s.role.value)]
    if practice.holidays is not None:
        out += ["", "[holidays]"]
        if practice.holidays.calendar:
            out.append(_pair("calendar", practice.holidays.calendar))
        if practice.holidays.dates:
            out.append("dates = [")
            out += [f"  {{ date = {day.isoformat()}, name = {_value(name)} }},"
                    for day, name in practice.holidays.dates]
            out.append("]")
        else:
            out.append("dates = []")
    for section in ("payers", "plans"):
        tables = getattr(practice, section)
        for key, table in sorted((tables or {}).items()):
            out += ["", f"[{section}.{_key(key)}]"]
            out += [_pair(k, v) for k, v in table.items()]
    if practice.reminders is not None:
        out += ["", "[reminders]"]
        out += [_pair(k, v) for k, v in practice.reminders.items() if not isinstance(v, Mapping)]
        for key, table in practice.reminders.items():
            if isinstance(table, Mapping):
                out += ["", f"[reminders.{_key(key)}]"]
                out += [_pair(k, v) for k, v in table.items()]
    return "\n".join(out) + "\n"


def _one(texts: list[str]) -> str | list[str]:
    return texts[0] if len(texts) == 1 else texts


def _pair(key: str, value: Any) -> str:
    return f"{_key(key)} = {_value(value)}"


def _key(key: str) -> str:
    return key if _BARE.match(key) else json.dumps(key, ensure_ascii=False)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{ " + ", ".join(_pair(str(k), v) for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")
