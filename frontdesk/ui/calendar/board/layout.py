"""What the today board shows, as plain values and strings — no Textual, tested on its own.

Column widths are planned for the terminal at hand: narrow terminals drop the room and shorten
names, wide ones get end times and full visit-type names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from frontdesk.domain.model import Status
from frontdesk.services.views import AppointmentView, LocationView

INACTIVE = frozenset({Status.CANCELLED, Status.EXPIRED})
CELL_PADDING = 2  # DataTable pads each cell by one on both sides
SCROLLBAR = 2
SWATCH = "■ "

#: Shorter forms of the default visit types for narrow columns, longest first (the last one
#: at most 10 cells); other codes show as they are.
SHORT_VISIT: dict[str, tuple[str, ...]] = {
    "new-patient": ("New patient", "New pt"),
    "follow-up": ("Follow-up",),
    "facet-diagnostic": ("Facet diagnostic", "Facet dx"),
    "facet-therapeutic": ("Facet therapeutic", "Facet tx"),
    "rfa-consult": ("RFA consult", "RFA cons"),
    "rfa": ("RFA",),
    "trigger-point": ("Trigger point", "Trigger pt"),
    "med-management": ("Medication mgmt", "Med mgmt"),
    "massage": ("Massage",),
}


@dataclass(frozen=True)
class DayBoard:
    """One day's appointments at one location (``location_id``) or all (``None``)."""

    day: date
    location_id: int | None
    locations: tuple[LocationView, ...]
    appointments: tuple[AppointmentView, ...]

    def rows(self, *, show_cancelled: bool) -> list[AppointmentView]:
        """Appointments in board order: grouped by location when showing all, then by time."""
        order = {loc.id: i for i, loc in enumerate(self.locations)}
        shown = [a for a in self.appointments if show_cancelled or a.status not in INACTIVE]
        return sorted(shown, key=lambda a: (order.get(a.location_id, len(order)), a.start,
                                            a.provider_name, a.id))


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


def format_day(day: date) -> str:
    """'Wed 10 Mar 2027'."""
    return f"{day:%a} {day.day} {day:%b %Y}"


def location_label(locations: Sequence[LocationView], location_id: int | None) -> str:
    if location_id is None:
        return "All locations"
    return next((loc.name for loc in locations if loc.id == location_id), "Unknown location")


def cycle(ids: Sequence[int], current: int | None, step: int) -> int | None:
    """The next (or previous) id, wrapping; the first (or last) when ``current`` is gone."""
    if not ids:
        return None
    if current not in ids:
        return ids[0] if step > 0 else ids[-1]
    return ids[(ids.index(current) + step) % len(ids)]


def cycle_location(locations: Sequence[LocationView], current: int | None, step: int) -> int | None:
    """The next (or previous) choice in 'All locations', then each location in order."""
    choices: list[int | None] = [None, *(loc.id for loc in locations)]
    index = choices.index(current) if current in choices else 0
    return choices[(index + step) % len(choices)]


def summary(board: DayBoard) -> str:
    """'34 visits · Tulsa Midtown 23 · Owasso 11 · 2 cancelled' (cancelled not counted)."""
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
    return " · ".join(parts)


def empty_message(board: DayBoard, *, show_cancelled: bool) -> str:
    if not board.locations:
        return "This database has no locations yet, so there is nothing to show."
    where = location_label(board.locations, board.location_id)
    at = "any location" if board.location_id is None else where
    text = f"No appointments on {format_day(board.day)} at {at}."
    hidden = sum(a.status in INACTIVE for a in board.appointments)
    if hidden and not show_cancelled:
        text += f" ({hidden} cancelled hidden — press c to show them.)"
    return text


def fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` cells with an ellipsis."""
    if width <= 0:
        return ""
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def plan_columns(width: int, rows: Sequence[AppointmentView], *, all_locations: bool,
                 location_count: int = 1) -> tuple[Column, ...]:
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
        spec("visit", "Visit", 10, 12, [SWATCH + _roomy_visit(a) for a in rows], 42, grow=4),
        spec("provider", "Provider", 8, 10, [a.provider_name for a in rows], 26, grow=3),
        spec("room", "Room", 6, 8, [a.room_name for a in rows], 18, drop=2, grow=5),
        spec("status", "Status", 12, 12, [status_text(a.status) for a in rows], 14, grow=2),
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


def status_text(status: Status) -> str:
    """Letter and label, so colour never carries the meaning alone: 'I checked in'."""
    return f"{status.letter} {status.label}"


def time_text(appt: AppointmentView, width: int) -> str:
    start = f"{appt.local_start:%H:%M}"
    return f"{start}–{appt.local_end:%H:%M}" if width >= 11 else start


def _roomy_visit(appt: AppointmentView) -> str:
    """The visit text a roomy column shows: the name, without a long parenthesis."""
    return visit_text(appt, len(SWATCH) + 40)


def visit_text(appt: AppointmentView, width: int) -> str:
    """The full name when it fits, else a shorter form (the swatch takes two cells)."""
    room = width - len(SWATCH)
    name = appt.visit_type_name
    plain = name.split(" (")[0]  # "… injection (medial branch block)" → "… injection"
    shorter = SHORT_VISIT.get(appt.visit_type_code, (appt.visit_type_code,))
    return next((t for t in (name, plain, *shorter) if len(t) <= room), fit(shorter[-1], room))


def person_text(name: str, width: int) -> str:
    """'Dr. Avery Able' → 'Dr. A. Able' → 'Dr. Able' → 'Able', whichever fits first."""
    base, comma, credential = name.partition(",")
    words = base.split()
    title = [w for w in words[:1] if w.endswith(".")]
    given, last = words[len(title):-1], words[-1:] if words else []
    suffix = comma + credential
    candidates = [
        name,
        " ".join(title + [g[0] + "." for g in given] + last) + suffix,
        " ".join(title + last) + suffix,
        " ".join(title + [g[0] + "." for g in given] + last),
        " ".join(title + last),
        " ".join(last),
    ]
    return next((c for c in candidates if c and len(c) <= width), fit(" ".join(last), width))


def place_text(name: str, width: int) -> str:
    """'Tulsa Midtown' → 'T. Midtown' when the full name does not fit."""
    words = name.split()
    initials = " ".join([w[0] + "." for w in words[:-1]] + words[-1:])
    return next((t for t in (name, initials) if len(t) <= width), fit(name, width))


def details_text(appt: AppointmentView) -> str:
    """Procedure region, levels and side: 'lumbar L4-L5 bilateral'."""
    return " ".join(p for p in (appt.region, appt.levels, appt.side) if p)


def cell_text(appt: AppointmentView, column: Column) -> str:
    """The plain text of one cell (the widget adds colour)."""
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
            return fit(status_text(appt.status), column.width)
        case "details":
            return fit(details_text(appt), column.width)
    raise ValueError(f"unknown column {column.key!r}")
