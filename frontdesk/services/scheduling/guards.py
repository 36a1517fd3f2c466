"""The checks every booking and move passes, whichever screen or command asks: inside the
booking's transaction, after its locks, so two bookers cannot both slip past.

Refused outright (InvalidInput, naming the field): a procedure without its details (region and
side; a spine procedure also its levels, in that region); a first visit that is not the
new-patient evaluation, unless a physician ordered it and the booker says so; a visit that
overlaps another of the patient's; a physician-review visit with a provider who is not a
physician (unless the practice's settings allow it). Payer rules are checked beside these
(``services/pathway.enforce_payer_rules``). Warned (BookingNeedsConfirmation, until the booker
accepts each warning by its code): another visit the same day, a second procedure in a region
before the last one's relief report is on file, the same visit already booked ahead.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from frontdesk.db import queries as q
from frontdesk.db.models import (
    Appointment,
    AuditEvent,
    Location,
    Provider,
    ReliefReport,
    VisitType,
)
from frontdesk.domain.model import ProviderKind, Region, Status
from frontdesk.domain.pathway import NEW_PATIENT, AnswerError, Procedure, count_levels
from frontdesk.services.context import Context
from frontdesk.services.errors import FrontDeskError, InvalidInput

SAME_DAY, RELIEF_PENDING, DUPLICATE = "same-day", "relief-pending", "duplicate"
#: The warnings a booker may accept, by code (the CLI's --accept, the services'
#: ``accept_warnings``).
WARNING_CODES = (SAME_DAY, RELIEF_PENDING, DUPLICATE)
_SPINE = {p.value for p in Procedure}
_SEEN = (Status.BOOKED.value, Status.CONFIRMED.value, Status.CHECKED_IN.value,
         Status.COMPLETED.value)
_BLOCKING = (Status.HELD.value, *_SEEN)
_AHEAD = (Status.HELD.value, Status.BOOKED.value, Status.CONFIRMED.value)


@dataclass(frozen=True, slots=True)
class BookingWarning:
    code: str  # one of WARNING_CODES
    text: str


class BookingNeedsConfirmation(FrontDeskError):
    """The booking is allowed but the booker must see and accept ``warnings`` first (pass
    their codes as ``accept_warnings``); nothing was written."""

    def __init__(self, warnings: Iterable[BookingWarning]) -> None:
        self.warnings = tuple(warnings)
        codes = ", ".join(dict.fromkeys(w.code for w in self.warnings))
        super().__init__("; ".join(w.text for w in self.warnings)
                         + f" — to book it anyway, accept: {codes}")

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(w.code for w in self.warnings))


class FirstVisitRefused(InvalidInput):
    """A patient's first visit must be the new-patient evaluation unless a physician ordered
    otherwise (``ordered_by_physician=True``)."""


@dataclass(frozen=True, slots=True)
class Asked:
    """What the booker said with the booking: a physician ordered it, the pathway routes it to
    physician review, the warnings they accept."""

    ordered_by_physician: bool = False
    physician_review: bool = False
    accept_warnings: frozenset[str] = frozenset()

    @classmethod
    def of(cls, *, ordered_by_physician: bool, physician_review: bool,
           accept_warnings: Collection[str]) -> Asked:
        accepted = frozenset(a.strip().lower() for a in accept_warnings)
        unknown = sorted(accepted - set(WARNING_CODES))
        if unknown:
            raise InvalidInput("accept", f"{unknown[0][:40]!r} is not a warning; warnings are "
                                         + ", ".join(WARNING_CODES))
        return cls(ordered_by_physician, physician_review, accepted)

    def orders(self) -> Asked:
        """The physician's order and review alone: accepted warnings were about another
        time."""
        return Asked(self.ordered_by_physician, self.physician_review)

    def joined(self, earlier: Asked) -> Asked:
        """This booker's answers plus those given when the visit was booked (a move keeps the
        physician's order; a confirmed hold keeps what was accepted when it was held)."""
        return Asked(self.ordered_by_physician or earlier.ordered_by_physician,
                     self.physician_review or earlier.physician_review,
                     self.accept_warnings | earlier.accept_warnings)


@dataclass(frozen=True, slots=True)
class _Other:
    id: int
    code: str
    name: str
    status: str
    start: datetime
    end: datetime
    location_id: int
    place: str
    zone: ZoneInfo
    region: str | None


def refuse(session: Session, ctx: Context, *, appt: Appointment, vt: VisitType,
           asked: Asked, now: datetime) -> None:
    """Refuse what no one may book: raises InvalidInput (FirstVisitRefused) naming the field.
    Takes the patient's lock first (PostgreSQL)."""
    q.lock_patient(session, appt.patient_id)
    details(vt, appt.region, appt.levels, appt.side)
    others = _others(session, appt, now)
    _first_visit(vt, appt, others, asked)
    _overlapping(appt, others)
    _review(session, ctx, appt, asked)


def refusals(session: Session, ctx: Context, *, appt: Appointment, vt: VisitType,
             asked: Asked, now: datetime) -> list[InvalidInput]:
    """Every refusal :func:`refuse` would raise (it raises the first), in the same order: for
    a caller that keeps the visit and says why (an import of visits booked elsewhere)."""
    found: list[InvalidInput] = []
    others = _others(session, appt, now)
    checks: tuple[Callable[[], None], ...] = (
        lambda: details(vt, appt.region, appt.levels, appt.side),
        lambda: _first_visit(vt, appt, others, asked),
        lambda: _overlapping(appt, others),
        lambda: _review(session, ctx, appt, asked))
    for check in checks:
        try:
            check()
        except InvalidInput as exc:
            found.append(exc)
    return found


def _overlapping(appt: Appointment, others: list[_Other]) -> None:
    for other in others:
        if other.start < appt.ends_at and appt.starts_at < other.end:
            raise InvalidInput("start", f"the patient already has a {other.name.lower()} at "
                                        f"{_when(other.start, other.zone)} at {other.place}, "
                                        "overlapping this time")


def overlapping_visits(session: Session, *, patient_id: int, now: datetime) -> list[str]:
    """Each pair of the patient's visits not yet over that hold the same time (a lapsed hold
    does not), as a sentence naming both visits: what :func:`refuse` refuses for one booking,
    over all of them (after a merge joined two records' visits)."""
    rows = session.exec(
        select(Appointment, Location)
        .join(Location, col(Location.id) == Appointment.location_id)
        .where(Appointment.patient_id == patient_id)
        .where(col(Appointment.status).in_(_BLOCKING))
        .where(col(Appointment.ends_at) > now)
        .order_by(col(Appointment.starts_at), col(Appointment.id))).all()
    found = []
    for appt, place in rows:
        if appt.status == Status.HELD.value and not (
                appt.hold_expires_at is not None and appt.hold_expires_at > now):
            continue
        for other in _others(session, appt, now):
            if other.id > (appt.id or 0) and other.end > now \
                    and other.start < appt.ends_at and appt.starts_at < other.end:
                found.append(f"visit {appt.id} ({_when(appt.starts_at, ZoneInfo(place.timezone))}"
                             f" at {place.name}) overlaps visit {other.id} "
                             f"({_when(other.start, other.zone)} at {other.place})")
    return found


def _review(session: Session, ctx: Context, appt: Appointment, asked: Asked) -> None:
    if asked.physician_review and ctx.settings.booking.physician_review_by_physicians_only:
        provider = session.get(Provider, appt.provider_id)
        if provider is not None and provider.kind != ProviderKind.PHYSICIAN.value:
            raise InvalidInput("provider", "this visit goes to physician review: book it with "
                                           "a physician, not an APRN or PA")


def details(vt: VisitType, region: str | None, levels: str | None, side: str | None) -> None:
    """A procedure needs where: the region and side, and for a spine procedure the levels,
    which must be in that region."""
    if not vt.is_procedure:
        return
    what = f"a {vt.name.split(' (')[0].lower()}"
    if not region:
        raise InvalidInput("region", f"{what} needs the spinal region: cervical, thoracic or "
                                     "lumbar")
    if vt.code in _SPINE:
        if not levels:
            raise InvalidInput("levels", f"{what} needs the levels, e.g. L4-L5, L5-S1")
        try:
            count_levels(levels, Region(region))
        except (AnswerError, ValueError) as exc:
            reason = exc.reason if isinstance(exc, AnswerError) else "write them like L4-L5"
            raise InvalidInput("levels", reason) from None
    if not side:
        raise InvalidInput("side", f"{what} needs the side: left, right or bilateral")


def warn(session: Session, *, appt: Appointment, vt: VisitType, asked: Asked,
         now: datetime) -> tuple[str, ...]:
    """Raise BookingNeedsConfirmation for warnings not accepted; the codes of those accepted
    (for the booking's audit event)."""
    others = _others(session, appt, now)
    zone = _zone(session, appt.location_id)
    day = appt.starts_at.astimezone(zone).date()
    found: list[BookingWarning] = []
    for other in others:
        if other.start.astimezone(zone).date() == day:
            elsewhere = " (another location)" if other.location_id != appt.location_id else ""
            found.append(BookingWarning(SAME_DAY, (
                f"same day: the patient already has a {other.name.lower()} at "
                f"{_when(other.start, other.zone)} at {other.place}{elsewhere}")))
    if vt.code in _SPINE and appt.region:
        found += _relief_pending(session, appt, others)
    for other in others:
        if other.code == vt.code and other.status in _AHEAD and other.start > now:
            found.append(BookingWarning(DUPLICATE, (
                f"already booked: the patient has a {other.name.lower()} on "
                f"{_when(other.start, other.zone)} at {other.place}")))
    missing = [w for w in found if w.code not in asked.accept_warnings]
    if missing:
        raise BookingNeedsConfirmation(missing)
    return tuple(dict.fromkeys(w.code for w in found))


def audit_note(asked: Asked, accepted: tuple[str, ...]) -> dict[str, Any]:
    """What the booking's audit event adds: the physician's order, physician review and the
    warnings the booker accepted (nothing when none applies)."""
    note: dict[str, Any] = {}
    if asked.ordered_by_physician:
        note["ordered_by_physician"] = True
    if asked.physician_review:
        note["physician_review"] = True
    if accepted:
        note["accepted_warnings"] = list(accepted)
    return {"checks": note} if note else {}


def asked_when_booked(session: Session, appointment_id: int) -> Asked:
    """What was said when the visit was held or booked (from its audit events)."""
    events = session.exec(
        select(AuditEvent).where(AuditEvent.entity == "appointment")
        .where(AuditEvent.entity_id == appointment_id)
        .where(col(AuditEvent.action).in_(("appointment.book", "appointment.hold",
                                           "appointment.reschedule")))
    ).all()
    asked = Asked()
    for event in events:
        note = (event.after or {}).get("checks") or {}
        asked = asked.joined(Asked(bool(note.get("ordered_by_physician")),
                                   bool(note.get("physician_review")),
                                   frozenset(str(w) for w in
                                             note.get("accepted_warnings") or ())))
    return asked


# --------------------------------------------------------------------------- the parts


def _first_visit(vt: VisitType, appt: Appointment, others: list[_Other], asked: Asked) -> None:
    if vt.code == NEW_PATIENT or asked.ordered_by_physician:
        return
    if any(o.status in _SEEN and o.start < appt.starts_at for o in others):
        return
    evaluation = next((o for o in others if o.code == NEW_PATIENT and o.status in _SEEN), None)
    when = ("before the patient's new-patient evaluation on "
            f"{_when(evaluation.start, evaluation.zone)}" if evaluation is not None
            else "a first visit for this patient")
    raise FirstVisitRefused(
        "visit_type", f"this would be {when}: a first visit is the new-patient evaluation, "
                      "unless a physician ordered this visit (then say so: ordered by the "
                      "physician)")


def _relief_pending(session: Session, appt: Appointment,
                    others: list[_Other]) -> list[BookingWarning]:
    earlier = [o for o in others if o.code in _SPINE and o.region == appt.region
               and o.status in _SEEN and o.start <= appt.starts_at]
    if not earlier:
        return []
    last = max(earlier, key=lambda o: o.start)
    reported = session.exec(
        select(ReliefReport.id).where(ReliefReport.patient_id == appt.patient_id)
        .where((col(ReliefReport.appointment_id) == last.id)
               | ((col(ReliefReport.procedure) == last.code)
                  & (col(ReliefReport.region) == last.region)
                  & (col(ReliefReport.reported_at) >= last.start)))
    ).first()
    if reported is not None:
        return []
    return [BookingWarning(RELIEF_PENDING, (
        f"relief report pending: the {Procedure(last.code).noun} injection in the "
        f"{last.region} spine on {_when(last.start, last.zone)} has no relief report on file "
        "yet"))]


def _others(session: Session, appt: Appointment, now: datetime) -> list[_Other]:
    """The patient's other visits that hold their time (a lapsed hold does not)."""
    rows = session.exec(
        select(Appointment, VisitType.code, VisitType.name, Location)
        .join(VisitType, col(VisitType.id) == Appointment.visit_type_id)
        .join(Location, col(Location.id) == Appointment.location_id)
        .where(Appointment.patient_id == appt.patient_id)
        .where(col(Appointment.status).in_(_BLOCKING))
        .where(col(Appointment.id) != appt.id)
    ).all()
    return [
        _Other(other.id or 0, code, name, other.status, other.starts_at, other.ends_at,
               other.location_id, place.name, ZoneInfo(place.timezone), other.region)
        for other, code, name, place in rows
        if other.status != Status.HELD.value
        or (other.hold_expires_at is not None and other.hold_expires_at > now)
    ]


def _zone(session: Session, location_id: int) -> ZoneInfo:
    place = session.get(Location, location_id)
    return ZoneInfo(place.timezone if place is not None else "America/Chicago")


def _when(at: datetime, zone: ZoneInfo) -> str:
    local = at.astimezone(zone)
    return f"{local:%a} {local:%b} {local.day} {local:%H:%M}"
