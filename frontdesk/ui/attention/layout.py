"""What the needs-attention list shows, as plain strings — no Textual, tested on its own."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from frontdesk.domain.text import printable
from frontdesk.services.attention import Item, Kind
from frontdesk.ui.text import fit

CELL_PADDING = 2
SCROLLBAR = 2
#: (key, label, width) of the columns every width shows; the problem takes what is left.
NARROW = (("when", "When", 16), ("patient", "Patient", 14))
#: Shown too when the terminal is wide enough to keep the problem this wide.
WIDE = (("visit", "Visit", 18), ("provider", "Provider", 18), ("location", "Location", 14))
PROBLEM_MIN, PROBLEM_COMFY = 20, 46
KIND_WORDS = {Kind.HOLD: "Hold", Kind.CLOSED: "Closed", Kind.OFF_HOURS: "Off hours",
              Kind.CALLBACK: "Callback"}


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int


def plan_columns(width: int) -> tuple[Column, ...]:
    """When and patient always; visit, provider and location once the problem keeps room."""
    room = width - SCROLLBAR
    fixed = [Column(*c) for c in NARROW]
    used = sum(c.width + CELL_PADDING for c in fixed)
    extra = [Column(*c) for c in WIDE]
    if room - used - sum(c.width + CELL_PADDING for c in extra) >= PROBLEM_COMFY + CELL_PADDING:
        fixed += extra
        used += sum(c.width + CELL_PADDING for c in extra)
    problem = max(PROBLEM_MIN, room - used - CELL_PADDING)
    return (*fixed, Column("problem", "What is wrong", problem))


def zone_of(item: Item, fallback: str) -> ZoneInfo:
    if item.appointment is not None:
        return ZoneInfo(item.appointment.timezone)
    if item.callback is not None:
        return ZoneInfo(item.callback.timezone)
    return ZoneInfo(fallback)


def patient_of(item: Item) -> str:
    person = item.appointment or item.callback
    return printable(person.patient_short) if person is not None else ""


def cell_text(item: Item, column: Column, zone: str) -> str:
    """One cell's plain text. A visit's or hold's time is the visit's; a callback's, its due
    time."""
    appt = item.appointment
    match column.key:
        case "when":
            moment = appt.start if appt is not None else item.at
            local = moment.astimezone(zone_of(item, zone))
            return f"{local:%a} {local.day:>2} {local:%b %H:%M}"
        case "patient":
            return fit(patient_of(item), column.width)
        case "visit":
            name = (appt.visit_type_name if appt is not None
                    else (item.callback.label if item.callback else ""))
            return fit(name.split(" (")[0], column.width)
        case "provider":
            return fit(appt.provider_name if appt is not None else "", column.width)
        case "location":
            return fit(appt.location_name if appt is not None else "", column.width)
        case "problem":
            return fit(item.headline or item.why, column.width)
    raise ValueError(f"unknown column {column.key!r}")


def detail(item: Item, hold_minutes: int) -> str:
    """The highlighted item in full, and what Enter does about it."""
    appt = item.appointment
    if appt is not None:
        start = appt.local_start
        what = (f"{start:%a} {start.day} {start:%b %H:%M}–{appt.local_end:%H:%M} · "
                f"{printable(appt.patient_short)} · {appt.visit_type_name.split(' (')[0]} · "
                f"{appt.provider_name} · {appt.location_name}")
    else:
        callback = item.callback
        assert callback is not None
        what = (f"{printable(callback.patient_short)} · {callback.phone_display} · "
                f"{callback.label}")
    does = ENTER_WORDS[item.kind].format(minutes=hold_minutes)
    return f"{what}\n{item.why[:1].upper()}{item.why[1:]}. Enter: {does}."


#: What Enter does, by kind (the service's action in the screen's terms).
ENTER_WORDS = {
    Kind.CLOSED: "pick it up to move in the day view (x there cancels it)",
    Kind.OFF_HOURS: "pick it up to move in the day view (x there cancels it)",
    Kind.HOLD: "show it in the day view; k keeps it {minutes} more minutes while the caller "
               "decides, x releases it",
    Kind.CALLBACK: "start a call: the callback is in its list of callbacks due",
}


def summary(items: Sequence[Item], place: str) -> str:
    """'3 to look at · All locations · 2 closed · 1 callback' or that nothing is."""
    if not items:
        return (f"Nothing needs attention · {place}: no visit outside working time in the next "
                "90 days, no hold about to lapse, no callback overdue.")
    counts = [_count(sum(i.kind is k for i in items), k) for k in Kind
              if any(i.kind is k for i in items)]
    return f"{len(items)} to look at · {place} · " + " · ".join(counts)


def _count(n: int, kind: Kind) -> str:
    """'1 hold', '2 holds', '3 closed', '2 off hours'."""
    word = KIND_WORDS[kind].lower()
    return f"{n} {word}s" if n != 1 and kind in (Kind.HOLD, Kind.CALLBACK) else f"{n} {word}"
