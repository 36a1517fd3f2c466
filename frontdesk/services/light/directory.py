"""The practice's locations, the light way: the twin of ``directory.locations``."""

from __future__ import annotations

from frontdesk.services.light import Light
from frontdesk.services.views import LocationView

_LOCATIONS = "SELECT id, name, address, phone, timezone, zip, active FROM location ORDER BY id"


def locations(light: Light, *, retired: bool = False) -> list[LocationView]:
    """The locations in use (``retired``: those retired too, for past visits)."""
    return [LocationView(loc_id, name, address, phone, zone, zip_code)
            for loc_id, name, address, phone, zone, zip_code, active
            in light.reader.rows(_LOCATIONS) if retired or active]
