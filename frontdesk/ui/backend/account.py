"""Who acts: the backend created for whoever is signed in, a password sign-in, the SSH login's
mapping, the idle lock's password and its audit event."""

from __future__ import annotations

from dataclasses import replace
from typing import Self

from frontdesk.services import accounts, directory
from frontdesk.services.context import Context
from frontdesk.services.errors import InvalidInput
from frontdesk.ui.backend.core import ACTING_ROLES, PRACTICE_ZONE, BackendCore


class AccountDoor(BackendCore):
    """Signing in and out of the backend; every other door acts as the person it holds."""

    @classmethod
    def create(cls, ctx: Context, *, owned: bool = False, staff: str | None = None,
               sign_in: bool = False) -> Self:
        """``staff``: who acts. None with ``sign_in``: nobody until someone signs in (or the
        SSH login maps to a staff member); None without it (tests, embedding): the first
        active receptionist or scheduler."""
        found = directory.locations(ctx)
        people = directory.staff(ctx)
        if staff is None and not sign_in:
            staff = next((s.username for s in people if s.role in ACTING_ROLES), None)
        person = next((s for s in people if s.username == staff), None)
        backend = cls(ctx, found[0].timezone if found else PRACTICE_ZONE, owned, person)
        if staff is None and sign_in:
            return backend.via_ssh() or backend
        return backend

    def sign_in(self, username: str, password: str) -> Self:
        """The backend acting as ``username`` once the password checks out (SignInRefused or
        AccountLocked otherwise; both audited)."""
        return replace(self, person=accounts.sign_in(self.ctx, username=username,
                                                     password=password))

    def anyone_can_sign_in(self) -> bool:
        return accounts.anyone_can_sign_in(self.ctx)

    def is_demo(self) -> bool:
        """Whether this database is the demo practice (seeded by the demo), whose published
        accounts the sign-in form may name."""
        from frontdesk.services import demo  # only asked with the demo flag

        return demo.is_demo(self.ctx)

    def screen_locked(self, *, idle: bool) -> None:
        """Audit the lock: after the idle time, or the person's own ctrl+l."""
        if self.staff is not None:
            accounts.screen_locked(self.ctx, username=self.staff,
                                   idle_minutes=self.idle_minutes if idle else None)

    def unlock(self, password: str) -> None:
        """The idle lock: the person who was signed in types their password again."""
        if self.staff is None:
            raise InvalidInput("staff", "nobody is signed in")
        accounts.check_password(self.ctx, username=self.staff, password=password)

    def via_ssh(self) -> Self | None:
        """Signed in by the SSH login when settings map this OS user to a staff member."""
        person = accounts.os_user_staff(self.ctx)
        return None if person is None else replace(self, person=person)
