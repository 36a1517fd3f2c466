"""Plain values shared by every layer. Frozen, so the UI can hold them safely."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum


class ProviderKind(StrEnum):
    PHYSICIAN = "physician"
    APP = "app"
    THERAPIST = "therapist"


class RoomKind(StrEnum):
    EXAM = "exam"
    PROCEDURE = "procedure"  # procedure suite with fluoroscopy
    MASSAGE = "massage"


class Role(StrEnum):
    RECEPTIONIST = "receptionist"
    SCHEDULER = "scheduler"
    MANAGER = "manager"
    ADMIN = "admin"


class Region(StrEnum):
    CERVICAL = "cervical"
    THORACIC = "thoracic"
    LUMBAR = "lumbar"


class Side(StrEnum):
    LEFT = "left"
    RIGHT = "right"
    BILATERAL = "bilateral"


class Status(StrEnum):
    HELD = "held"
    BOOKED = "booked"
    CONFIRMED = "confirmed"
    CHECKED_IN = "checked_in"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"
    EXPIRED = "expired"  # a hold that lapsed

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @property
    def letter(self) -> str:
        """One symbol per status, so colour is never the only carrier of meaning."""
        return STATUS_LETTERS[self]


STATUS_LABELS: dict[Status, str] = {
    Status.HELD: "held",
    Status.BOOKED: "booked",
    Status.CONFIRMED: "confirmed",
    Status.CHECKED_IN: "checked in",
    Status.COMPLETED: "completed",
    Status.CANCELLED: "cancelled",
    Status.NO_SHOW: "no-show",
    Status.EXPIRED: "hold expired",
}

STATUS_LETTERS: dict[Status, str] = {
    Status.HELD: "H",
    Status.BOOKED: "B",
    Status.CONFIRMED: "C",
    Status.CHECKED_IN: "I",
    Status.COMPLETED: "D",
    Status.CANCELLED: "X",
    Status.NO_SHOW: "N",
    Status.EXPIRED: "E",
}

#: Statuses whose time still belongs to the provider and room. The database constraints and
#: triggers use exactly this set; keep them in step (see db/schema.py).
BLOCKING_STATUSES: frozenset[Status] = frozenset(
    {Status.HELD, Status.BOOKED, Status.CONFIRMED, Status.CHECKED_IN, Status.COMPLETED}
)

#: Which status may follow which. Cancelling goes through its own service (it needs a reason).
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.HELD: frozenset({Status.BOOKED, Status.EXPIRED, Status.CANCELLED}),
    Status.BOOKED: frozenset(
        {Status.CONFIRMED, Status.CHECKED_IN, Status.CANCELLED, Status.NO_SHOW}
    ),
    Status.CONFIRMED: frozenset({Status.BOOKED, Status.CHECKED_IN, Status.CANCELLED,
                                 Status.NO_SHOW}),
    Status.CHECKED_IN: frozenset({Status.COMPLETED, Status.CONFIRMED}),
    Status.COMPLETED: frozenset({Status.CHECKED_IN}),
    Status.NO_SHOW: frozenset({Status.BOOKED}),
    Status.CANCELLED: frozenset(),
    Status.EXPIRED: frozenset(),
}


def can_transition(current: Status, new: Status) -> bool:
    return new in TRANSITIONS[current]


@dataclass(frozen=True, slots=True)
class Interval:
    """A half-open span of aware UTC time: [start, end)."""

    start: datetime
    end: datetime

    def overlaps(self, other: Interval) -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True, slots=True)
class VisitSpec:
    """What availability needs to know about a visit type."""

    id: int
    code: str
    duration_min: int
    buffer_before_min: int
    buffer_after_min: int
    room_kind: RoomKind
    provider_ids: frozenset[int]


@dataclass(frozen=True, slots=True)
class RoomSpec:
    id: int
    location_id: int
    kind: RoomKind


@dataclass(frozen=True, slots=True)
class TemplateSpec:
    """A provider's recurring hours at a location: an RFC 5545 RRULE in the location's zone."""

    id: int
    provider_id: int
    location_id: int
    rrule: str
    zone: str
    start_time: time
    end_time: time
    valid_from: date
    valid_until: date | None = None


@dataclass(frozen=True, slots=True)
class ClosureSpec:
    """Time nobody (or one provider, or one location) can be booked. None means everyone."""

    start: datetime
    end: datetime
    provider_id: int | None = None
    location_id: int | None = None


@dataclass(frozen=True, slots=True)
class BusySpan:
    """An existing appointment's blocked time (visit plus its buffers)."""

    provider_id: int
    room_id: int | None
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class Slot:
    start: datetime
    end: datetime
    provider_id: int
    location_id: int
    room_id: int
    at_preferred_location: bool = False
    with_previous_provider: bool = False
