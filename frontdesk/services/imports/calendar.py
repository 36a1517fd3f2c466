"""An iCalendar file (``.ics``) as appointment rows, read with the ``icalendar`` library.

Each ``VEVENT`` is one visit, and its row starts at its ``BEGIN:VEVENT`` line. What is read,
for each of our columns, first found wins:

1. a property ``X-FRONTDESK-<COLUMN>`` (``X-FRONTDESK-PATIENT-ID:1001``,
   ``X-FRONTDESK-VISIT-TYPE:follow-up``);
2. a line ``Column: value`` in ``DESCRIPTION`` (``Patient-Id: 1001``, ``Provider: Dr. Avery
   Able``, ``Room: Exam 1``; the name matched like a CSV header, so ``Patient ID`` works too);
3. the standard properties: ``UID`` → id, ``SUMMARY`` → visit_type, ``LOCATION`` →
   location, the ``CN`` of ``ORGANIZER`` → provider, ``STATUS`` (TENTATIVE → booked,
   CONFIRMED → confirmed, CANCELLED → cancelled).

``DTSTART`` and ``DTEND`` (or ``DURATION``) give the time: with a ``TZID``, in UTC (``Z``), or
floating (local time at the visit's location). An all-day event or a repeating one
(``RRULE``, ``RDATE``) is not a visit and is reported as a bad row.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from frontdesk.domain.imports import column_key
from frontdesk.services.errors import InvalidInput
from frontdesk.services.imports.outcome import printable
from frontdesk.services.imports.reading import Source, SourceRow, controls, decode

_BEGIN = re.compile(r"^BEGIN:VEVENT\s*$", re.IGNORECASE)
_STATUS = {"TENTATIVE": "booked", "CONFIRMED": "confirmed", "CANCELLED": "cancelled"}
_DESCRIPTION_LINE = re.compile(r"^\s*([A-Za-z][A-Za-z _-]{0,39}?)\s*:\s*(.*?)\s*$")


def read_ics(path: Path, *, known: tuple[str, ...], aliases: Mapping[str, str],
             mapping: Mapping[str, str]) -> Source:
    import icalendar

    text, notes = decode(path)
    starts = [n for n, line in enumerate(text.splitlines(), start=1) if _BEGIN.match(line)]
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except (ValueError, IndexError, KeyError) as exc:  # the reason may quote the file: shown
        raise InvalidInput("file", f"{printable(path.name)} is not an iCalendar file: "
                                   f"{printable(str(exc)[:120])}") from None
    events = list(calendar.walk("VEVENT"))
    if len(events) != len(starts):  # cannot tell lines apart: number the events instead
        starts = list(range(1, len(events) + 1))
        notes = (*notes, "line numbers are the events' order in the file")

    def ours(name: str) -> str:
        key = column_key(name)
        return mapping.get(key) or (key if key in known else aliases.get(key, ""))

    rows = []
    found: set[str] = set()
    for line, event in zip(starts, events, strict=True):
        try:
            row = _row(event, line, ours, known)
        except ValueError as exc:  # a property the library could not read, on access
            row = SourceRow(line, {}, broken=(
                f"cannot be read as an event: {printable(str(exc)[:120])}",))
        found.update(row.cells)
        rows.append(row)
    columns = tuple(c for c in known if c in found)
    return Source(path, tuple(rows), (*columns, "start"), (), notes)


def _row(event: Any, line: int, ours: Any, known: tuple[str, ...]) -> SourceRow:
    cells: dict[str, str] = {}
    broken: list[str] = []
    for prop in ("UID", "SUMMARY", "LOCATION", "STATUS"):
        value = event.get(prop)
        if value is not None and str(value).strip():
            name = {"UID": "id", "SUMMARY": "visit_type", "LOCATION": "location",
                    "STATUS": "status"}[prop]
            text = str(value).strip()
            cells[name] = _STATUS.get(text.upper(), text.lower()) if prop == "STATUS" else text
    organizer = event.get("ORGANIZER")
    if organizer is not None and organizer.params.get("CN"):
        cells["provider"] = str(organizer.params["CN"]).strip()
    for text_line in str(event.get("DESCRIPTION") or "").splitlines():
        match = _DESCRIPTION_LINE.match(text_line)
        if match and (name := ours(match[1])) and match[2]:
            cells[name] = match[2]
    for prop, value in event.property_items(recursive=False):
        if prop.upper().startswith("X-FRONTDESK-"):
            name = ours(prop[len("X-FRONTDESK-"):])
            if name and str(value).strip():
                cells[name] = str(value).strip()
    if event.get("RRULE") is not None or event.get("RDATE") is not None:
        broken.append("a repeating event is not one visit: export each visit on its own")
    moments: dict[str, datetime] = {}
    start = _moment(event, "DTSTART", broken)
    if start is not None:
        moments["start"] = start
        end = _moment(event, "DTEND", broken)
        duration = _value(event, "DURATION", broken)
        if end is None and isinstance(duration, timedelta):
            end = start + duration
        if end is not None:
            moments["end"] = end
    elif not broken:
        broken.append("has no DTSTART")
    ours_only = {k: v for k, v in cells.items() if k in known}
    return SourceRow(line, ours_only, moments, (*broken, *controls(ours_only)))


def _value(event: Any, prop: str, broken: list[str]) -> Any:
    """The property's value (a datetime, date or timedelta), or None: absent, or unreadable
    (``DTSTART:2027garbage``: a bad row saying so)."""
    value = event.get(prop)
    if value is None:
        return None
    try:
        return value.dt
    except (ValueError, AttributeError):
        broken.append(f"{prop} is not a date and time")
        return None


def _moment(event: Any, prop: str, broken: list[str]) -> datetime | None:
    moment = _value(event, prop, broken)
    if moment is None:
        return None
    if isinstance(moment, datetime):
        return moment
    if isinstance(moment, date):
        if "an all-day event is not a visit" not in broken:
            broken.append("an all-day event is not a visit")
        return None
    broken.append(f"{prop} is not a time")
    return None
