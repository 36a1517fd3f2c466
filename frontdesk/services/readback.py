"""The confirmation script read to the caller once a visit is booked: date, time, place and
address, provider, what to bring and do, and the practice's number."""

from __future__ import annotations

from dataclasses import dataclass

from frontdesk.services import directory, scheduling
from frontdesk.services.context import Context
from frontdesk.services.views import AppointmentView


@dataclass(frozen=True, slots=True)
class ReadBack:
    appointment: AppointmentView
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def read_back(ctx: Context, appointment_id: int) -> ReadBack:
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
    lines = [
        f"You are booked for a {visit.name.lower()}"
        + (f" ({procedure})" if procedure else "") + ".",
        f"When: {day}, at {at} (about {minutes} minutes).",
        f"Where: {place.name}, {place.address}.",
        f"With: {appt.provider_name}.",
    ]
    if visit.prep:
        lines.append(f"Please: {visit.prep}")
    phone = directory.display_phone(ctx.settings.practice_phone)
    lines.append(f"To change or cancel, call {ctx.settings.practice_name} at {phone}.")
    return ReadBack(appointment=appt, lines=tuple(lines))
