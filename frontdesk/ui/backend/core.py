"""The backend's core: the open database, who is signed in, and the practice's reference
data every screen reads (locations, visit types, patients found by a search)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from frontdesk.domain.model import Role
from frontdesk.domain.permissions import Permission, allowed
from frontdesk.services import directory
from frontdesk.services.context import Context
from frontdesk.services.errors import InvalidInput, MergedAway
from frontdesk.services.treatments import Library, load_library
from frontdesk.services.views import LocationView, PatientView, StaffView, VisitTypeView
from frontdesk.ui.backend.boards import PRACTICE_ZONE as PRACTICE_ZONE  # where screens read it

ACTING_ROLES = (Role.RECEPTIONIST, Role.SCHEDULER)


@dataclass(frozen=True)
class BackendCore:
    """The services bound to one open database. ``owned``: close the engine on exit.

    ``person`` is who is signed in: every change is attributed to them (None: nobody can act).
    """

    ctx: Context
    zone: str = PRACTICE_ZONE
    owned: bool = False
    person: StaffView | None = None

    @property
    def staff(self) -> str | None:
        """The signed-in person's username, as the services take it."""
        return None if self.person is None else self.person.username

    def may(self, permission: Permission) -> bool:
        """Whether the person signed in holds ``permission`` (the services decide for real;
        the screens ask this to grey out what would only be refused)."""
        return self.person is not None and allowed(self.person.role, permission)

    def may_override(self) -> bool:
        """Whether the person signed in may authorise a payer-rule override themselves (a
        setting: ``[callbacks] override_roles``)."""
        return (self.person is not None
                and self.person.role.value in self.ctx.settings.callbacks.override_roles)

    @property
    def idle_minutes(self) -> int:
        return self.ctx.settings.signin.idle_minutes

    def today(self) -> date:
        return self.ctx.now().astimezone(ZoneInfo(self.zone)).date()

    def _acting(self) -> str:
        if self.staff is None:
            raise InvalidInput("as", "nobody to act as: add an active receptionist first")
        return self.staff

    def locations(self) -> tuple[LocationView, ...]:
        return tuple(directory.locations(self.ctx))

    def location_names(self) -> dict[int, str]:
        return {loc.id: loc.name for loc in directory.locations(self.ctx, retired=True)}

    def visit_types(self) -> tuple[VisitTypeView, ...]:
        return tuple(directory.visit_types(self.ctx))

    def find_patients(self, text: str) -> list[PatientView]:
        """Patients matching a phone number, a name or a date of birth ([] for too little)."""
        if len(text.strip()) < 2:
            return []
        try:
            return directory.find_patients(self.ctx, text, limit=12)
        except InvalidInput:
            return []

    def patient(self, patient_id: int) -> PatientView:
        """The patient — or, for a record merged into another since (a call's draft, a
        callback taken before the merge), the record it was merged into."""
        try:
            return directory.get_patient(self.ctx, patient_id)
        except MergedAway as merged:
            return directory.get_patient(self.ctx, merged.merged_into)

    def practice_phone(self) -> str:
        return directory.display_phone(self.ctx.settings.practice_phone)

    def treatments(self) -> Library:
        """The approved treatment answers, with the practice's overrides read afresh."""
        return load_library()

    def close(self) -> None:
        if self.owned:
            self.ctx.engine.dispose()
