"""How days, visits, slots and patients read on screen, in every feature: plain strings from
plain values — no Textual, no database."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from frontdesk.domain.model import Status
from frontdesk.domain.patients import alert_words
from frontdesk.domain.text import printable
from frontdesk.services.views import AppointmentView, LocationView, PatientView, SlotView

__all__ = ["INACTIVE", "alerts_text", "cycle_location", "details_text", "fit", "format_day",
           "location_label", "offer_text", "patient_line", "phone_text", "printable",
           "slot_text",
           "status_text", "when_text"]

#: Shown faint, hidden on request and never counted: cancelled visits and lapsed holds.
INACTIVE = frozenset({Status.CANCELLED, Status.EXPIRED})


def format_day(day: date) -> str:
    """'Wed 10 Mar 2027'."""
    return f"{day:%a} {day.day} {day:%b %Y}"


def fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` cells with an ellipsis."""
    if width <= 0:
        return ""
    text = printable(text)
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def status_text(status: Status) -> str:
    """Letter and label, so colour never carries the meaning alone: 'I checked in'."""
    return f"{status.letter} {status.label}"


def details_text(appt: AppointmentView) -> str:
    """Procedure region, levels and side: 'lumbar L4-L5 bilateral'."""
    return " ".join(p for p in (appt.region, appt.levels, appt.side) if p)


def when_text(appt: AppointmentView) -> str:
    """'Wed 10 Mar 10:00–10:45' in the location's zone."""
    start = appt.local_start
    return f"{start:%a} {start.day} {start:%b %H:%M}–{appt.local_end:%H:%M}"


def slot_text(slot: SlotView) -> str:
    """'Thu 11 Mar 09:00–09:45 · Dr. Avery Able · Test Clinic' in the location's zone."""
    start, end = slot.local_start, slot.end.astimezone(slot.local_start.tzinfo)
    return (f"{start:%a} {start.day} {start:%b %H:%M}–{end:%H:%M} · {slot.provider_name} · "
            f"{slot.location_name}")


def offer_text(slot: SlotView, *, miles: str = "", extra: str = "", width: int = 0) -> str:
    """An offered time on one line: 'Thu 11 Mar 09:00–09:45 · Dr. Avery Able · 13 mi · Test
    Clinic' (then `` · extra``); with ``width``, the location's name is cut to fit it (the
    time, the provider and the miles always show)."""
    start, end = slot.local_start, slot.end.astimezone(slot.local_start.tzinfo)
    head = " · ".join(p for p in (f"{start:%a} {start.day} {start:%b %H:%M}–{end:%H:%M}",
                                  slot.provider_name, miles) if p) + " · "
    tail = f" · {extra}" if extra else ""
    place = printable(slot.location_name)
    if width:
        place = fit(place, max(8, width - len(head) - len(tail)))
    return head + place + tail


def phone_text(e164: str) -> str:
    """'+19185550111' as '(918) 555-0111'; any other number as stored."""
    if e164.startswith("+1") and len(e164) == 12:
        return f"({e164[2:5]}) {e164[5:8]}-{e164[8:]}"
    return printable(e164)


def alerts_text(codes: tuple[str, ...], note: str = "") -> str:
    """'⚠ Needs an interpreter · On blood thinners: nurse call first · <note>'; empty when the
    record has no alert."""
    words = alert_words(codes, note)
    return printable("⚠ " + " · ".join(words)) if words else ""


def patient_line(p: PatientView, places: Mapping[int, str]) -> str:
    """'Testcase, Casey · born 17 May 1970 · (918) 555-0111 · Test Clinic' (the preferred
    location); no control character of the record reaches the screen."""
    phone = phone_text(p.phone)
    where = places.get(p.preferred_location_id or 0)
    line = f"{p.last_name}, {p.first_name} · born {p.dob.day} {p.dob:%b %Y} · {phone}"
    return printable(line + (f" · {where}" if where else ""))


def location_label(locations: Sequence[LocationView], location_id: int | None) -> str:
    """A location's name, or 'All locations' for None."""
    if location_id is None:
        return "All locations"
    return next((loc.name for loc in locations if loc.id == location_id), "Unknown location")


def cycle_location(locations: Sequence[LocationView], current: int | None, step: int) -> int | None:
    """The next (or previous) choice in 'All locations', then each location in order."""
    choices: list[int | None] = [None, *(loc.id for loc in locations)]
    index = choices.index(current) if current in choices else 0
    return choices[(index + step) % len(choices)]
