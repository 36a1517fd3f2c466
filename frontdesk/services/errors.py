"""Errors a person can act on. Messages name the field and never carry patient details."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from frontdesk.services.views import AppointmentView, DuplicateView, PatientView, SlotView


class FrontDeskError(Exception):
    """Base for every error the UI and CLI show as a plain message."""


class InvalidInput(FrontDeskError):
    """Bad input; nothing was written. ``field`` names what to fix."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class InvalidDetails(InvalidInput):
    """Several fields are wrong at once; ``problems`` lists every (field, reason), the first
    is ``field`` / ``message``. Nothing was written."""

    def __init__(self, problems: Sequence[tuple[str, str]]) -> None:
        self.problems = tuple(problems)
        first, reason = self.problems[0]
        super().__init__(first, reason)
        self.args = ("; ".join(f"{f}: {r}" for f, r in self.problems),)


class MergedAway(InvalidInput):
    """The patient record was merged into another: ``merged_into`` is the record to use."""

    def __init__(self, patient_id: int, merged_into: int) -> None:
        super().__init__("patient", f"patient {patient_id} was merged into patient "
                                    f"{merged_into}; use {merged_into}")
        self.patient_id, self.merged_into = patient_id, merged_into


class PossibleDuplicates(FrontDeskError):
    """The new patient looks like one (or more) already on file: nothing was written. Add
    them anyway only when the person confirms it is somebody else (``confirmed_new``)."""

    def __init__(self, candidates: Sequence[DuplicateView]) -> None:
        self.candidates = tuple(candidates)
        ids = ", ".join(str(c.patient.id) for c in self.candidates)
        super().__init__(f"this may be a patient already on file (id {ids}); check them "
                         "first, and add a new patient only if it is somebody else")


class StalePatient(FrontDeskError):
    """The patient record changed since it was read; ``current`` is the fresh record."""

    def __init__(self, current: PatientView) -> None:
        super().__init__(f"patient {current.id} was changed by someone else meanwhile (now "
                         f"version {current.version}); look again before editing")
        self.current = current


class SlotTaken(FrontDeskError):
    """The time is not free. ``reason`` says what is in the way (the provider's other visit,
    every suitable room in use); empty when it was taken in the same second, by a write that
    beat this one. Alternatives attached."""

    def __init__(self, alternatives: Sequence[SlotView], reason: str = "") -> None:
        super().__init__("slot just taken")
        self.alternatives = tuple(alternatives)
        self.reason = reason


class StaleAppointment(FrontDeskError):
    """The appointment changed since it was read; ``current`` is the fresh state."""

    def __init__(self, current: AppointmentView) -> None:
        super().__init__(
            f"appointment {current.id} was changed by someone else meanwhile "
            f"(now {current.status.label}); look again before acting"
        )
        self.current = current


class NotAllowed(FrontDeskError):
    """The person's role may not do this (or the account cannot act); nothing was written."""


class Busy(FrontDeskError):
    """The database stayed busy after retries."""


def redact(db: str) -> str:
    """The database path or URL, shortened, with any password hidden (safe for messages)."""
    scheme, sep, rest = db.partition("://")
    if sep and "@" in rest:
        credentials, _, host = rest.rpartition("@")
        user = credentials.split(":", 1)[0]
        db = f"{scheme}://{user}:***@{host}" if ":" in credentials else db
    return db if len(db) <= 120 else db[:119] + "…"


def first_line(exc: BaseException) -> str:
    """The driver's own first line (SQLAlchemy's text may quote SQL parameters; this does not)."""
    wrapped = getattr(exc, "orig", None)
    lines = [line.strip() for line in str(wrapped or exc).splitlines() if line.strip()]
    first = lines[0] if lines else type(exc).__name__
    return first if len(first) <= 200 else first[:199] + "…"
