"""The confirmation script read to the caller once a visit is booked or moved: date, time,
place and address, provider, when to arrive, what to bring and do, and the practice's number."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from frontdesk.services import directory, scheduling
from frontdesk.services.context import Context
from frontdesk.services.views import AppointmentView


@dataclass(frozen=True, slots=True)
class ReadBack:
    appointment: AppointmentView
    lines: tuple[str, ...]
    moved: bool = False  # read after a move: the time read out is the new one

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


_EARLY = re.compile(r"\barrive\s+(\d{1,3})\s+minutes?\s+early\b", re.IGNORECASE)


def arrive_early(prep: str) -> int | None:
    """The minutes early the visit type's prep asks for ("Arrive 30 minutes early…"), if any."""
    found = _EARLY.search(prep)
    return int(found.group(1)) if found else None


def read_back(ctx: Context, appointment_id: int, *, moved: bool = False) -> ReadBack:
    """The script for the visit as it now stands; ``moved``: it says the visit was moved,
    the new time being the one read out."""
    appt = scheduling.get_appointment(ctx, appointment_id)
    place = next(loc for loc in directory.locations(ctx, retired=True)
                 if loc.id == appt.location_id)
    visit = next(v for v in directory.visit_types(ctx, retired=True)
                 if v.code == appt.visit_type_code)
    start, end = appt.start.astimezone(place.zone), appt.end.astimezone(place.zone)
    day = f"{start:%A}, {start:%B} {start.day}"
    at = f"{start:%I:%M %p}".lstrip("0")
    minutes = int((end - start).total_seconds() // 60)
    procedure = " ".join(p for p in (appt.region, appt.levels, appt.side) if p)
    what = visit.name.lower() + (f" ({procedure})" if procedure else "")
    lines = [
        f"Your {what} is moved to a new time." if moved else f"You are booked for a {what}.",
        f"When: {day}, at {at} (about {minutes} minutes).",
        f"Where: {place.name}, {place.address}.",
        f"With: {appt.provider_name}.",
    ]
    early = arrive_early(visit.prep)
    if early:
        arrive = start - timedelta(minutes=early)
        by = f"{arrive:%I:%M %p}".lstrip("0")
        lines.append(f"Arrive by: {by} ({early} minutes early).")
    if visit.prep:
        lines.append(f"Please: {visit.prep}")
    phone = directory.display_phone(ctx.settings.practice_phone)
    lines.append(f"To change or cancel, call {ctx.settings.practice_name} at {phone}.")
    return ReadBack(appointment=appt, lines=tuple(lines), moved=moved)
