"""What the today board shows, as plain values and strings — no Textual, tested on its own.

Column widths are planned for the terminal at hand: narrow terminals drop the room and shorten
names, wide ones get end times and full visit-type names.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from frontdesk.services.views import AppointmentView
from frontdesk.ui.backend.boards import DayBoard
from frontdesk.ui.calendar.cells import (
    MARK,
    SWATCH,
    attention_note,
    location_label,
    person_text,
    place_text,
    roomy_visit,
    time_text,
    visit_text,
)
from frontdesk.ui.text import INACTIVE, details_text, fit, format_day, status_text

CELL_PADDING = 2  # DataTable pads each cell by one on both sides
SCROLLBAR = 2


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int


@dataclass(frozen=True)
class _Spec:
    key: str
    label: str
    least: int  # never narrower
    comfy: int  # reached by every column before any grows further
    most: int
    drop_rank: int = 0  # dropped first when even ``comfy`` widths do not fit (0: never)
    grow_rank: int = 0  # lower grows first
    snap: bool = False  # all the way to ``most`` or not at all (the end time)


def marked_status(appt: AppointmentView, mark: str) -> str:
    """'! time off · B booked' for a visit that needs attention, else 'B booked'."""
    return f"{MARK} {mark} · {status_text(appt.status)}" if mark else status_text(appt.status)


def summary(board: DayBoard) -> str:
    """'34 visits · Tulsa Midtown 23 · Owasso 11 · 2 cancelled · 1 needs attention (!)'
    (cancelled not counted)."""
    active = [a for a in board.appointments if a.status not in INACTIVE]
    cancelled = len(board.appointments) - len(active)
    total = f"{len(active)} visit{'' if len(active) == 1 else 's'}"
    if board.location_id is not None:
        parts = [f"{total} at {location_label(board.locations, board.location_id)}"]
    elif len(board.locations) > 1:
        parts = [total] + [f"{loc.name} {sum(a.location_id == loc.id for a in active)}"
                           for loc in board.locations]
    else:
        parts = [total]
    if cancelled:
        parts.append(f"{cancelled} cancelled")
    if note := attention_note(board.marks, active):
        parts.append(note)
    return " · ".join(parts)


def empty_message(board: DayBoard, *, show_cancelled: bool) -> str:
    if not board.locations:
        return "This database has no locations yet, so there is nothing to show."
    where = location_label(board.locations, board.location_id)
    at = "any location" if board.location_id is None else where
    text = f"No appointments on {format_day(board.day)} at {at}."
    if board.next_visits is not None:  # a weekend or a holiday, not an empty practice
        day, count = board.next_visits
        text += (f" Next visits: {format_day(day)} ({count} visit{'' if count == 1 else 's'})"
                 " — press → for the next day, or g to go to a date.")
    hidden = sum(a.status in INACTIVE for a in board.appointments)
    if hidden and not show_cancelled:
        text += f" ({hidden} cancelled hidden — press c to show them.)"
    return text


def plan_columns(width: int, rows: Sequence[AppointmentView], *, all_locations: bool,
                 location_count: int = 1,
                 marks: Mapping[int, str] | None = None) -> tuple[Column, ...]:
    """Columns that fit ``width`` cells, widest where the data needs it.

    The location column shows only for 'All locations' with more than one location; details
    (region, levels, side) only on wide terminals; the room goes first when space runs out.
    """

    def longest(values: Sequence[str], floor: int) -> int:
        return max([floor, *(len(v) for v in values)])

    def spec(key: str, label: str, least: int, comfy: int, values: Sequence[str], cap: int,
             *, drop: int = 0, grow: int = 0) -> _Spec:
        most = max(least, min(cap, longest(values, least)))
        return _Spec(key, label, least, min(comfy, most), most, drop, grow)

    specs = [
        _Spec("time", "Time", 5, 5, 11, grow_rank=8, snap=True),
        spec("location", "Location", 8, 10, [a.location_name for a in rows], 22, grow=6),
        spec("patient", "Patient", 10, 16, [a.patient_short for a in rows], 26, grow=1),
        spec("visit", "Visit", 10, 12, [SWATCH + roomy_visit(a) for a in rows], 42, grow=4),
        spec("provider", "Provider", 8, 10, [a.provider_name for a in rows], 26, grow=3),
        spec("room", "Room", 6, 8, [a.room_name for a in rows], 18, drop=2, grow=5),
        spec("status", "Status", 12, 12,
             [marked_status(a, (marks or {}).get(a.id, "")) for a in rows], 24, grow=2),
        spec("details", "Details", 10, 24, [details_text(a) for a in rows], 32, drop=1, grow=7),
    ]
    if not (all_locations and location_count > 1):
        specs = [s for s in specs if s.key != "location"]
    if not any(details_text(a) for a in rows):
        specs = [s for s in specs if s.key != "details"]
    room = width - SCROLLBAR

    def need(chosen: list[_Spec], size: str) -> int:
        return sum(getattr(s, size) + CELL_PADDING for s in chosen)

    for rank in sorted({s.drop_rank for s in specs if s.drop_rank}):
        if need(specs, "comfy") <= room:
            break
        specs = [s for s in specs if s.drop_rank != rank]
    widths = {s.key: s.least for s in specs}
    spare = room - need(specs, "least")
    # Everyone up to comfortable in rank order; then complete the columns that need the least,
    # so as many columns as possible show their text in full.
    for s in sorted(specs, key=lambda s: s.grow_rank):
        grow = max(0, min(spare, s.comfy - widths[s.key]))
        widths[s.key] += grow
        spare -= grow
    for s in sorted(specs, key=lambda s: (s.most - widths[s.key], s.grow_rank)):
        grow = max(0, min(spare, s.most - widths[s.key]))
        if s.snap and widths[s.key] + grow < s.most:
            grow = 0
        widths[s.key] += grow
        spare -= grow
    return tuple(Column(s.key, s.label, widths[s.key]) for s in specs)


def cell_text(appt: AppointmentView, column: Column, mark: str = "") -> str:
    """The plain text of one cell (the widget adds colour); ``mark``: why the visit needs
    attention, in a word, shown first in its status."""
    match column.key:
        case "time":
            return time_text(appt, column.width)
        case "location":
            return place_text(appt.location_name, column.width)
        case "patient":
            return fit(appt.patient_short, column.width)
        case "visit":
            return visit_text(appt, column.width)
        case "provider":
            return person_text(appt.provider_name, column.width)
        case "room":
            return fit(appt.room_name, column.width)
        case "status":
            return fit(marked_status(appt, mark), column.width)
        case "details":
            return fit(details_text(appt), column.width)
    raise ValueError(f"unknown column {column.key!r}")


def only_visit(board: DayBoard, code: str | None) -> DayBoard:
    """The board with one visit type's appointments (all of them when ``code`` is None)."""
    if code is None:
        return board
    return replace(board, appointments=tuple(
        a for a in board.appointments if a.visit_type_code == code))


def filtered_empty_message(board: DayBoard, *, show_cancelled: bool, label: str | None) -> str:
    """What an empty board says; with a visit-type filter, how to lift it."""
    if label is None or not board.locations:
        return empty_message(board, show_cancelled=show_cancelled)
    return f"No {label} visits here on this day. Press v to show every visit type."
