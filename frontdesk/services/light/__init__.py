"""The light way to answer the command line's everyday reads — ``appointments``, ``slots``,
``patients find`` — without importing the database stack (SQLAlchemy, SQLModel, the models):
the same answers, from the same tables, through Python's own ``sqlite3`` (issue 19).

:func:`open_light` gives a :class:`Light` only where it can answer exactly as the full services
do: an existing SQLite file at the current schema revision. A command that must know who runs
it takes the light way only for a person the OS-user mapping proves (``[signin] os_users``; a
password sign-in goes the full way, with its lockout and audit); ``slots``, which proves nobody
either way, takes it for anyone. Otherwise None, and the command goes the full way, which
opens, upgrades and refuses as before. Every read here has a twin in the full services;
``tests/services/test_light.py`` compares them on the same database, so that the two cannot
drift apart unnoticed.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from frontdesk.db.light import Reader, is_busy, open_reader, stored, utc
from frontdesk.domain.model import Role
from frontdesk.domain.settings import Settings, practice_overlay
from frontdesk.domain.text import username_key
from frontdesk.services.errors import Busy, InvalidInput
from frontdesk.services.origin import Origin
from frontdesk.services.views import StaffView

T = TypeVar("T")
_STAFF = ("SELECT id, name, username, role, active, locked_until FROM staff "
          "WHERE lower(username) = ?")
_AUDIT = ("INSERT INTO audit_event (at, staff_id, action, entity, entity_id, before, after, "
          "channel, os_user) VALUES (?, ?, ?, ?, ?, 'null', ?, ?, ?)")  # no before: JSON null


@dataclass(frozen=True)
class Light:
    """An open :class:`~frontdesk.db.light.Reader` with what the services' ``Context`` carries:
    the settings (with the practice file's overlay), the clock and where the person acts from."""

    reader: Reader
    settings: Settings
    clock: Callable[[], datetime]
    origin: Origin

    def now(self) -> datetime:
        """As ``Context.now``: the clock's time in UTC (a naive clock is a mistake)."""
        moment = self.clock()
        if moment.tzinfo is None:
            raise ValueError("clock must return an aware datetime")
        return moment.astimezone(UTC)

    def close(self) -> None:
        self.reader.close()

    def mapped_staff(self) -> StaffView | None:
        """The active, unlocked account ``[signin] os_users`` maps the OS user to (the twin of
        ``accounts.os_user_account``); None: the command must be proven the full way."""
        username = self.settings.signin.os_users.get(self.origin.os_user or "")
        return None if username is None else self._usable(self.reader, username)

    def _usable(self, reader: Reader, username: str) -> StaffView | None:
        """``username``'s account when it is active and not locked now; None otherwise."""
        found = reader.rows(_STAFF, (username_key(username),))
        if len(found) != 1:
            return None
        staff_id, name, login, role, active, locked_until = found[0]
        locked = utc(locked_until)
        if not active or (locked is not None and locked > self.now()):
            return None
        return StaffView(staff_id, name, login, Role(role))

    def sign_in_by_ssh(self) -> StaffView | None:
        """The twin of ``accounts.os_user_staff``: in an SSH login, the account the OS user is
        mapped to, signed in without a password — the ``staff.sign_in`` event written in the
        same transaction that finds the account active and unlocked. None otherwise."""
        os_user = self.origin.os_user or ""
        username = self.settings.signin.os_users.get(os_user)
        if username is None or self.origin.channel != "ssh":
            return None

        def signed_in(reader: Reader) -> StaffView | None:
            return self._usable(reader, username)

        def values(person: StaffView | None) -> tuple[Any, ...] | None:
            if person is None:
                return None
            after = json.dumps({"via": "ssh", "os_user": os_user[:64]})
            return (stored(self.now()), person.id, "staff.sign_in", "staff", person.id, after,
                    *self.origin.stamp)

        return self._append(signed_in, values)

    def record_listed(self, *, staff: str, command: str, rows: int,
                      patient_id: int | None = None) -> None:
        """The twin of ``directory.record_listed``: ``patient.list`` with who, which command and
        how many — one write transaction, refused unless ``staff`` is still active."""

        def acting(reader: Reader) -> int:
            found = reader.rows(_STAFF, (username_key(staff),))
            if len(found) != 1 or not found[0][4]:
                raise InvalidInput("as", f"no active staff member with username {staff[:40]!r}")
            return int(found[0][0])

        def values(staff_id: int) -> tuple[Any, ...]:
            after = json.dumps({"command": command[:60], "rows": rows})
            return (stored(self.now()), staff_id, "patient.list", "patient", patient_id, after,
                    *self.origin.stamp)

        self._append(acting, values)

    def _append(self, check: Callable[[Reader], T],
                values: Callable[[T], tuple[Any, ...] | None]) -> T:
        """One audit event in its own write transaction; a database another writer holds past
        the busy timeout is ``Busy``, as the full way's writes say."""
        try:
            return self.reader.append(check, _AUDIT, values)
        except sqlite3.Error as exc:
            if is_busy(exc):
                raise Busy("the database is busy; please try again") from exc
            raise


def open_light(target: str, *, settings: Settings, clock: Callable[[], datetime],
               origin: Origin) -> Light | None:
    """The light way on ``target``, or None where only the full way can answer (see above)."""
    reader = open_reader(target)
    if reader is None:
        return None
    try:
        overlay: dict[str, Any] = {}
        for key, value in reader.rows("SELECT key, value FROM practice_setting"):
            overlay[key] = json.loads(value) if isinstance(value, str) else value
        light = Light(reader, practice_overlay(settings, overlay), clock, origin)
    except Exception:
        reader.close()
        raise
    return light
