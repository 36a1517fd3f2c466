"""Errors a person can act on. Messages name the field and never carry patient details."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from frontdesk.services.views import AppointmentView, SlotView


class FrontDeskError(Exception):
    """Base for every error the UI and CLI show as a plain message."""


class InvalidInput(FrontDeskError):
    """Bad input; nothing was written. ``field`` names what to fix."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class SlotTaken(FrontDeskError):
    """Someone else took the time (or it was taken in the same second). Alternatives attached."""

    def __init__(self, alternatives: Sequence[SlotView]) -> None:
        super().__init__("slot just taken")
        self.alternatives = tuple(alternatives)


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
