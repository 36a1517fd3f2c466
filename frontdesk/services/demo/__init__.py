"""The demo practice, and the generator the benchmark uses to build a much bigger one.

Everything is synthetic and deterministic (seeded ``random.Random``). Every appointment obeys
the rules the booking service enforces — inside the provider's template at that location,
outside closures, one visit per provider and per room at a time counting buffers — because the
database refuses anything else, and a demo that breaks its own rules would teach nothing.
Appointments are planned in memory (an occupancy map per room, a cursor per provider) and then
inserted in batches with SQLAlchemy core, so a 200,000-row database builds in a few minutes.

The modules: ``content`` (the synthetic names, places and mixes), ``layout`` (who works where,
the rooms each location needs), ``practice`` (the practice's rows), ``appointments`` (the
appointment generator), ``activity`` (the desk's callbacks, calls and overrides) and ``seed``
(the entry points, one transaction each).
"""

from __future__ import annotations

from frontdesk.services.demo.seed import (
    DemoSummary,
    build_practice,
    has_data,
    is_demo,
    seed_demo,
)

__all__ = ["DemoSummary", "build_practice", "has_data", "is_demo", "seed_demo"]
