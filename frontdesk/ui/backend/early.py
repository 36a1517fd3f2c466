"""The board before the database stack has loaded. In an SSH login whose OS user is mapped to a
staff member, the light way (:mod:`frontdesk.services.light`: plain sqlite3) signs them in —
the same ``staff.sign_in`` event the full way writes — and reads today's board while the full
backend opens behind it, so the person waits for the board, not for SQLAlchemy to import
(issue 19).

:class:`EarlyBackend` stands in for the :class:`~frontdesk.ui.backend.door.Backend` on that
first board: it answers who is signed in, today and the day's board itself, and hands every
other question to the full backend — at once when it is open, else once it is (in the worker
that asked: the screens keep the keys that would ask on the event loop off until then, see
:func:`backend_open`). ``app.backend`` stays None until then, so F2, F3 and F4 wait for it
too; the idle lock does not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from frontdesk.domain.permissions import Permission, allowed
from frontdesk.domain.settings import Settings
from frontdesk.services.light import Light, open_light
from frontdesk.services.light.appointments import appointments_on
from frontdesk.services.light.directory import locations
from frontdesk.services.origin import Origin
from frontdesk.services.views import StaffView
from frontdesk.ui.backend.boards import PRACTICE_ZONE, DayBoard

if TYPE_CHECKING:
    from frontdesk.ui.backend.door import Backend
    from frontdesk.ui.backend.opening import Opening


@dataclass(frozen=True)
class Glance:
    """Who the SSH login signed in, the light way, and the reader that serves the first board."""

    light: Light
    person: StaffView
    zone: str
    first: DayBoard  # today's board at every location, read with the sign-in

    def close(self) -> None:
        self.light.close()


def glance(db: str, *, settings: Settings, clock: Callable[[], datetime],
           origin: Origin) -> Glance | None:
    """The SSH login's sign-in the light way, or None wherever it cannot answer for sure (not
    an SSH login, an OS user not mapped, an account disabled or locked, a database the light way
    does not open): the full way then does as it always did."""
    if origin.channel != "ssh" or origin.os_user not in settings.signin.os_users:
        return None
    try:
        light = open_light(db, settings=settings, clock=clock, origin=origin)
    except Exception:  # the light way cannot answer for sure: the full way will say why
        return None
    if light is None:
        return None
    try:
        places = locations(light)  # read before the sign-in is written: nothing half-done
        person = light.sign_in_by_ssh()
    except Exception:
        person = None
    if person is None:
        light.close()
        return None
    zone = places[0].timezone if places else PRACTICE_ZONE
    today = light.now().astimezone(ZoneInfo(zone)).date()
    try:
        first = DayBoard(today, None, tuple(places), tuple(appointments_on(light, day=today)))
    except Exception:  # signed in already: the board reads it again in its worker
        first = DayBoard(today, None, tuple(places), ())
    return Glance(light, person, zone, first)


def backend_open(backend: object) -> bool:
    """Whether ``backend`` answers everything now (not the early board's stand-in before the
    full backend is open): screens keep the keys that need it off until then."""
    return not isinstance(backend, EarlyBackend) or backend.is_open


class EarlyBackend:
    """The first board's backend until the full one is open (see the module's docstring)."""

    def __init__(self, seen: Glance, opening: Opening) -> None:
        self._glance = seen
        self._opening = opening
        self.person: StaffView | None = seen.person
        self.zone = seen.zone

    @property
    def staff(self) -> str | None:
        return None if self.person is None else self.person.username

    @property
    def is_open(self) -> bool:
        """The full backend is open: every question is answered at once."""
        return self._opening.open

    def may(self, permission: Permission) -> bool:
        return self.person is not None and allowed(self.person.role, permission)

    def may_override(self) -> bool:
        return (self.person is not None and self.person.role.value
                in self._glance.light.settings.callbacks.override_roles)

    @property
    def idle_minutes(self) -> int:
        return self._glance.light.settings.signin.idle_minutes

    def today(self) -> date:
        return self._glance.light.now().astimezone(ZoneInfo(self.zone)).date()

    def load_day(self, day: date, location_id: int | None) -> DayBoard:
        if self._opening.open:
            return self._opening.wait().load_day(day, location_id)
        light = self._glance.light
        wanted = None if location_id is None else {location_id}
        return DayBoard(day, location_id, tuple(locations(light)),
                        tuple(appointments_on(light, day=day, location_ids=wanted)))

    def full(self) -> Backend:
        """The full backend (waits while it opens)."""
        return self._opening.wait()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._opening.wait(), name)
