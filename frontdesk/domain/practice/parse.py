"""The practice file read and checked: every problem with its line, or the declared practice.

Pure: the caller hands in the text and a phone check (E.164 or ValueError); what needs the
database (a visit type code or location the file does not declare) is checked by the service.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from frontdesk.domain.model import Role, RoomKind
from frontdesk.domain.patients import DetailError, check_zip
from frontdesk.domain.practice.lines import Lines, Path
from frontdesk.domain.practice.providers import read_providers
from frontdesk.domain.practice.reader import Reader
from frontdesk.domain.practice.values import (
    CALENDARS,
    COLOURS,
    DEFAULT_ZONE,
    HolidaysDecl,
    LocationDecl,
    PracticeFile,
    PracticeInfo,
    Problem,
    RoomDecl,
    StaffDecl,
    VisitTypeDecl,
)
from frontdesk.domain.reminders import practice_file_problems
from frontdesk.domain.settings import parse_settings

SECTIONS = ("practice", "locations", "visit_types", "providers", "staff", "holidays", "payers",
            "plans", "reminders")
_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")
_USERNAME = re.compile(r"^[a-z0-9._-]{2,40}$")  # as services.accounts requires


def parse_practice(text: str, *, phone: Callable[[str], str]
                   ) -> tuple[PracticeFile | None, list[Problem]]:
    """The declared practice, or None and every problem found (sorted by line)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc)) or "not valid TOML"
        return None, [Problem(int(found.group(1)) if found else 1, f"not valid TOML: {reason}")]
    lines = Lines(text)
    read = Reader(lines, phone)
    for key in data:
        if key not in SECTIONS:
            read.problem((key,), f"unknown section {key!r} (known: {', '.join(SECTIONS)})")
    practice = _practice(read, data)
    locations = _locations(read, data)
    visit_types = _visit_types(read, data)
    providers = read_providers(read, data, _declared(data, "locations", "name"),
                           _declared(data, "visit_types", "code"))
    staff = _staff(read, data)
    holidays = _holidays(read, data)
    payers, plans = _payers(read, data)
    reminders = _reminders(read, data)
    if read.problems:
        return None, sorted(read.problems, key=lambda p: p.line)
    return PracticeFile(practice, locations, visit_types, providers, staff, holidays, payers,
                        plans, reminders, lines=dict(lines.where)), []


def _declared(data: Mapping[str, Any], section: str, key: str) -> set[str] | None:
    """The names a section gives, even where its entries have other problems (so one mistake
    is reported once); None when the section is absent."""
    raw = data.get(section)
    if raw is None:
        return None
    items = raw if isinstance(raw, list) else []
    return {str(t[key]).strip().casefold() for t in items
            if isinstance(t, Mapping) and isinstance(t.get(key), str)}


def _practice(read: Reader, data: Mapping[str, Any]) -> PracticeInfo | None:
    if "practice" not in data:
        return None
    table = read.table(data["practice"], ("practice",), ("name", "phone", "timezone"))
    if table is None:
        return None
    name = read.text(table, "name", ("practice",), most=80)
    phone = read.phone(table, "phone", ("practice",))
    zone = read.text(table, "timezone", ("practice",), most=64, default=DEFAULT_ZONE)
    if zone is not None and not _zone_ok(zone):
        read.problem(("practice", "timezone"), f"timezone {zone!r} is not a time zone name "
                                               "such as America/Chicago")
        zone = None
    return PracticeInfo(name, phone, zone) if name and phone and zone else None


def _locations(read: Reader, data: Mapping[str, Any]) -> tuple[LocationDecl, ...] | None:
    raw = read.tables(data, "locations")
    if raw is None:
        return None
    out: list[LocationDecl] = []
    names: list[tuple[str, Path]] = []
    for i, item in enumerate(raw):
        path: Path = ("locations", i)
        table = read.table(item, path, ("name", "address", "zip", "phone", "timezone", "rooms"))
        if table is None:
            continue
        name = read.text(table, "name", path, most=80)
        address = read.text(table, "address", path, most=200)
        zip_code = read.text(table, "zip", path, most=10)
        if zip_code is not None:
            try:
                zip_code = check_zip(zip_code)
            except DetailError as exc:
                read.problem((*path, "zip"), f"zip: {exc.reason}")
                zip_code = None
        phone = read.phone(table, "phone", path)
        zone = read.text(table, "timezone", path, most=64)
        if zone is not None and not _zone_ok(zone):
            read.problem((*path, "timezone"), f"timezone {zone!r} is not a time zone name "
                                              "such as America/Chicago")
            zone = None
        rooms = _rooms(read, table, path)
        if name:
            names.append((name, (*path, "name")))
        if name and address and zip_code and phone and zone and rooms is not None:
            out.append(LocationDecl(name, address, zip_code, phone, zone, rooms))
    read.unique(names, "location")
    return tuple(out)


def _zone_ok(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return "/" in name or name == "UTC"


def _rooms(read: Reader, table: Mapping[str, Any], path: Path) -> tuple[RoomDecl, ...] | None:
    raw = table.get("rooms", [])
    if not isinstance(raw, list):
        read.problem((*path, "rooms"), "rooms must be a list such as "
                                       '[{ name = "Exam 1", kind = "exam" }]')
        return None
    out: list[RoomDecl] = []
    names: list[tuple[str, Path]] = []
    ok = True
    for j, item in enumerate(raw):
        where = (*path, "rooms", j)
        room = read.table(item, where, ("name", "kind"))
        if room is None:
            ok = False
            continue
        name = read.text(room, "name", where, most=40)
        kind = read.choice(room, "kind", where, RoomKind)
        if name:
            names.append((name, (*where, "name")))
        if name and kind:
            out.append(RoomDecl(name, kind))
        else:
            ok = False
    read.unique(names, "room")
    return tuple(out) if ok else None


def _visit_types(read: Reader, data: Mapping[str, Any]) -> tuple[VisitTypeDecl, ...] | None:
    raw = read.tables(data, "visit_types")
    if raw is None:
        return None
    out: list[VisitTypeDecl] = []
    codes: list[tuple[str, Path]] = []
    known = ("code", "name", "duration", "buffer_before", "buffer_after", "room", "procedure",
             "colour", "prep")
    for i, item in enumerate(raw):
        path: Path = ("visit_types", i)
        table = read.table(item, path, known)
        if table is None:
            continue
        code = read.text(table, "code", path, most=32)
        if code is not None and not _CODE.match(code):
            read.problem((*path, "code"), f"code {code!r}: lower-case letters, digits and "
                                          "hyphens, e.g. follow-up")
            code = None
        name = read.text(table, "name", path, most=80)
        duration = read.whole(table, "duration", path, low=5, high=480)
        before = read.whole(table, "buffer_before", path, low=0, high=120, default=0)
        after = read.whole(table, "buffer_after", path, low=0, high=120, default=0)
        room = read.choice(table, "room", path, RoomKind)
        procedure = read.flag(table, "procedure", path, False)
        colour = read.text(table, "colour", path, most=16, default="blue")
        if colour is not None and colour not in COLOURS:
            read.problem((*path, "colour"), f"colour {colour!r} is not one of "
                                            f"{', '.join(COLOURS)}")
            colour = None
        prep = read.text(table, "prep", path, most=2000, default="")
        if code:
            codes.append((code, (*path, "code")))
        if (code and name and duration and before is not None and after is not None and room
                and colour and prep is not None):
            out.append(VisitTypeDecl(code, name, duration, before, after, room, procedure,
                                     colour, prep))
    read.unique(codes, "visit type")
    return tuple(out)


def _staff(read: Reader, data: Mapping[str, Any]) -> tuple[StaffDecl, ...] | None:
    raw = read.tables(data, "staff")
    if raw is None:
        return None
    out: list[StaffDecl] = []
    names: list[tuple[str, Path]] = []
    for i, item in enumerate(raw):
        path: Path = ("staff", i)
        table = read.table(item, path, ("username", "name", "role"))
        if table is None:
            continue
        username = read.text(table, "username", path, most=40)
        if username is not None:
            username = username.lower()
            if not _USERNAME.match(username):
                read.problem((*path, "username"), "username: 2-40 lower-case letters, digits, "
                                                  "'.', '-' or '_'")
                username = None
        name = read.text(table, "name", path, most=80)
        role = read.choice(table, "role", path, Role)
        if username:
            names.append((username, (*path, "username")))
        if username and name and role:
            out.append(StaffDecl(username, name, role))
    read.unique(names, "username")
    return tuple(out)


def _holidays(read: Reader, data: Mapping[str, Any]) -> HolidaysDecl | None:
    if "holidays" not in data:
        return None
    path: Path = ("holidays",)
    table = read.table(data["holidays"], path, ("calendar", "dates"))
    if table is None:
        return None
    calendar = table.get("calendar")
    if calendar is not None and calendar not in CALENDARS:
        read.problem((*path, "calendar"), f"calendar {str(calendar)[:20]!r}: the packaged "
                                          f"calendar is {', '.join(map(repr, CALENDARS))}")
    raw = table.get("dates", [])
    if not isinstance(raw, list):
        read.problem((*path, "dates"), 'dates must be a list such as '
                                       '[{ date = 2027-12-24, name = "Christmas Eve" }]')
        raw = []
    days: list[tuple[date, str]] = []
    seen: list[tuple[str, Path]] = []
    for j, item in enumerate(raw):
        where = (*path, "dates", j)
        entry = read.table(item, where, ("date", "name"))
        if entry is None:
            continue
        day = entry.get("date")
        if isinstance(day, str):
            try:
                day = date.fromisoformat(day)
            except ValueError:
                day = None
        if not isinstance(day, date) or hasattr(day, "hour"):
            read.problem((*where, "date"), "date must be a day such as 2027-12-24")
            continue
        name = read.text(entry, "name", where, most=120)
        if name:
            days.append((day, name))
            seen.append((day.isoformat(), (*where, "date")))
    read.unique(seen, "holiday")
    return HolidaysDecl(calendar, tuple(sorted(days)))


def _payers(read: Reader, data: Mapping[str, Any]
            ) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """``[payers.KEY]`` and ``[plans.KEY]``, checked exactly as the settings file's are."""
    raw = {k: data[k] for k in ("payers", "plans") if k in data}
    if not raw:
        return None, None
    _settings, problems = parse_settings(raw)
    for p in problems:
        read.problem(tuple(p.key.split(".")), f"{p.key}: {p.reason}")
    payers, plans = raw.get("payers"), raw.get("plans")
    return (dict(payers) if isinstance(payers, Mapping) else None,
            dict(plans) if isinstance(plans, Mapping) else None)


def _reminders(read: Reader, data: Mapping[str, Any]) -> dict[str, Any] | None:
    """``[reminders]``: when and in what words reminders go out, and through which servers
    (no secret: those are files named in settings.toml), checked as the settings file's."""
    if "reminders" not in data:
        return None
    for key, reason in practice_file_problems(data["reminders"]):
        read.problem(tuple(key.split(".")), f"{key}: {reason}")
    raw = data["reminders"]
    return json.loads(json.dumps(raw)) if isinstance(raw, Mapping) else None
