"""Printing: plain tables for people, JSON (``--json``) for scripts, and appointment read-backs."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo

import click

if TYPE_CHECKING:
    from frontdesk.services.views import AppointmentView, SlotView


class Asked(Protocol):
    """What printing needs of the command's runtime: whether --json was asked."""

    @property
    def as_json(self) -> bool: ...


def dumps(value: Any) -> str:
    from frontdesk.services.views import to_json

    return json.dumps(to_json(value), indent=2)


def emit(runtime: Asked, value: Any, text: str) -> None:
    """``value`` as JSON under --json, else the readable ``text``."""
    click.echo(dumps(value) if runtime.as_json else text)


def clean(value: object) -> str:
    """Table cells never carry terminal control characters."""
    from frontdesk.domain.text import printable

    return printable(value)


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    cells = [[clean(c) for c in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]
    lines = [headers, *cells]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip()
                     for line in lines)


def indent(text: str) -> str:
    return "\n".join(f"  {line}" for line in text.splitlines())


def clock_time(moment: datetime) -> str:
    """``9:05 AM``."""
    return f"{moment.hour % 12 or 12}:{moment:%M %p}"


def long_day(moment: datetime | date) -> str:
    """``Tue Mar 16 2027``."""
    return f"{moment:%a %b} {moment.day} {moment.year}"


def slot_table(slots: Sequence[SlotView]) -> str:
    return table(
        ["DAY", "START (local)", "PROVIDER", "LOCATION", "ROOM"],
        [(f"{s.local_start:%a}", f"{s.local_start:%Y-%m-%dT%H:%M}",
          f"{s.provider_id} {s.provider_name}", f"{s.location_id} {s.location_name}",
          f"{s.room_id} {s.room_name}") for s in slots],
    )


def describe_appointment(appt: AppointmentView) -> str:
    start, end = appt.local_start, appt.local_end
    zone = ZoneInfo(appt.timezone)
    status = appt.status.label
    if appt.late_cancel:
        status += " (late cancel)"
    rows: list[tuple[str, str]] = [
        ("status", status),
        ("when", f"{long_day(start)}, {clock_time(start)}–{clock_time(end)} {start:%Z}"),
        ("start", start.isoformat(timespec="minutes")),
        ("patient", f"{appt.patient_short} (id {appt.patient_id})"),
        ("visit", f"{appt.visit_type_name} ({appt.visit_type_code})"),
        ("provider", f"{appt.provider_name} (id {appt.provider_id})"),
        ("location", f"{appt.location_name} (id {appt.location_id})"),
        ("room", f"{appt.room_name} (id {appt.room_id})"),
    ]
    if appt.region or appt.levels or appt.side:
        parts = (appt.region, appt.levels, appt.side)
        rows.append(("procedure", ", ".join(p for p in parts if p)))
    if appt.hold_expires_at is not None:
        rows.append(("held until", clock_time(appt.hold_expires_at.astimezone(zone))))
    if appt.cancel_reason:
        rows.append(("reason", appt.cancel_reason))
    booked_at = appt.booked_at.astimezone(zone)
    rows.append(("booked by", f"{appt.booked_by}, {booked_at:%Y-%m-%d %H:%M}"))
    rows.append(("version", str(appt.version)))
    return "\n".join(f"  {k:<11}{clean(v)}" for k, v in rows)


def emit_appointment(runtime: Asked, heading: str, appt: AppointmentView,
                     extra: str = "") -> None:
    """What every appointment command prints: a heading, the read-back, maybe a note."""
    emit(runtime, appt, f"{heading}\n{describe_appointment(appt)}{extra}")
