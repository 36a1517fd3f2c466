"""How a visit, a person and a place read in a calendar cell of a given width, and their
colours: shared by the board's table, the day grid and the week grid. No Textual here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from frontdesk.domain.model import Status
from frontdesk.services.views import AppointmentView
from frontdesk.ui.text import cycle_location as cycle_location  # where the board reads it
from frontdesk.ui.text import fit
from frontdesk.ui.text import location_label as location_label

SWATCH = "■ "
#: Marks a visit that needs attention (outside working time) on the board and the day view.
MARK = "!"


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



def cycle(ids: Sequence[int], current: int | None, step: int) -> int | None:
    """The next (or previous) id, wrapping; the first (or last) when ``current`` is gone."""
    if not ids:
        return None
    if current not in ids:
        return ids[0] if step > 0 else ids[-1]
    return ids[(ids.index(current) + step) % len(ids)]



def time_text(appt: AppointmentView, width: int) -> str:
    start = f"{appt.local_start:%H:%M}"
    return f"{start}–{appt.local_end:%H:%M}" if width >= 11 else start


def roomy_visit(appt: AppointmentView) -> str:
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


#: Visit-type colour names (catalog defaults) as ANSI colours, so they follow the terminal's
#: palette and stay legible with 16 colours. Only the swatch is coloured; the text stays plain.
VISIT_COLOURS = {
    "green": "green",
    "cyan": "cyan",
    "magenta": "magenta",
    "purple": "bright_magenta",
    "yellow": "yellow",
    "red": "red",
    "orange": "bright_red",
    "blue": "blue",
    "teal": "bright_cyan",
}


STATUS_STYLES = {
    Status.HELD: "yellow",
    Status.BOOKED: "",
    Status.CONFIRMED: "cyan",
    Status.CHECKED_IN: "bold green",
    Status.COMPLETED: "dim",
    Status.NO_SHOW: "bold red",
    Status.CANCELLED: "dim",
    Status.EXPIRED: "dim",
}


def attention_note(marks: Mapping[int, str], appointments: Sequence[AppointmentView]) -> str:
    """'2 need attention (!)' when any of ``appointments`` is marked, else ''."""
    count = sum(a.id in marks for a in appointments)
    if not count:
        return ""
    return f"{count} need{'s' if count == 1 else ''} attention ({MARK})"
