"""A call's reads and writes: the draft, the pathway's advice, offered times, holding and
booking for the caller, the read-back, relief reports and callbacks, a new patient."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from frontdesk.domain.calls import CallOutcome, CallReason
from frontdesk.domain.model import ProviderKind
from frontdesk.domain.pathway import Recommendation, answers_from
from frontdesk.services import directory
from frontdesk.ui.backend.core import BackendCore

if TYPE_CHECKING:  # a call's services load when the first call needs them, not at start
    from frontdesk.domain.payers import PayerOf, PayerPlan
    from frontdesk.services.callbacks import CallbackView, ReliefView
    from frontdesk.services.calls import CallView
    from frontdesk.services.nearest import Distances, Order
    from frontdesk.services.pathway import RegionCounts
    from frontdesk.services.readback import ReadBack
    from frontdesk.services.record import CallerRecord
    from frontdesk.services.views import AppointmentView, PatientSaved, PatientView, SlotView


@cache
def patient_changes() -> frozenset[str]:
    """The details a patient's edit takes (the names of ``PatientChanges``' fields)."""
    from frontdesk.services.patients import checks

    return frozenset(checks.PatientChanges.__dataclass_fields__)


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
    override_password: str | None = field(default=None, repr=False)  # theirs, when not yours
    physician_review: bool = False  # the pathway routes it to physician review
    ordered_by_physician: bool = False  # said so, for a first visit other than the evaluation
    accept_warnings: tuple[str, ...] = ()  # the warnings the receptionist read and accepts


@dataclass(frozen=True)
class Signed:
    """Who signs for payer rules a change breaks (their password when not the person signed
    in), and why: what the override dialog hands back."""

    who: str
    why: str
    password: str | None = field(default=None, repr=False)


def _signed(override: Signed | None) -> dict[str, str | None]:
    if override is None:
        return {}
    return {"override_reason": override.why, "override_by": override.who,
            "override_password": override.password or None}


class CallDoor(BackendCore):
    """What the call screen and its panels ask of the services."""

    def open_calls(self) -> list[CallView]:
        from frontdesk.services import calls

        return [] if self.staff is None else calls.open_calls(self.ctx, staff=self.staff)

    def start_call(self) -> CallView:
        from frontdesk.services import calls

        return calls.start_call(self.ctx, staff=self._acting())

    def save_call(self, call: CallView, **changes: Any) -> CallView:
        """Save what changed on ``call`` (the version it holds); StaleCall if changed since."""
        from frontdesk.services import calls

        return calls.save_draft(self.ctx, staff=self._acting(), call_id=call.id,
                                expected_version=call.version, **changes)

    def finish_call(self, call: CallView, outcome: CallOutcome, note: str,
                    appointment_id: int | None = None, *,
                    callback: tuple[datetime, str] | None = None,
                    reached: bool = True) -> CallView:
        """Log the call; ``callback``: when to call back and what about, for that outcome;
        ``reached=False``: the patient this call called back did not answer (their callback
        stays open, due again)."""
        from frontdesk.services import calls

        due, about = callback if callback is not None else (None, "")
        return calls.finish_call(self.ctx, staff=self._acting(), call_id=call.id,
                                 expected_version=call.version, outcome=outcome, note=note,
                                 appointment_id=appointment_id, callback_due=due,
                                 callback_note=about, reached=reached)

    def recommend(self, patient_id: int, reason: CallReason | None,
                  answers: dict[str, Any], call_id: int | None = None) -> Advice:
        """The pathway's recommendation for the caller, with the region's session counts.
        ``call_id``: the call asking, whose stored report its answers stand for."""
        from frontdesk.services import pathway

        parsed = answers_from(answers, reason)
        advice = pathway.recommend_for(self.ctx, patient_id=patient_id, reason=reason,
                                       answers=parsed, call_id=call_id)
        region = parsed.region or parsed.pain_area
        counts = (pathway.region_counts(self.ctx, patient_id=patient_id, region=region,
                                        call_id=call_id)
                  if region is not None and reason in (CallReason.INJECTION_REPORT,
                                                       CallReason.ORDERED_VISIT) else [])
        return Advice(advice, tuple(counts))

    def call_offers(self, patient: PatientView, visit_type: str, *, limit: int = 8,
                    physician_review: bool = False, order: Order | None = None,
                    miles: Mapping[int, float] | None = None) -> list[SlotView]:
        """Free slots for the caller across every location, in ``order``: BEST (None) their
        preferred location first, the provider of their last procedure next, then the
        earliest; NEAREST by ``miles`` (location id → distance from the caller), then the
        soonest, a few at each location; SOONEST the earliest anywhere.
        ``physician_review``: with physicians only, unless the practice's settings let any
        clinician take it."""
        from frontdesk.services import pathway, scheduling
        from frontdesk.services.nearest import Order, nearest_slots

        who = None
        if physician_review and self.ctx.settings.booking.physician_review_by_physicians_only:
            who = {p.id for p in directory.providers(self.ctx)
                   if p.kind is ProviderKind.PHYSICIAN}
        if order is Order.SOONEST:
            return scheduling.find_slots(self.ctx, visit_type=visit_type, days=90, limit=limit,
                                         provider_ids=who)
        if order is Order.NEAREST and miles:  # then the locations of unknown distance
            return nearest_slots(self.ctx, visit_type=visit_type, miles=miles, limit=limit,
                                 places=[loc.id for loc in self.locations()],
                                 provider_ids=who)
        history = pathway.patient_history(self.ctx, patient.id)
        previous = sorted(history.sessions, key=lambda s: s.day)
        provider = previous[-1].provider_id if previous else None
        ranked = scheduling.find_slots(
            self.ctx, visit_type=visit_type, days=90, limit=limit, provider_ids=who,
            preferred_location_id=patient.preferred_location_id, previous_provider_id=provider)
        # The earliest anywhere too: a caller may drive further to be seen sooner.
        anywhere = scheduling.find_slots(self.ctx, visit_type=visit_type, days=90, limit=limit,
                                         provider_ids=who)
        seen = {(s.start, s.provider_id) for s in ranked}
        sooner = [s for s in anywhere if (s.start, s.provider_id) not in seen
                  and (not ranked or s.start < ranked[0].start)][: max(2, limit // 3)]
        return ranked[: limit - len(sooner)] + sooner

    def distances(self, patient: PatientView) -> Distances:
        """How far the caller lives from each location (loads the ZIP table the first time:
        call it in a worker)."""
        from frontdesk.services.nearest import distances

        return distances(patient.zip, self.locations())

    def hold(self, patient: PatientView, slot: SlotView, booking: CallBooking) -> AppointmentView:
        """Hold ``slot`` for the caller (SlotTaken with alternatives, PayerRulesBroken, …)."""
        from frontdesk.services import scheduling

        return scheduling.book(
            self.ctx, staff=self._acting(), patient_id=patient.id, visit_type=booking.visit_type,
            provider_id=slot.provider_id, location_id=slot.location_id, start=slot.start,
            room_id=slot.room_id, region=booking.region, levels=booking.levels,
            side=booking.side, hold=True, override_reason=booking.override_reason,
            override_by=booking.override_by, override_password=booking.override_password,
            physician_review=booking.physician_review,
            ordered_by_physician=booking.ordered_by_physician,
            accept_warnings=booking.accept_warnings)

    def confirm_hold(self, appt: AppointmentView,
                     accept_warnings: tuple[str, ...] = ()) -> AppointmentView:
        from frontdesk.services import scheduling

        return scheduling.confirm_hold(self.ctx, staff=self._acting(), appointment_id=appt.id,
                                       accept_warnings=accept_warnings)

    def release_hold(self, appt: AppointmentView) -> AppointmentView:
        from frontdesk.services import scheduling

        return scheduling.release_hold(self.ctx, staff=self._acting(), appointment_id=appt.id)

    def read_back(self, appointment_id: int, *, moved: bool = False) -> ReadBack:
        from frontdesk.services import readback

        return readback.read_back(self.ctx, appointment_id, moved=moved)

    def caller_record(self, patient_id: int, call_id: int | None = None) -> CallerRecord:
        """What the practice knows about the caller, at a glance; the reading is audited
        (``patient.open``) under the person signed in, naming the call."""
        from frontdesk.services import record

        return record.caller_record(self.ctx, by=self._acting(), patient_id=patient_id,
                                    call_id=call_id)

    def upcoming(self, patient_id: int) -> list[AppointmentView]:
        from frontdesk.services import scheduling

        return scheduling.upcoming_for(self.ctx, patient_id)

    def record_relief(self, call: CallView, answers: dict[str, Any]) -> ReliefView | None:
        """Store the caller's relief report (once per call; saving again corrects it)."""
        from frontdesk.services import callbacks

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
        from frontdesk.services import callbacks

        return callbacks.callbacks_due(self.ctx)

    def retry_callback(self, callback: CallbackView, hours: int = 2) -> CallbackView:
        from frontdesk.services import callbacks

        return callbacks.set_callback(self.ctx, staff=self._acting(), callback_id=callback.id,
                                      status="open", note="no answer", retry_hours=hours)

    def callers(self, number: str) -> tuple[PatientView, ...]:
        """The patients on file with this phone or mobile (the caller pop): at most one more
        than ``MAX_CALLERS``, so that "more than that" can be said."""
        from frontdesk.services.pop.callers import MAX_CALLERS, callers_by_phone

        return callers_by_phone(self.ctx, number, staff=self._acting(), limit=MAX_CALLERS + 1)

    def add_patient(self, *, name: str, dob: date, phone: str, location: str | None,
                    payer: str | None, member_id: str | None = None,
                    confirmed_new: bool = False, **details: Any) -> PatientView:
        """Add the caller; PossibleDuplicates (with the candidates) when they may be on file
        already, unless ``confirmed_new``. ``details``: mobile, sms_consent, email,
        email_consent, address, city, state, zip, alerts, alert_note."""
        return directory.add_patient(self.ctx, staff=self._acting(), name=name, dob=dob,
                                     phone=phone, location=location, payer=payer,
                                     member_id=member_id, confirmed_new=confirmed_new,
                                     **details)

    def check_patient(self, *, payer_required: bool = False,
                      **details: Any) -> list[tuple[str, str]]:
        """Every problem of the details given (as a new patient's or an edit's), without
        saving anything."""
        from frontdesk.services.patients import checks

        given = {k: v for k, v in details.items() if k in patient_changes()}
        return checks.check_changes(self.ctx, checks.PatientChanges(**given),
                                    payer_required=payer_required)[1]

    def edit_patient(self, *, patient_id: int, version: int, override: Signed | None = None,
                     **changes: Any) -> PatientSaved:
        """Change the details given, against the version the person saw (StalePatient when
        it changed meanwhile; InvalidDetails lists every bad detail; BrokenPlan when a new
        payer breaks upcoming procedures and nobody signed for them with ``override``)."""
        from frontdesk.services.patients import edit

        signed = _signed(override)
        return edit.edit_patient(self.ctx, staff=self._acting(), patient_id=patient_id,
                                 version=version, override_reason=signed.get("override_reason"),
                                 override_by=signed.get("override_by"),
                                 override_password=signed.get("override_password"), **changes)

    def payer_label(self, patient: PatientView) -> str:
        """The patient's plan, or their payer text marked "not recognised" (no database)."""
        from frontdesk.services import payers

        return payers.payer_label(self.ctx, patient)

    def payer_of(self, patient: PatientView) -> PayerOf:
        """The patient's plan and its rule set, or not recognised (no database)."""
        return self.ctx.settings.catalogue.resolve(patient.payer_key, patient.payer)

    def set_payer(self, *, patient_id: int, payer: str, member_id: str | None,
                  version: int | None = None, seen_member_id: str | None = None,
                  override: Signed | None = None) -> PatientSaved:
        """The patient's plan (and member id, written only when it differs from the one the
        form showed, ``seen_member_id``) against the record as seen at ``version``
        (StalePatient when it changed meanwhile); BrokenPlan when the plan breaks upcoming
        procedures and nobody signed for them with ``override``."""
        from frontdesk.services import payers

        return payers.set_payer(self.ctx, staff=self._acting(), patient_id=patient_id,
                                payer=payer, member_id=member_id, version=version,
                                seen_member_id=seen_member_id, **_signed(override))

    def payer_plans(self, text: str) -> list[PayerPlan]:
        """The payer list's plans ``text`` names or nearly names, best first (no database)."""
        from frontdesk.services import payers

        return payers.search(self.ctx, text, limit=4)
