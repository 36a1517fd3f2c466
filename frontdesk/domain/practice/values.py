"""The practice file as plain values: what each section declares."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from frontdesk.domain.model import ProviderKind, Role, RoomKind
from frontdesk.domain.practice.hours import Cell

#: The colour names a visit type may have (the calendar shows them as terminal colours).
COLOURS = ("green", "cyan", "magenta", "purple", "yellow", "red", "orange", "blue", "teal")
#: ``[holidays] calendar``: the packaged US federal calendar (with the day after Thanksgiving).
CALENDARS = ("us",)
#: ``[practice] timezone`` when not given: the practice's zone everywhere else in the app
DEFAULT_ZONE = "America/Chicago"


@dataclass(frozen=True)
class Problem:
    line: int
    reason: str


@dataclass(frozen=True)
class PracticeInfo:
    name: str
    phone: str  # E.164
    timezone: str = DEFAULT_ZONE  # the day a holiday closes, whatever the locations' zones


@dataclass(frozen=True)
class RoomDecl:
    name: str
    kind: RoomKind

    @property
    def fluoroscopy(self) -> bool:
        return self.kind is RoomKind.PROCEDURE


@dataclass(frozen=True)
class LocationDecl:
    name: str
    address: str
    zip: str
    phone: str  # E.164
    timezone: str
    rooms: tuple[RoomDecl, ...]


@dataclass(frozen=True)
class VisitTypeDecl:
    code: str
    name: str
    duration: int
    buffer_before: int
    buffer_after: int
    room: RoomKind
    procedure: bool
    colour: str
    prep: str


@dataclass(frozen=True)
class ProviderDecl:
    name: str
    credentials: str
    kind: ProviderKind
    visit_types: tuple[str, ...]
    #: location name -> what the weekly hours there mean (see hours.cells)
    hours: tuple[tuple[str, frozenset[Cell]], ...]


@dataclass(frozen=True)
class StaffDecl:
    username: str
    name: str
    role: Role


@dataclass(frozen=True)
class HolidaysDecl:
    calendar: str | None
    dates: tuple[tuple[date, str], ...]


@dataclass(frozen=True)
class PracticeFile:
    """Each section is None when the file leaves it out (the file does not manage it)."""

    practice: PracticeInfo | None = None
    locations: tuple[LocationDecl, ...] | None = None
    visit_types: tuple[VisitTypeDecl, ...] | None = None
    providers: tuple[ProviderDecl, ...] | None = None
    staff: tuple[StaffDecl, ...] | None = None
    holidays: HolidaysDecl | None = None
    payers: dict[str, Any] | None = None  # [payers.KEY] tables as the settings file has them
    plans: dict[str, Any] | None = None  # [plans.KEY] tables
    reminders: dict[str, Any] | None = None  # [reminders], as the settings file has it
    #: (path to a value) -> line, for the checks against the database
    lines: dict[tuple[str | int, ...], int] = field(default_factory=dict, compare=False)

    def line(self, *path: str | int) -> int:
        probe = tuple(path)
        while probe:
            if probe in self.lines:
                return self.lines[probe]
            probe = probe[:-1]
        return 1
