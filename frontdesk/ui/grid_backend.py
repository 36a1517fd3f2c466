"""The day view's route to the calendar service. Like ``backend.py``, imported only inside
workers, so opening the app never waits for SQLAlchemy.
"""

from __future__ import annotations

from datetime import date

from frontdesk.services import directory
from frontdesk.services.calendar import day_grid
from frontdesk.ui.backend import Backend
from frontdesk.ui.grid_layout import GridBoard


def load_grid(backend: Backend, day: date, location_id: int | None) -> GridBoard:
    """The day at ``location_id``, or at the first location when it is None or gone."""
    places = tuple(directory.locations(backend.ctx))
    ids = [p.id for p in places]
    chosen = location_id if location_id in ids else (ids[0] if ids else None)
    grid = None if chosen is None else day_grid(backend.ctx, day=day, location_id=chosen)
    return GridBoard(day, chosen, places, grid)
