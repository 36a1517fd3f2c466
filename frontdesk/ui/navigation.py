"""Going to another view: messages a screen posts and the app answers by opening the view.

A screen pushes what it waits on (a dialog, a drill-in whose answer it uses). Going sideways —
from the week to a day, from a day to its week, from the calendar to the hours editor — is one
of these messages instead, so no view imports another feature's (or a sibling's) screen.
"""

from __future__ import annotations

from datetime import date

from textual.message import Message


class ShowDay(Message):
    """Open the day view of ``location_id`` (None: the first location) on ``day``; with
    ``visit_id``, the cursor on that visit, picked up to move when ``move``."""

    def __init__(self, day: date, location_id: int | None, *, poll_seconds: float,
                 visit_id: int | None = None, move: bool = False) -> None:
        super().__init__()
        self.day = day
        self.location_id = location_id
        self.poll_seconds = poll_seconds
        self.visit_id = visit_id
        self.move = move


class ShowWeek(Message):
    """Open the week of ``day``: of ``provider_id`` when given, else of ``location_id`` (None:
    the first location)."""

    def __init__(self, day: date, *, location_id: int | None = None,
                 provider_id: int | None = None, poll_seconds: float) -> None:
        super().__init__()
        self.day = day
        self.location_id = location_id
        self.provider_id = provider_id
        self.poll_seconds = poll_seconds


class EditHours(Message):
    """Open the hours and closures editor on ``provider_id`` (None: the first provider)."""

    def __init__(self, provider_id: int | None) -> None:
        super().__init__()
        self.provider_id = provider_id


class ShowAttention(Message):
    """Open the needs-attention list of ``location_id`` (None: every location)."""

    def __init__(self, location_id: int | None, *, poll_seconds: float) -> None:
        super().__init__()
        self.location_id = location_id
        self.poll_seconds = poll_seconds


class CallPatient(Message):
    """Start a call on ``patient_id`` (a worklist's Enter): the call screen opens with the
    patient as the caller, so the desk books the next step through the pathway."""

    def __init__(self, patient_id: int) -> None:
        super().__init__()
        self.patient_id = patient_id
