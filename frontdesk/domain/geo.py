"""How far a patient lives from each location, by ZIP code: offline, from the ``zipcodes``
package's table of US ZIP codes and their coordinates (nothing is fetched at run time).

The distance is as the crow flies (great circle) between the ZIP codes' centres: good enough to
rank locations for a caller, never a driving distance. An unknown or malformed ZIP gives None.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

_EARTH_MILES = 3958.8
_ZIP = re.compile(r"([0-9]{5})(?:-[0-9]{4})?", re.ASCII)  # ASCII digits only: \d takes any


@lru_cache(maxsize=4096)
def coordinates(zip_code: str) -> tuple[float, float] | None:
    """(latitude, longitude) of a five-digit ZIP (or ZIP+4), or None when it is unknown.
    Only ASCII digits reach the table (``zipcodes`` panics on others, a BaseException); any
    failure of the table — that panic included — is an unknown ZIP."""
    text = zip_code.strip()
    found = _ZIP.fullmatch(text) if text.isascii() else None
    if found is None:
        return None
    import zipcodes  # the table loads on first use, off the start path

    try:
        rows = zipcodes.matching(found.group(1))  # type: ignore[no-untyped-call]
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException:  # noqa: BLE001 - its Rust core's PanicException is a BaseException
        return None
    for row in rows:
        try:
            return float(row["lat"]), float(row["long"])
        except (KeyError, TypeError, ValueError):
            continue
    return None


def distance_miles(zip_a: str, zip_b: str) -> float | None:
    """Miles between two ZIP codes' centres, or None when either is unknown."""
    a, b = coordinates(zip_a), coordinates(zip_b)
    if a is None or b is None:
        return None
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * _EARTH_MILES * math.asin(min(1.0, math.sqrt(h)))


def miles_text(miles: float | None) -> str:
    """"12 mi", "<1 mi" or "" (unknown)."""
    if miles is None:
        return ""
    return "<1 mi" if miles < 1 else f"{miles:.0f} mi"
