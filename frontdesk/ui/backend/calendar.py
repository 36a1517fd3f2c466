"""The calendar's reads and writes: a day's board and grid, one visit with its history, free
times to move it to, what fits a free cell, and applying a change against the version the
screen showed."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from frontdesk.domain.pathway import PayerCheck
from frontdesk.services import attention, directory, history, pathway, scheduling
from frontdesk.services.calendar import day_grid
from frontdesk.services.errors import (
    Busy,
    FrontDeskError,
    InvalidInput,
    SlotTaken,
    StaleAppointment,
)
from frontdesk.services.views import AppointmentView, PatientView, SlotView, VisitTypeView
from frontdesk.ui.backend.boards import DayBoard, GridBoard
from frontdesk.ui.backend.changes import DONE, Ask, Change, Move, NewBooking, Outcome
from frontdesk.ui.backend.core import BackendCore
from frontdesk.ui.text import slot_text, when_text

if TYPE_CHECKING:
    from frontdesk.services.nearest import Order


class CalendarDoor(BackendCore):
    """What the board, the day view and the visit dialogs ask of the services."""

    def load_day(self, day: date, location_id: int | None) -> DayBoard:
        places = tuple(directory.locations(self.ctx))
        wanted = None if location_id is None else [location_id]
        appts = scheduling.appointments_on(self.ctx, day=day, location_ids=wanted)
        ahead = None
        if not any(a.status in scheduling.VISITS for a in appts):  # a weekend, a holiday
            ahead = scheduling.next_visit_day(self.ctx, after=day, location_ids=wanted)
        return DayBoard(day, location_id, places, tuple(appts),
                        attention.visit_marks(self.ctx, appts), ahead)

    def load_grid(self, day: date, location_id: int | None) -> GridBoard:
        """The day view's grid at ``location_id``, or at the first location when it is None
        or gone."""
        places = tuple(directory.locations(self.ctx))
        ids = [p.id for p in places]
        chosen = location_id if location_id in ids else (ids[0] if ids else None)
        grid = None if chosen is None else day_grid(self.ctx, day=day, location_id=chosen)
        marks = attention.visit_marks(self.ctx, grid.appointments) if grid else {}
        return GridBoard(day, chosen, places, grid, marks)

    def needs_attention(self, location_id: int | None) -> list[attention.Item]:
        """What a scheduler must look at, at ``location_id`` (None: everywhere)."""
        return attention.needs_attention(self.ctx, by=self._acting(), location_id=location_id)

    def extend_hold(self, appt: AppointmentView) -> Outcome:
        """Keep a hold about to lapse for another hold time; how it went, in words."""

        def said(done: AppointmentView) -> str:
            until = done.hold_expires_at
            end = f" until {until.astimezone(done.local_start.tzinfo):%H:%M}" if until else ""
            return f"Hold on {when_text(done)} kept{end}."

        return self._on_hold(scheduling.extend_hold, appt, said, "kept")

    def release(self, appt: AppointmentView) -> Outcome:
        """Let a hold go now: its time is free for others."""
        return self._on_hold(scheduling.release_hold, appt,
                             lambda d: f"Hold on {when_text(d)} released: the time is free.",
                             "released")

    def _on_hold(self, write: Callable[..., AppointmentView], appt: AppointmentView,
                 said: Callable[[AppointmentView], str], verb: str) -> Outcome:
        try:
            done = write(self.ctx, staff=self._acting(), appointment_id=appt.id)
        except InvalidInput as exc:
            return Outcome(f"The hold was not {verb}: {exc.message}.", "warning")
        except Busy:
            return Outcome("The database is busy; nothing was changed. Try again.", "error")
        except FrontDeskError as exc:  # a role that may not do it
            return Outcome(f"The hold was not {verb}: {exc}.", "error")
        return Outcome(said(done), changed=True)

    def details(self, appointment_id: int) -> tuple[AppointmentView, list[history.HistoryEntry]]:
        """The appointment as it is now and its history of changes."""
        return (scheduling.get_appointment(self.ctx, appointment_id),
                history.history(self.ctx, appointment_id))

    def open_record(self, appointment_id: int
                    ) -> tuple[AppointmentView, list[history.HistoryEntry], PatientView | None]:
        """:meth:`details` and the patient (for the phone and the date of birth: the details
        screen shows the patient): the opening is audited (``patient.open``) under the person
        signed in. The patient is None when their record cannot be read (merged away) — and
        when nobody is signed in: a read of patient details nobody answers for is not made."""
        if self.staff is None:
            return (*self.details(appointment_id), None)
        directory.record_opened(self.ctx, staff=self.staff, appointment_id=appointment_id)
        appt, entries = self.details(appointment_id)
        try:
            patient: PatientView | None = directory.get_patient(self.ctx, appt.patient_id)
        except FrontDeskError:
            patient = None
        return appt, entries, patient

    def is_late_cancel(self, appt: AppointmentView) -> bool:
        """Cancelling now would count as late (the same rule the cancel service applies)."""
        window = timedelta(hours=self.ctx.settings.booking.late_cancel_hours)
        return appt.start - self.ctx.now() < window

    def late_cancel_hours(self) -> int:
        return self.ctx.settings.booking.late_cancel_hours

    def offers(self, appt: AppointmentView, *, limit: int = 12, order: Order | None = None,
               miles: Mapping[int, float] | None = None) -> list[SlotView]:
        """Free slots to move ``appt`` to, in ``order``: BEST (None) its own location and
        provider first, then the earliest; NEAREST searched location by location, the nearest
        to the patient first (``miles``: location id → distance), then those of unknown
        distance; SOONEST the earliest anywhere."""
        from frontdesk.services.nearest import Order, nearest_slots

        code = appt.visit_type_code
        if order is Order.NEAREST and miles:
            return nearest_slots(self.ctx, visit_type=code, miles=miles, limit=limit,
                                 places=[loc.id for loc in self.locations()])
        if order is Order.SOONEST:
            return scheduling.find_slots(self.ctx, visit_type=code, days=90, limit=limit)
        return scheduling.find_slots(
            self.ctx, visit_type=code, days=90, limit=limit,
            preferred_location_id=appt.location_id, previous_provider_id=appt.provider_id)

    def fitting(self, provider_id: int, location_id: int, start: datetime
                ) -> tuple[list[VisitTypeView], str]:
        """The visit types that could be booked there now, or why none can."""
        fit = scheduling.fitting_visit_types(self.ctx, provider_id=provider_id,
                                             location_id=location_id, start=start)
        codes = set(fit.visit_codes)
        return [v for v in directory.visit_types(self.ctx) if v.code in codes], fit.reason

    def payer_checks(self, patient_id: int, visit_type: str, start: datetime, *,
                     region: str | None, levels: str | None) -> list[PayerCheck]:
        """What each of the patient's payers says about this visit at ``start`` (as the call
        shows it)."""
        return pathway.payer_checks(self.ctx, patient_id=patient_id, visit_type=visit_type,
                                    region=region, levels=levels, start=start)

    def apply(self, change: Change) -> Outcome:
        """Carry out ``change`` (against the version the row showed); say how it went — by
        the visit's time, never the patient's name (a notification is no place for it). When
        the booking checks need an answer first, the outcome's ``ask`` says which."""
        from frontdesk.services.accounts import AccountLocked, SignInRefused
        from frontdesk.services.errors import NotAllowed
        from frontdesk.services.pathway import PayerRulesBroken
        from frontdesk.services.scheduling import BookingNeedsConfirmation, FirstVisitRefused

        if self.staff is None:
            return Outcome("Nobody to act as: add an active receptionist or scheduler first.",
                           "error")
        said = change.said if isinstance(change, (Move, NewBooking)) else None
        try:
            return self._apply(change, self.staff)
        except BookingNeedsConfirmation as exc:
            return Outcome("Not booked yet: read the warnings first.", "warning",
                           ask=Ask("warnings", "\n".join(w.text for w in exc.warnings),
                                   exc.codes))
        except FirstVisitRefused as exc:
            return Outcome("Not booked yet: this would be the patient's first visit.",
                           "warning", ask=Ask("first-visit", exc.message))
        except PayerRulesBroken as exc:
            problems = "\n".join(f"{c.payer}: {p.text}" for c in exc.checks for p in c.problems)
            return Outcome("Not booked yet: a payer rule refuses it.", "warning",
                           ask=Ask("payer", problems))
        except (SignInRefused, AccountLocked, NotAllowed) as exc:
            if said is None or not said.override_reason:
                return Outcome(f"Could not change the visit: {exc}.", "error")
            why = ("wrong username or password" if isinstance(exc, SignInRefused)
                   else str(exc))
            return Outcome(f"Not booked: the override was not accepted ({why}).", "warning",
                           ask=Ask("payer", "", error=f"Not authorised: {why}."))
        except InvalidInput as exc:
            if said is not None and exc.field in ("region", "levels", "side"):
                return Outcome(f"Not booked yet: {exc.message}.", "warning",
                               ask=Ask("details", exc.message))
            if exc.field == "start":  # the time itself: outside hours, a closure, the notice
                return Outcome(f"That time does not fit: it {exc.message}; nothing was "
                               "changed.", "error")
            return Outcome(f"Could not change the visit: {exc.message}.", "error")
        except StaleAppointment as exc:
            return Outcome("The visit was changed by someone else meanwhile (now "
                           f"{exc.current.status.label}, {when_text(exc.current)}); nothing "
                           "was changed. The calendar shows the fresh state; look again before "
                           "acting.", "warning", stale=True)
        except SlotTaken as exc:
            others = "; ".join(slot_text(s) for s in exc.alternatives[:3])
            why = (f"That time does not fit: {exc.reason}; nothing was changed." if exc.reason
                   else "That time was just taken; nothing was changed.")
            return Outcome(why + (f" Next free: {others}." if others else ""), "warning")
        except Busy:
            return Outcome("The database is busy; nothing was changed. Try again.", "error")
        except FrontDeskError as exc:  # a payer rule, a role that may not do it
            return Outcome(f"Could not change the visit: {exc}.", "error")

    def _apply(self, change: Change, staff: str) -> Outcome:
        if isinstance(change, (Move, NewBooking)) and change.waitlist_id is not None:
            return self._accept_offer(change, change.waitlist_id, staff)
        if isinstance(change, Move):
            said = change.said
            done = scheduling.reschedule(
                self.ctx, staff=staff, appointment_id=change.appointment_id, start=change.start,
                provider_id=change.provider_id, location_id=change.location_id,
                expected_version=change.expected_version,
                ordered_by_physician=said.ordered_by_physician,
                accept_warnings=said.accept_warnings, override_reason=said.override_reason,
                override_by=said.override_by, override_password=said.override_password,
                region=said.region, levels=said.levels, side=said.side)
            return Outcome(f"Moved the visit to {when_text(done)} with {done.provider_name} at "
                           f"{done.location_name}.", changed=True, appointment_id=done.id)
        if isinstance(change, NewBooking):
            said = change.said
            done = scheduling.book(
                self.ctx, staff=staff, patient_id=change.patient_id,
                visit_type=change.visit_type, provider_id=change.provider_id,
                location_id=change.location_id, start=change.start, region=said.region,
                levels=said.levels, side=said.side,
                ordered_by_physician=said.ordered_by_physician,
                accept_warnings=said.accept_warnings, override_reason=said.override_reason,
                override_by=said.override_by, override_password=said.override_password)
            return Outcome(f"Booked: {done.visit_type_name}, {when_text(done)} with "
                           f"{done.provider_name}, {done.room_name}.", changed=True,
                           appointment_id=done.id)
        if change.status is None:
            done = scheduling.cancel(
                self.ctx, staff=staff, appointment_id=change.appointment_id,
                reason=change.reason, expected_version=change.expected_version)
        else:
            done = scheduling.set_status(
                self.ctx, staff=staff, appointment_id=change.appointment_id,
                status=change.status, expected_version=change.expected_version)
        late = " (late cancel)" if done.late_cancel and change.status is None else ""
        return Outcome(f"{DONE[change.target]}: {when_text(done)}{late}.", changed=True)

    def _accept_offer(self, change: Move | NewBooking, entry_id: int, staff: str) -> Outcome:
        """A waitlist offer accepted: booked (or the held visit moved) through the booking
        path, the entry closed in the same transaction."""
        from frontdesk.services.worklists import waitlist

        said = change.said
        done = waitlist.accept(
            self.ctx, staff=staff, entry_id=entry_id, start=change.start,
            provider_id=change.provider_id, location_id=change.location_id,
            expected_version=change.waitlist_version,
            held_version=change.expected_version if isinstance(change, Move) else None,
            refill=change.waitlist_refill,
            region=said.region, levels=said.levels, side=said.side,
            ordered_by_physician=said.ordered_by_physician,
            accept_warnings=said.accept_warnings, override_reason=said.override_reason,
            override_by=said.override_by, override_password=said.override_password)
        verb = "Moved earlier" if isinstance(change, Move) else "Booked"
        return Outcome(f"{verb} from the waitlist: {done.visit_type_name}, {when_text(done)} "
                       f"with {done.provider_name} at {done.location_name}.", changed=True,
                       appointment_id=done.id)
