"""What the confirmation list shows, as plain strings — no Textual, tested on its own."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from frontdesk.domain.confirmations import STATUS_WORDS, Standing
from frontdesk.ui.text import fit, phone_text

if TYPE_CHECKING:
    from frontdesk.services.worklists.confirmations import ConfirmRow

CELL_PADDING = 2
SCROLLBAR = 2
#: (key, label, width) shown at every width; the patient takes what is left, within bounds.
NARROW = (("time", "Time", 5), ("phone", "Phone", 14), ("visit", "Visit", 18),
          ("standing", "Call", 14))
PATIENT_MIN, PATIENT_MAX = 14, 24
PROVIDER = ("provider", "Provider", 18)
REMIND_MIN = 30  # what to remind, once it has this much; it takes the rest
#: A mark before the visit: called first (a procedure, a first visit).
FIRST_MARK = {True: "◆ ", False: "  "}


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int


def plan_columns(width: int) -> tuple[Column, ...]:
    """Time, patient, phone, visit and the call's standing always; as the terminal widens,
    what to remind (the rest of the width) and, wider still, the provider."""
    room = width - SCROLLBAR
    fixed = [Column(*c) for c in NARROW]
    used = sum(c.width + CELL_PADDING for c in fixed)
    patient = Column("patient", "Patient",
                     min(max(room - used - CELL_PADDING, PATIENT_MIN), PATIENT_MAX))
    used += patient.width + CELL_PADDING
    extra: list[Column] = []
    if room - used >= PROVIDER[2] + REMIND_MIN + 2 * CELL_PADDING:
        extra.append(Column(*PROVIDER))
        used += PROVIDER[2] + CELL_PADDING
    if room - used - CELL_PADDING >= REMIND_MIN:
        extra.append(Column("remind", "Remind", room - used - CELL_PADDING))
    return (fixed[0], patient, *fixed[1:], *extra)


#: The default visit types in at most 16 cells (the visit column less its mark).
SHORT_VISITS = {
    "new-patient": "New patient",
    "follow-up": "Follow-up",
    "facet-diagnostic": "Diagnostic block",
    "facet-therapeutic": "Therapeutic inj.",
    "rfa-consult": "RFA consult",
    "rfa": "RFA",
    "trigger-point": "Trigger point",
    "med-management": "Medication mgmt",
    "massage": "Massage",
}


def short_visit(name: str) -> str:
    """'Diagnostic facet joint injection (medial branch block)' -> its words before '('."""
    return name.split(" (")[0]


def cell_text(row: ConfirmRow, column: Column) -> str:
    appt = row.appointment
    match column.key:
        case "time":
            return f"{appt.local_start:%H:%M}"
        case "patient":
            return fit(row.patient_name, column.width)
        case "phone":
            return phone_text(row.phone)
        case "visit":
            name = SHORT_VISITS.get(appt.visit_type_code, short_visit(appt.visit_type_name))
            return FIRST_MARK[row.first] + fit(name, column.width - 2)
        case "standing":
            return fit(standing_text(row), column.width)
        case "provider":
            return fit(appt.provider_name, column.width)
        case "remind":
            return fit(row.remind, column.width)
    raise ValueError(f"unknown column {column.key!r}")


#: One symbol per standing, so colour never carries the meaning alone.
MARKS = {Standing.TO_CALL: "·", Standing.CONFIRMED: "✓", Standing.LEFT_MESSAGE: "✉",
         Standing.NO_ANSWER: "∅", Standing.WANTS_MOVE: "↻", Standing.CANCELLED: "✗",
         Standing.CHECKED_IN: "→", Standing.COMPLETED: "●", Standing.NO_SHOW: "⊘"}


def standing_text(row: ConfirmRow) -> str:
    """'✓ confirmed', '∅ no answer ×2' (the tries, once more than one); a visit under way or
    over says its status ('⊘ no-show', '● completed'), its last call in the detail below."""
    status = row.appointment.status.value
    if status in STATUS_WORDS:
        return f"{MARKS[Standing(status)]} {STATUS_WORDS[status]}"
    tries = f" ×{row.tries}" if row.tries > 1 else ""
    return f"{MARKS[row.standing]} {row.standing.label}{tries}"


def detail(row: ConfirmRow, width: int) -> str:
    """The highlighted visit in full: who and where, what to remind (it may take two lines),
    the last call. ``width``: the cells each line has."""
    appt = row.appointment
    kind = ("Procedure" if row.is_procedure else "First visit" if row.first_visit
            else "Visit")
    lines = [fit(f"{kind} · {appt.local_start:%H:%M}–{appt.local_end:%H:%M} · "
                 f"{appt.provider_name} · {appt.room_name} · {appt.location_name} · "
                 f"{appt.status.label}", width),
             f"Remind: {row.remind}" if row.remind else "Remind: nothing beyond the time"]
    if row.called_at is not None:
        when = row.called_at.astimezone(appt.local_start.tzinfo)
        tries = f" ({row.tries} calls)" if row.tries > 1 else ""
        lines.append(fit(f"Last call: {row.standing.label}, {when:%a %H:%M} by "
                         f"{row.called_by}{tries}", width))
    else:
        lines.append("Not called yet" if row.standing is Standing.TO_CALL
                     else "Not called" if row.standing.value in STATUS_WORDS
                     else f"{row.standing.label.capitalize()} (not through this list)")
    return "\n".join(lines)


def next_to_call(rows: Sequence[ConfirmRow], after: int) -> int | None:
    """The index of the next row still to call after ``after`` (wrapping round), or, when
    every one was tried, the next not reached (no answer, a message left); None when all are
    reached."""
    n = len(rows)
    order = [(after + step) % n for step in range(1, n + 1)] if n else []
    for wanted in ((Standing.TO_CALL,), (Standing.NO_ANSWER, Standing.LEFT_MESSAGE)):
        found = next((i for i in order if rows[i].standing in wanted), None)
        if found is not None:
            return found
    return None


def empty_text(place: str, day: str) -> str:
    return f"No visits to confirm on {day} · {place}. ← → for another day, g to go to one."
