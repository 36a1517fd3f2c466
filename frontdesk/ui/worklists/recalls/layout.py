"""What the recalls list shows, as plain strings — no Textual, tested on its own."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from frontdesk.domain.recalls import RecallKind
from frontdesk.domain.text import printable
from frontdesk.services.worklists.recalls import Progress, Recall
from frontdesk.ui.text import fit

CELL_PADDING = 2
SCROLLBAR = 2
#: (key, label, width) of the columns every width shows; what is due takes what is left.
FIXED = (("due", "Due", 6), ("patient", "Patient", 14), ("phone", "Phone", 14),
         ("last", "Last try", 14))
#: Shown too when the terminal is wide enough to keep what is due this wide.
WIDE = (("location", "Location", 14),)
WHAT_MIN, WHAT_COMFY = 18, 44
KIND_WORDS = {RecallKind.REPEAT: "repeat", RecallKind.RELIEF: "relief",
              RecallKind.FOLLOW_UP: "follow-up"}


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int


def plan_columns(width: int) -> tuple[Column, ...]:
    """Due, patient, phone, what and the last try always; the location when there is room."""
    room = width - SCROLLBAR
    fixed = [Column(*c) for c in FIXED]
    used = sum(c.width + CELL_PADDING for c in fixed)
    extra = [Column(*c) for c in WIDE]
    if room - used - sum(c.width + CELL_PADDING for c in extra) >= WHAT_COMFY + CELL_PADDING:
        fixed[3:3] = extra
        used += sum(c.width + CELL_PADDING for c in extra)
    what = Column("what", "What is due", max(WHAT_MIN, room - used - CELL_PADDING))
    return (*fixed[:3], what, *fixed[3:])


def cell_text(item: Recall, column: Column) -> str:
    match column.key:
        case "due":
            return f"{item.since:%b} {item.since.day:>2}"
        case "patient":
            return fit(printable(item.patient_short), column.width)
        case "phone":
            return fit(item.phone_display, column.width)
        case "what":
            return fit(printable(item.what), column.width)
        case "location":
            return fit(printable(item.location_name), column.width)
        case "last":
            return fit(item.last_words, column.width)
    raise ValueError(f"unknown column {column.key!r}")


def detail(item: Recall, zone: str, today: date) -> str:
    """The highlighted recall in full: who and since when, why, the last try and its key."""
    when = ("eligible from " if item.kind is RecallKind.REPEAT else "due since ") + _day(
        item.since, today)
    place = f" · {printable(item.location_name)}" if item.location_name else ""
    head = f"{printable(item.patient_short)} · {item.phone_display} · {when}{place}"
    last = "Not tried yet"
    if item.last_outcome is not None and item.last_at is not None:
        at = item.last_at.astimezone(ZoneInfo(zone))
        note = f": {printable(item.last_note)}" if item.last_note else ""
        tries = f" · {item.tries} tries" if item.tries > 1 else ""
        last = f"Last: {item.last_outcome.label.lower()} {at:%a %d %b %H:%M}{note}{tries}"
    return f"{head}\n{printable(item.rule)}\n{last} · {item.key}"


def _day(day: date, today: date) -> str:
    if day == today:
        return "today"
    return f"{day:%a} {day.day} {day:%b}" + ("" if day.year == today.year else f" {day.year}")


def summary(items: Sequence[Recall], place: str, kind: RecallKind | None,
            done: Progress) -> str:
    """'5 due · 2 repeat · 1 relief · 2 follow-up · 3 not tried · today: 2 tried, 1 booked'
    (the title names the place), or that none are."""
    what = f"{kind.label.lower()} recalls" if kind else "recalls"
    today = f"today: {done.tried} tried, {len(done.booked)} booked"
    if not items:
        return f"No {what} due · {place} · {today}."
    counts = [f"{sum(i.kind is k for i in items)} {KIND_WORDS[k]}" for k in RecallKind
              if any(i.kind is k for i in items)] if kind is None else []
    untried = sum(i.last_outcome is None for i in items)
    return " · ".join([f"{len(items)} due", *counts, f"{untried} not tried", today])
