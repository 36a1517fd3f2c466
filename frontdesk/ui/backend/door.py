"""The UI's one door to the services. Imported only inside workers (see ``app.py``), so the
first paint never waits for SQLAlchemy or Alembic to load.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from frontdesk.domain.calls import CallOutcome, CallReason
from frontdesk.domain.model import Role
from frontdesk.domain.pathway import Recommendation, answers_from
from frontdesk.domain.permissions import Permission, allowed
from frontdesk.domain.settings import Settings
from frontdesk.services import (
    accounts,
    audit,
    callbacks,
    calls,
    directory,
    history,
    paths,
    pathway,
    readback,
    report,
    scheduling,
)
from frontdesk.services.audit import AuditLine
from frontdesk.services.calendar import day_grid
from frontdesk.services.callbacks import CallbackView, ReliefView
from frontdesk.services.calls import CallView
from frontdesk.services.config import LoadedSettings, load_settings
from frontdesk.services.context import Context, open_context, system_clock
from frontdesk.services.errors import (
    Busy,
    FrontDeskError,
    InvalidInput,
    SlotTaken,
    StaleAppointment,
    first_line,
    redact,
)
from frontdesk.services.pathway import RegionCounts
from frontdesk.services.readback import ReadBack
from frontdesk.services.report import DailyReport, DrillTable, Figure
from frontdesk.services.treatments import Library, load_library
from frontdesk.services.views import (
    AppointmentView,
    LocationView,
    PatientView,
    SlotView,
    StaffView,
    VisitTypeView,
)
from frontdesk.ui.calendar.board.layout import DayBoard
from frontdesk.ui.calendar.day.layout import GridBoard
from frontdesk.ui.visit.changes import (
    DONE,
    Change,
    Move,
    NewBooking,
    Outcome,
    slot_text,
    when_text,
)

PRACTICE_ZONE = "America/Chicago"  # every location is on Central time (DESIGN §1)
ACTING_ROLES = (Role.RECEPTIONIST, Role.SCHEDULER)
EXTENSIONS = {"csv": "csv", "html": "html", "json": "json", "text": "txt"}


@dataclass(frozen=True)
class Advice:
    recommendation: Recommendation
    counts: tuple[RegionCounts, ...]


@dataclass(frozen=True)
class CallBooking:
    """What the call books: the visit type and, for procedures, where on the spine."""

    visit_type: str
    region: str | None = None
    levels: str | None = None
    side: str | None = None
    override_reason: str | None = None
    override_by: str | None = None  # username of the scheduler or manager who authorises it


@dataclass(frozen=True)
class Backend:
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

    @classmethod
    def create(cls, ctx: Context, *, owned: bool = False, staff: str | None = None,
               sign_in: bool = False) -> Backend:
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

    # -- who is acting

    def sign_in(self, username: str, password: str) -> Backend:
        """The backend acting as ``username`` once the password checks out (SignInRefused or
        AccountLocked otherwise; both audited)."""
        return replace(self, person=accounts.sign_in(self.ctx, username=username,
                                                     password=password))

    def may(self, permission: Permission) -> bool:
        """Whether the person signed in holds ``permission`` (the services decide for real;
        the screens ask this to grey out what would only be refused)."""
        return self.person is not None and allowed(self.person.role, permission)

    def anyone_can_sign_in(self) -> bool:
        return accounts.anyone_can_sign_in(self.ctx)

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

    def via_ssh(self) -> Backend | None:
        """Signed in by the SSH login when settings map this OS user to a staff member."""
        person = accounts.os_user_staff(self.ctx, os_user=getpass.getuser(),
                                        environ=os.environ)
        return None if person is None else replace(self, person=person)

    @property
    def idle_minutes(self) -> int:
        return self.ctx.settings.signin.idle_minutes

    def today(self) -> date:
        return self.ctx.now().astimezone(ZoneInfo(self.zone)).date()

    def load_day(self, day: date, location_id: int | None) -> DayBoard:
        places = tuple(directory.locations(self.ctx))
        wanted = None if location_id is None else [location_id]
        appts = scheduling.appointments_on(self.ctx, day=day, location_ids=wanted)
        return DayBoard(day, location_id, places, tuple(appts))

    def load_grid(self, day: date, location_id: int | None) -> GridBoard:
        """The day view's grid at ``location_id``, or at the first location when it is None
        or gone."""
        places = tuple(directory.locations(self.ctx))
        ids = [p.id for p in places]
        chosen = location_id if location_id in ids else (ids[0] if ids else None)
        grid = None if chosen is None else day_grid(self.ctx, day=day, location_id=chosen)
        return GridBoard(day, chosen, places, grid)

    def visit_types(self) -> tuple[VisitTypeView, ...]:
        return tuple(directory.visit_types(self.ctx))

    def details(self, appointment_id: int) -> tuple[AppointmentView, list[history.HistoryEntry]]:
        """The appointment as it is now and its history of changes."""
        return (scheduling.get_appointment(self.ctx, appointment_id),
                history.history(self.ctx, appointment_id))

    def open_record(self, appointment_id: int
                    ) -> tuple[AppointmentView, list[history.HistoryEntry]]:
        """:meth:`details` for the details screen, which shows the patient: the opening is
        audited (``patient.open``) under the person signed in."""
        if self.staff is not None:
            directory.record_opened(self.ctx, staff=self.staff, appointment_id=appointment_id)
        return self.details(appointment_id)

    def is_late_cancel(self, appt: AppointmentView) -> bool:
        """Cancelling now would count as late (the same rule the cancel service applies)."""
        window = timedelta(hours=self.ctx.settings.booking.late_cancel_hours)
        return appt.start - self.ctx.now() < window

    def late_cancel_hours(self) -> int:
        return self.ctx.settings.booking.late_cancel_hours

    def offers(self, appt: AppointmentView, *, limit: int = 12) -> list[SlotView]:
        """Free slots to move ``appt`` to: its own location and provider first, then earliest."""
        return scheduling.find_slots(
            self.ctx, visit_type=appt.visit_type_code, days=90, limit=limit,
            preferred_location_id=appt.location_id, previous_provider_id=appt.provider_id)

    def fitting(self, provider_id: int, location_id: int, start: datetime
                ) -> tuple[list[VisitTypeView], str]:
        """The visit types that could be booked there now, or why none can."""
        fit = scheduling.fitting_visit_types(self.ctx, provider_id=provider_id,
                                             location_id=location_id, start=start)
        codes = set(fit.visit_codes)
        return [v for v in directory.visit_types(self.ctx) if v.code in codes], fit.reason

    # ------------------------------------------------------------------ calls

    def open_calls(self) -> list[CallView]:
        return [] if self.staff is None else calls.open_calls(self.ctx, staff=self.staff)

    def start_call(self) -> CallView:
        return calls.start_call(self.ctx, staff=self._acting())

    def save_call(self, call: CallView, **changes: Any) -> CallView:
        """Save what changed on ``call`` (the version it holds); StaleCall if changed since."""
        return calls.save_draft(self.ctx, staff=self._acting(), call_id=call.id,
                                expected_version=call.version, **changes)

    def finish_call(self, call: CallView, outcome: CallOutcome, note: str,
                    appointment_id: int | None = None) -> CallView:
        return calls.finish_call(self.ctx, staff=self._acting(), call_id=call.id,
                                 expected_version=call.version, outcome=outcome, note=note,
                                 appointment_id=appointment_id)

    def patient(self, patient_id: int) -> PatientView:
        return directory.get_patient(self.ctx, patient_id)

    # ------------------------------------------------------------------ the pathway

    def recommend(self, patient_id: int, reason: CallReason | None,
                  answers: dict[str, Any]) -> Advice:
        """The pathway's recommendation for the caller, with the region's session counts."""
        parsed = answers_from(answers, reason)
        advice = pathway.recommend_for(self.ctx, patient_id=patient_id, reason=reason,
                                       answers=parsed)
        region = parsed.region or parsed.pain_area
        counts = (pathway.region_counts(self.ctx, patient_id=patient_id, region=region)
                  if region is not None and reason in (CallReason.INJECTION_REPORT,
                                                       CallReason.ORDERED_VISIT) else [])
        return Advice(advice, tuple(counts))

    def call_offers(self, patient: PatientView, visit_type: str, *,
                    limit: int = 8) -> list[SlotView]:
        """Free slots for the caller across every location: their preferred location first,
        the provider of their last procedure next, then the earliest."""
        history = pathway.patient_history(self.ctx, patient.id)
        previous = sorted(history.sessions, key=lambda s: s.day)
        provider = previous[-1].provider_id if previous else None
        ranked = scheduling.find_slots(
            self.ctx, visit_type=visit_type, days=90, limit=limit,
            preferred_location_id=patient.preferred_location_id, previous_provider_id=provider)
        # The earliest anywhere too: a caller may drive further to be seen sooner.
        anywhere = scheduling.find_slots(self.ctx, visit_type=visit_type, days=90, limit=limit)
        seen = {(s.start, s.provider_id) for s in ranked}
        sooner = [s for s in anywhere if (s.start, s.provider_id) not in seen
                  and (not ranked or s.start < ranked[0].start)][: max(2, limit // 3)]
        return ranked[: limit - len(sooner)] + sooner

    def hold(self, patient: PatientView, slot: SlotView, booking: CallBooking) -> AppointmentView:
        """Hold ``slot`` for the caller (SlotTaken with alternatives, PayerRulesBroken, …)."""
        return scheduling.book(
            self.ctx, staff=self._acting(), patient_id=patient.id, visit_type=booking.visit_type,
            provider_id=slot.provider_id, location_id=slot.location_id, start=slot.start,
            room_id=slot.room_id, region=booking.region, levels=booking.levels,
            side=booking.side, hold=True, override_reason=booking.override_reason,
            override_by=booking.override_by)

    def confirm_hold(self, appt: AppointmentView) -> AppointmentView:
        return scheduling.confirm_hold(self.ctx, staff=self._acting(), appointment_id=appt.id)

    def release_hold(self, appt: AppointmentView) -> AppointmentView:
        return scheduling.release_hold(self.ctx, staff=self._acting(), appointment_id=appt.id)

    def treatments(self) -> Library:
        """The approved treatment answers, with the practice's overrides read afresh."""
        return load_library()

    AUDIT_LIMIT = 500

    def audit(self, since: date, *, staff: str | None, patient_id: int | None,
              action: str | None) -> list[AuditLine]:
        """The audit log from the start of ``since`` (practice time), newest first."""
        start = datetime.combine(since, time(), ZoneInfo(self.zone))
        return audit.audit_events(self.ctx, by=self._acting(), since=start, staff=staff,
                                  patient_id=patient_id, action=action, limit=self.AUDIT_LIMIT)

    def daily_report(self, day: date, location: str | None) -> DailyReport:
        return report.daily_report(self.ctx, by=self._acting(), day=day, location=location)

    def drill(self, figure: Figure) -> DrillTable:
        return report.drill(self.ctx, figure, by=self._acting())

    def export_report(self, summary: DailyReport, kind: str) -> Path:
        """Write ``summary`` as ``kind`` (csv, html, json, text) under the data directory's
        ``reports`` folder, readable by its owner only; returns the file."""
        from frontdesk.services import report_export

        render = {"csv": report_export.to_csv, "html": report_export.to_html,
                  "json": report_export.to_json, "text": report_export.to_text}[kind]
        folder = paths.data_dir() / "reports"
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        place = "" if summary.location is None else "-" + "-".join(
            summary.location.lower().split())
        target = folder / f"daily-{summary.day.isoformat()}{place}.{EXTENSIONS[kind]}"
        report_export.write_owner_only(target, render(summary))
        return target

    def practice_phone(self) -> str:
        return directory.display_phone(self.ctx.settings.practice_phone)

    def upcoming(self, patient_id: int) -> list[AppointmentView]:
        return scheduling.upcoming_for(self.ctx, patient_id)

    def read_back(self, appointment_id: int) -> ReadBack:
        return readback.read_back(self.ctx, appointment_id)

    def record_relief(self, call: CallView, answers: dict[str, Any]) -> ReliefView | None:
        """Store the caller's relief report (once per call; saving again corrects it)."""
        if call.patient_id is None:
            return None
        parsed = answers_from(answers, call.reason)
        if parsed.procedure is None or parsed.percent_relief is None:
            return None
        raw = answers.get("callback_id")
        return callbacks.record_relief(
            self.ctx, staff=self._acting(), patient_id=call.patient_id, answers=parsed,
            call_id=call.id, callback_id=int(raw) if isinstance(raw, int) else None)

    def callbacks_due(self) -> list[CallbackView]:
        return callbacks.callbacks_due(self.ctx)

    def retry_callback(self, callback: CallbackView, hours: int = 2) -> CallbackView:
        return callbacks.set_callback(self.ctx, staff=self._acting(), callback_id=callback.id,
                                      status="open", note="no answer", retry_hours=hours)

    def add_patient(self, *, name: str, dob: date, phone: str, location: str | None,
                    payer: str | None) -> PatientView:
        return directory.add_patient(self.ctx, staff=self._acting(), name=name, dob=dob,
                                     phone=phone, location=location, payer=payer)

    def _acting(self) -> str:
        if self.staff is None:
            raise InvalidInput("as", "nobody to act as: add an active receptionist first")
        return self.staff

    def locations(self) -> tuple[LocationView, ...]:
        return tuple(directory.locations(self.ctx))

    def location_names(self) -> dict[int, str]:
        return {loc.id: loc.name for loc in directory.locations(self.ctx)}

    def find_patients(self, text: str) -> list[PatientView]:
        """Patients matching a phone number, a name or a date of birth ([] for too little)."""
        if len(text.strip()) < 2:
            return []
        try:
            return directory.find_patients(self.ctx, text, limit=12)
        except InvalidInput:
            return []

    def apply(self, change: Change) -> Outcome:
        """Carry out ``change`` (against the version the row showed); say how it went — by
        the visit's time, never the patient's name (a notification is no place for it)."""
        if self.staff is None:
            return Outcome("Nobody to act as: add an active receptionist or scheduler first.",
                           "error")
        try:
            return self._apply(change, self.staff)
        except StaleAppointment as exc:
            return Outcome("The visit was changed by someone else meanwhile (now "
                           f"{exc.current.status.label}, {when_text(exc.current)}); nothing "
                           "was changed. The calendar shows the fresh state; look again before "
                           "acting.", "warning")
        except SlotTaken as exc:
            others = "; ".join(slot_text(s) for s in exc.alternatives[:3])
            return Outcome("That time was just taken; nothing was changed."
                           + (f" Next free: {others}." if others else ""), "warning")
        except InvalidInput as exc:
            return Outcome(f"Could not change the visit: {exc.message}.", "error")
        except Busy:
            return Outcome("The database is busy; nothing was changed. Try again.", "error")
        except FrontDeskError as exc:  # a payer rule, a role that may not do it
            return Outcome(f"Could not change the visit: {exc}.", "error")

    def _apply(self, change: Change, staff: str) -> Outcome:
        if isinstance(change, Move):
            done = scheduling.reschedule(
                self.ctx, staff=staff, appointment_id=change.appointment_id, start=change.start,
                provider_id=change.provider_id, location_id=change.location_id,
                expected_version=change.expected_version)
            return Outcome(f"Moved the visit to {when_text(done)} with {done.provider_name} at "
                           f"{done.location_name}.", changed=True)
        if isinstance(change, NewBooking):
            done = scheduling.book(
                self.ctx, staff=staff, patient_id=change.patient_id,
                visit_type=change.visit_type, provider_id=change.provider_id,
                location_id=change.location_id, start=change.start)
            return Outcome(f"Booked: {done.visit_type_name}, {when_text(done)} with "
                           f"{done.provider_name}, {done.room_name}.", changed=True)
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

    def close(self) -> None:
        if self.owned:
            self.ctx.engine.dispose()


@dataclass(frozen=True)
class Opened:
    """The open backend and any settings problems — or, with no backend, why it failed."""

    backend: Backend | None
    problems: tuple[str, ...] = ()
    error: str = ""


def open_backend(
    db: str,
    *,
    demo: bool = False,
    clock: Callable[[], datetime] | None = None,
    settings: Settings | LoadedSettings | None = None,
    report: Callable[[str], object] = lambda _message: None,
    staff: str | None = None,
    sign_in: bool = False,
) -> Opened:
    """Open (and migrate) ``db``; on a demo database, seed the demo practice the first time.
    ``sign_in``: nobody acts until someone signs in (see :meth:`Backend.create`).

    Never raises for a database that cannot be opened: the reason comes back in plain words.
    """
    if isinstance(settings, LoadedSettings):
        loaded = settings
    else:
        loaded = LoadedSettings(settings, ()) if settings is not None else load_settings()
    try:
        ctx = open_context(db, settings=loaded.settings, clock=clock or system_clock)
    except Exception as exc:
        return Opened(None, loaded.problems, describe_failure(exc, db))
    try:
        if demo:
            _seed_demo_once(ctx, report)
        return Opened(Backend.create(ctx, owned=True, staff=staff, sign_in=sign_in),
                      loaded.problems)
    except Exception as exc:
        ctx.engine.dispose()
        return Opened(None, loaded.problems, describe_failure(exc, db))


def _seed_demo_once(ctx: Context, report: Callable[[str], object]) -> None:
    from frontdesk.services import demo as demo_practice  # only demo databases need it

    if not demo_practice.has_data(ctx):
        report("Setting up the demo practice…")
        today = ctx.now().astimezone(ZoneInfo(PRACTICE_ZONE)).date()
        demo_practice.seed_demo(ctx, today=today)


def describe_failure(exc: BaseException, db: str) -> str:
    """A plain sentence for an error opening ``db``: no traceback, no password."""
    return f"Cannot open the database {redact(db)}.\n{first_line(exc)}"
