"""The waitlist's door: who is waiting, who a freed time suits, the times that suit one entry,
and the desk's writes (add, an offer's outcome, remove) told back in plain words. Accepting an
offer is a booking: ``apply`` with a ``NewBooking`` or ``Move`` carrying the entry's id."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time
from typing import TYPE_CHECKING

from frontdesk.services.errors import Busy, FrontDeskError, InvalidInput
from frontdesk.ui.backend.changes import Outcome
from frontdesk.ui.backend.core import BackendCore

if TYPE_CHECKING:
    from frontdesk.services.views import AppointmentView
    from frontdesk.services.worklists.waitlist import (
        Hours,
        Match,
        OfferOutcome,
        OpenedTime,
        WaitlistView,
    )


@dataclass(frozen=True)
class Wish:
    """What the caller asked for, from the waitlist form."""

    patient_id: int
    visit_type: str | None = None
    appointment_id: int | None = None
    region: str | None = None
    levels: str | None = None
    side: str | None = None
    location_ids: tuple[int, ...] = ()
    weekdays: tuple[int, ...] = ()
    earliest: time | None = None
    latest: time | None = None
    until: date | None = None
    note: str = ""


class WaitlistDoor(BackendCore):
    """What the waitlist screen, the matches after a cancel and the waitlist form ask."""

    def waitlist(self, location_id: int | None = None, *,
                 audit: bool = True) -> list[WaitlistView]:
        """Who is waiting (audited as a list of patients unless ``audit`` is False: the same
        list read again to keep it fresh)."""
        from frontdesk.services.worklists import waitlist

        return waitlist.waiting(self.ctx, by=self._acting(), location_id=location_id,
                                audit=audit)

    def freed_matches(self, appt: AppointmentView, *, audit: bool = True) -> list[Match]:
        """Who on the waitlist the time ``appt`` held (as the screen showed it: before a
        cancel, or before a move) suits, best first."""
        from frontdesk.services.worklists import waitlist

        opened = waitlist.OpenedTime(appt.provider_id, appt.location_id, appt.start, appt.end)
        return waitlist.match(self.ctx, by=self._acting(), opened=opened, audit=audit)

    def provider_hours(self, provider_id: int) -> Hours:
        """The provider's working time ahead: what the hours editor compares after a change."""
        from frontdesk.services.worklists import waitlist

        return waitlist.hours_of(self.ctx, provider_id)

    def opened_since(self, before: Hours) -> list[OpenedTime]:
        from frontdesk.services.worklists import waitlist

        return waitlist.opened_since(self.ctx, before)

    def opened_matches(self, opened: list[OpenedTime], *,
                       audit: bool = True) -> list[Match]:
        """Who on the waitlist the time the hours editor opened suits, best first."""
        from frontdesk.services.worklists import waitlist

        return waitlist.match_opened(self.ctx, by=self._acting(), opened=opened,
                                     audit=audit)

    def waitlist_slots(self, entry_id: int) -> list[Match]:
        """Open times that suit the entry now, soonest first."""
        from frontdesk.services.worklists import waitlist

        return waitlist.slots_for(self.ctx, by=self._acting(), entry_id=entry_id)

    def add_to_waitlist(self, wish: Wish) -> Outcome:
        from frontdesk.services.worklists import waitlist

        def write() -> str:
            added = waitlist.add(
                self.ctx, staff=self._acting(), patient_id=wish.patient_id,
                visit_type=wish.visit_type, appointment_id=wish.appointment_id,
                region=wish.region, levels=wish.levels, side=wish.side,
                location_ids=wish.location_ids, weekdays=wish.weekdays,
                earliest=wish.earliest, latest=wish.latest, until=wish.until, note=wish.note)
            verb = "Waitlist entry updated" if added.updated else "On the waitlist"
            return f"{verb}: {added.entry.wants_text}."

        return self._waitlist_write(write, "Not added to the waitlist")

    def record_offer(self, match: Match, outcome: OfferOutcome) -> Outcome:
        from frontdesk.services.worklists import waitlist

        def write() -> str:
            waitlist.record_offer(self.ctx, staff=self._acting(), entry_id=match.entry.id,
                                  outcome=outcome, start=match.start,
                                  provider_id=match.provider_id,
                                  location_id=match.location_id)
            return f"Offer recorded: {outcome.label}; they stay on the waitlist."

        return self._waitlist_write(write, "The offer was not recorded")

    def remove_from_waitlist(self, entry: WaitlistView, reason: str) -> Outcome:
        from frontdesk.services.worklists import waitlist

        def write() -> str:
            waitlist.remove(self.ctx, staff=self._acting(), entry_id=entry.id, reason=reason,
                            expected_version=entry.version)
            return "Taken off the waitlist."

        return self._waitlist_write(write, "Not removed")

    def _waitlist_write(self, write: Callable[[], str], failed: str) -> Outcome:
        try:
            return Outcome(write(), changed=True)
        except InvalidInput as exc:
            return Outcome(f"{failed}: {exc.message}.", "warning")
        except Busy:
            return Outcome("The database is busy; nothing was changed. Try again.", "error")
        except FrontDeskError as exc:  # a role that may not do it
            return Outcome(f"{failed}: {exc}.", "error")

