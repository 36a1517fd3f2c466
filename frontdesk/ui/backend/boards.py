"""What the backend reads for the calendar's day screens: one day's appointments (the board)
and one location's day grid (the day view). Plain values with no database code, so the
screens import them at start."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from frontdesk.services.views import AppointmentView, LocationView
from frontdesk.ui.text import INACTIVE

if TYPE_CHECKING:
    from frontdesk.services.calendar import DayGrid

PRACTICE_ZONE = "America/Chicago"  # every location is on Central time (DESIGN §1)


@dataclass(frozen=True)
class DayBoard:
    """One day's appointments at one location (``location_id``) or all (``None``).
    ``marks``: appointment id -> why it needs attention in a word ("time off"), read by the
    full backend only (the early board, read the light way, has none until it opens)."""

    day: date
    location_id: int | None
    locations: tuple[LocationView, ...]
    appointments: tuple[AppointmentView, ...]
    marks: dict[int, str] = field(default_factory=dict)
    #: When the day has no visits: the next day that has some, and how many (None: none soon,
    #: or not looked for).
    next_visits: tuple[date, int] | None = None

    def rows(self, *, show_cancelled: bool) -> list[AppointmentView]:
        """Appointments in board order: grouped by location when showing all, then by time."""
        order = {loc.id: i for i, loc in enumerate(self.locations)}
        shown = [a for a in self.appointments if show_cancelled or a.status not in INACTIVE]
        return sorted(shown, key=lambda a: (order.get(a.location_id, len(order)), a.start,
                                            a.provider_name, a.id))


@dataclass(frozen=True)
class GridBoard:
    """What the day view shows: the grid of ``location_id`` (None: the practice has none);
    ``marks`` as on ``DayBoard``."""

    day: date
    location_id: int | None
    locations: tuple[LocationView, ...]
    grid: DayGrid | None
    marks: dict[int, str] = field(default_factory=dict)
