"""The changes a screen asks of one visit (a status, a cancel, a move, a new booking) and how
they went, as plain values — no Textual, no database.

The screen asks ``allowed`` before showing a key as usable, builds a ``Request`` carrying the
version the row showed, and a worker hands it to the backend, which answers with an ``Outcome``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from frontdesk.domain.model import Status, can_transition
from frontdesk.services.views import AppointmentView

#: Board action name → the status it sets.
STATUS_ACTIONS: dict[str, Status] = {
    "check_in": Status.CHECKED_IN,
    "complete": Status.COMPLETED,
    "no_show": Status.NO_SHOW,
    "confirm": Status.CONFIRMED,
}
#: Past tense for the notification after each kind of change.
DONE = {
    Status.CHECKED_IN: "Checked in",
    Status.COMPLETED: "Marked done",
    Status.NO_SHOW: "Marked no-show",
    Status.CONFIRMED: "Confirmed",
    Status.CANCELLED: "Cancelled",
}
#: Statuses that only make sense on the visit's day or after it (the service refuses earlier).
ON_THE_DAY = frozenset({Status.CHECKED_IN, Status.COMPLETED, Status.NO_SHOW})

Severity = Literal["information", "warning", "error"]


@dataclass(frozen=True)
class Request:
    """Change one appointment: set ``status``, or cancel with ``reason`` (status None)."""

    appointment_id: int
    expected_version: int
    status: Status | None = None
    reason: str = ""

    @property
    def target(self) -> Status:
        return self.status or Status.CANCELLED


@dataclass(frozen=True)
class Said:
    """What the person said to the booking checks: a physician ordered it, the warnings they
    accept, an override of a payer rule (who, their password when not the person signed in,
    why), a procedure's details."""

    ordered_by_physician: bool = False
    accept_warnings: tuple[str, ...] = ()
    override_reason: str | None = None
    override_by: str | None = None
    override_password: str | None = field(default=None, repr=False)
    region: str | None = None
    levels: str | None = None
    side: str | None = None


@dataclass(frozen=True)
class Move:
    """Reschedule one appointment to ``start`` with ``provider_id`` at ``location_id``."""

    appointment_id: int
    expected_version: int
    start: datetime
    provider_id: int
    location_id: int
    said: Said = Said()
    waitlist_id: int | None = None  # an accepted waitlist offer: the entry closes with it
    waitlist_version: int | None = None  # the entry as the offer read it
    waitlist_refill: bool = False  # the offer was of a time a cancel or a move freed


@dataclass(frozen=True)
class NewBooking:
    """Book ``patient_id`` for ``visit_type`` at ``start`` with a provider at a location."""

    patient_id: int
    visit_type: str
    provider_id: int
    location_id: int
    start: datetime
    said: Said = Said()
    waitlist_id: int | None = None  # an accepted waitlist offer: the entry closes with it
    waitlist_version: int | None = None  # the entry as the offer read it
    waitlist_refill: bool = False  # the offer was of a time a cancel or a move freed


Change = Request | Move | NewBooking


@dataclass(frozen=True)
class Ask:
    """What the booking checks need from the person before a booking or move can go ahead:
    ``kind`` "warnings" (accept ``codes``), "first-visit" (a physician's order), "payer" (an
    override; ``error`` when the last one was not accepted) or "details" (a procedure's)."""

    kind: Literal["warnings", "first-visit", "payer", "details"]
    text: str
    codes: tuple[str, ...] = ()
    error: str = ""


@dataclass(frozen=True)
class Outcome:
    """How a request went, in plain words; ``changed`` when something was written. ``ask``:
    nothing was written, the checks need an answer first; ``appointment_id``: the visit booked
    or moved (for its read-back); ``stale``: nothing was written because the visit changed
    meanwhile (what the screen holds of it is out of date)."""

    message: str
    severity: Severity = "information"
    changed: bool = False
    ask: Ask | None = None
    appointment_id: int | None = None
    stale: bool = False


def allowed(appt: AppointmentView | None, target: Status, *, today: date) -> bool:
    """Whether the key for ``target`` applies to ``appt`` now (the service has the last word)."""
    if appt is None or not can_transition(appt.status, target):
        return False
    return not (target in ON_THE_DAY and appt.local_start.date() > today)


