"""The practice's rows as FHIR R4 (R4B) resources: one plain dict per resource, ready for its
``fhir.resources`` model (services/exports/fhir.py checks and writes them). Patients and
appointments are streamed (``yield_per``); the small tables are read once (:class:`Known`). A
visit this version cannot map is yielded as :class:`Refused` with the OperationOutcome that
says why, by type, id and field, never by value."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from frontdesk.db import queries as q
from frontdesk.db.models import (
    Appointment,
    Location,
    Patient,
    Provider,
    ProviderVisitType,
    Template,
    VisitType,
)
from frontdesk.domain.availability import expand_template
from frontdesk.domain.freebusy import free_busy
from frontdesk.domain.model import Interval, ProviderKind, Status
from frontdesk.services.exports.common import (
    system,
)

VISIT_TYPES = "urn:frontdesk:visit-type"
PROVIDER_KINDS = "urn:frontdesk:provider-kind"
TIMEZONE_EXTENSION = "http://hl7.org/fhir/StructureDefinition/timezone"
#: How many rows a stream reads at a time.
STREAM_ROWS = 1000
APPOINTMENT_STATUS: dict[Status, str] = {
    Status.HELD: "pending",
    Status.BOOKED: "booked",
    Status.CONFIRMED: "booked",
    Status.CHECKED_IN: "checked-in",
    Status.COMPLETED: "fulfilled",
    Status.CANCELLED: "cancelled",
    Status.NO_SHOW: "noshow",
    Status.EXPIRED: "cancelled",
}
KIND_LABELS = {ProviderKind.PHYSICIAN: "Physician", ProviderKind.APP: "Advanced practice provider",
               ProviderKind.THERAPIST: "Therapist"}


class Refused(Exception):
    """A resource its model refuses (``error``: the model's ValidationError), or one that
    cannot be mapped at all (``outcome``: the OperationOutcome that says why)."""

    def __init__(self, error: Exception | None = None,
                 outcome: dict[str, Any] | None = None) -> None:
        super().__init__("refused")
        self.error = error
        self.outcome = outcome or {}


def outcome(resource_type: str, resource_id: str, exc: Exception | None,
             why: str = "") -> dict[str, Any]:
    """Why a resource was left out: the fields and the kind of each problem, never a value
    (the value may be a patient's detail)."""
    errors = getattr(exc, "errors", None)
    where: list[str] = []
    if callable(errors):
        for error in errors(include_input=False, include_url=False):
            path = ".".join(str(p) for p in error.get("loc", ()))
            where.append(f"{path or resource_type}: {error.get('type', 'invalid')}")
    return {"resourceType": "OperationOutcome", "issue": [{
        "severity": "error", "code": "invalid",
        "diagnostics": f"{resource_type}/{resource_id} left out: "
                       + ("; ".join(where[:5]) or why or "not valid"),
    }]}


def instant(moment: datetime) -> str:
    """A FHIR instant in UTC: 2027-03-12T15:00:00Z."""
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


# --------------------------------------------------------------------------- what is known


@dataclass(frozen=True)
class Known:
    """The small tables, read once: every resource refers to them."""

    base: str
    providers: dict[int, Provider]
    locations: dict[int, Location]
    visit_types: dict[int, VisitType]
    performs: dict[int, list[int]]  # provider id → visit type ids
    templates: dict[tuple[int, int], list[Template]]  # (provider, location) → its hours
    replaces: dict[int, list[int]]  # patient id → the records merged into it

    @property
    def schedules(self) -> list[tuple[int, int]]:
        return sorted(self.templates)

    @classmethod
    def load(cls, session: Session, base: str) -> Known:
        performs: dict[int, list[int]] = defaultdict(list)
        for row in session.exec(select(ProviderVisitType)).all():
            performs[row.provider_id].append(row.visit_type_id)
        templates: dict[tuple[int, int], list[Template]] = defaultdict(list)
        for t in session.exec(select(Template).order_by(col(Template.id))).all():
            templates[(t.provider_id, t.location_id)].append(t)
        replaces: dict[int, list[int]] = defaultdict(list)
        merged = select(Patient.id, Patient.merged_into_id).where(
            col(Patient.merged_into_id).is_not(None))
        for old, new in session.exec(merged).all():
            replaces[int(new or 0)].append(int(old or 0))
        return cls(
            base=base,
            providers={p.id or 0: p for p in session.exec(select(Provider).order_by(
                col(Provider.id))).all()},
            locations={loc.id or 0: loc for loc in session.exec(select(Location).order_by(
                col(Location.id))).all()},
            visit_types={v.id or 0: v for v in session.exec(select(VisitType)).all()},
            performs=dict(performs), templates=dict(templates), replaces=dict(replaces),
        )

    def identifier(self, kind: str, value: int | str) -> dict[str, Any]:
        return {"use": "usual", "system": system(self.base, kind), "value": str(value)}

    def visit_type(self, visit_type_id: int) -> dict[str, Any]:
        vt = self.visit_types.get(visit_type_id)
        if vt is None:
            return {"text": "visit"}
        return {"coding": [{"system": VISIT_TYPES, "code": vt.code, "display": vt.name}],
                "text": vt.name}


def _ref(resource_type: str, resource_id: int | str, display: str = "") -> dict[str, Any]:
    return {"reference": f"{resource_type}/{resource_id}", "display": display}


# --------------------------------------------------------------------------- patients


def patients(session: Session, known: Known, since: datetime | None
              ) -> Iterator[dict[str, Any]]:
    query = select(Patient).order_by(col(Patient.id))
    if since is not None:
        query = query.where(func.coalesce(col(Patient.updated_at), col(Patient.created_at))
                            >= since)
    for row in session.exec(query.execution_options(yield_per=STREAM_ROWS)):
        yield patient(row, known)
        session.expunge(row)


def patient(p: Patient, known: Known) -> dict[str, Any]:
    identifiers = [known.identifier("patient", p.id or 0)]
    if p.external_id:
        identifiers.append({"use": "old", "system": system(known.base, "old-system-patient"),
                            "value": p.external_id})
    telecom: list[dict[str, Any]] = []
    # the phone is the patient's main number, of no known kind (home, work or a mobile):
    # no ``use``; the mobile, when there is one, says ``mobile``
    if p.phone and p.phone != p.mobile:
        telecom.append({"system": "phone", "value": p.phone, "rank": 1})
    if p.mobile:
        telecom.append({"system": "phone", "value": p.mobile, "use": "mobile",
                        "rank": 1 if p.mobile == p.phone else 2})
    if p.email:
        telecom.append({"system": "email", "value": p.email})
    address = ([{"use": "home", "type": "both", "line": p.address.splitlines(),
                 "city": p.city, "state": p.state, "postalCode": p.zip}]
               if p.address or p.city or p.state or p.zip else [])
    links = [{"other": _ref("Patient", p.merged_into_id), "type": "replaced-by"}
             ] if p.merged_into_id else []
    links += [{"other": _ref("Patient", old), "type": "replaces"}
              for old in known.replaces.get(p.id or 0, ())]
    return {
        "resourceType": "Patient", "id": str(p.id),
        "meta": {"lastUpdated": instant(p.updated_at or p.created_at)},
        "identifier": identifiers,
        "active": p.merged_into_id is None,
        "name": [{"use": "official", "family": p.last_name, "given": [p.first_name]}],
        "telecom": telecom,
        "birthDate": p.dob.isoformat(),
        "address": address,
        "link": links,
    }


# --------------------------------------------------------------------------- the practice


def _human_name(name: str) -> dict[str, Any]:
    """"Dr. Avery Able" → prefix Dr., given Avery, family Able; "Pat Baker, PA-C" keeps PA-C
    as a suffix. The name as written stays in ``text``."""
    main, _, suffix = name.partition(",")
    words = main.split()
    prefix = [words.pop(0)] if len(words) > 1 and words[0].rstrip(".").lower() in (
        "dr", "mr", "mrs", "ms", "mx") else []
    return {"use": "official", "text": name, "family": words[-1] if words else "",
            "given": words[:-1], "prefix": prefix, "suffix": [suffix] if suffix.strip() else []}


def practitioner(p: Provider, known: Known) -> dict[str, Any]:
    credentials = [c.strip() for c in p.credentials.replace("/", ",").split(",") if c.strip()]
    return {
        "resourceType": "Practitioner", "id": str(p.id),
        "identifier": [known.identifier("practitioner", p.id or 0)],
        "active": p.active,
        "name": [_human_name(p.name)],
        "qualification": [{"code": {"text": c}} for c in credentials],
    }


def role(p: Provider, known: Known) -> dict[str, Any]:
    """What the provider is (their kind) and where they work (the locations of their hours);
    the visit types they perform are their schedules' service types."""
    label = next((KIND_LABELS[k] for k in ProviderKind if k.value == p.kind), p.kind)
    where = sorted({loc for (provider, loc) in known.templates if provider == p.id})
    return {
        "resourceType": "PractitionerRole", "id": str(p.id),
        "active": p.active,
        "practitioner": _ref("Practitioner", p.id or 0, p.name),
        "code": [{"coding": [{"system": PROVIDER_KINDS, "code": p.kind,
                              "display": label}]}],
        "location": [_ref("Location", loc, known.locations[loc].name) for loc in where
                     if loc in known.locations],
    }


def location(loc: Location, known: Known) -> dict[str, Any]:
    return {
        "resourceType": "Location", "id": str(loc.id),
        "extension": [{"url": TIMEZONE_EXTENSION, "valueCode": loc.timezone}],
        "identifier": [known.identifier("location", loc.id or 0)],
        "status": "active" if loc.active else "inactive",
        "name": loc.name,
        "mode": "instance",
        "telecom": [{"system": "phone", "value": loc.phone, "use": "work"}],
        "address": {"use": "work", "type": "physical", "text": loc.address,
                    "postalCode": loc.zip},
    }


def schedule(pair: tuple[int, int], known: Known, horizon: Interval) -> dict[str, Any]:
    provider_id, location_id = pair
    provider = known.providers.get(provider_id)
    location = known.locations.get(location_id)
    today = horizon.start.date()
    current = [t for t in known.templates[pair] if t.valid_until is None or t.valid_until >= today]
    hours = "; ".join(
        f"{t.rrule} {t.start_time:%H:%M}-{t.end_time:%H:%M} {t.timezone} from {t.valid_from}"
        + (f" until {t.valid_until}" if t.valid_until else "") for t in current)
    return {
        "resourceType": "Schedule", "id": f"{provider_id}-{location_id}",
        "active": bool(current) and (provider is None or provider.active)
                  and (location is None or location.active),
        "serviceType": [known.visit_type(v)
                        for v in sorted(known.performs.get(provider_id, ()))],
        "actor": [_ref("Practitioner", provider_id, provider.name if provider else ""),
                  _ref("Location", location_id, location.name if location else "")],
        "planningHorizon": {"start": instant(horizon.start), "end": instant(horizon.end)},
        "comment": f"Weekly hours (RFC 5545 rules, local time): {hours}" if hours else
                   "No current weekly hours",
    }


def slots(session: Session, known: Known, horizon: Interval) -> Iterator[dict[str, Any]]:
    """Free and busy time of each schedule over the horizon (see domain/freebusy.py)."""
    if horizon.end <= horizon.start:
        return
    closures = q.closures_between(session, horizon.start, horizon.end)
    busy: dict[int, list[Interval]] = defaultdict(list)
    for taken in q.busy_between(session, start=horizon.start, end=horizon.end,
                                now=horizon.start, provider_ids=list(known.providers),
                                room_ids=[]):
        busy[taken.provider_id].append(Interval(taken.start, taken.end))
    specs = {t.id: t for t in q.templates_for(session, list(known.providers))}
    for provider_id, location_id in known.schedules:
        work = [span for t in known.templates[(provider_id, location_id)] if t.id in specs
                for span in expand_template(specs[t.id or 0], horizon)]
        closed = [Interval(c.start, c.end) for c in closures
                  if c.provider_id in (None, provider_id)
                  and c.location_id in (None, location_id)]
        for span, status in free_busy(work, window=horizon, closed=closed,
                                      busy=busy.get(provider_id, [])):
            schedule = f"{provider_id}-{location_id}"
            yield {
                "resourceType": "Slot", "id": f"{schedule}-{span.start:%Y%m%d%H%M}",
                "schedule": _ref("Schedule", schedule),
                "status": status.value,
                "start": instant(span.start), "end": instant(span.end),
            }


# --------------------------------------------------------------------------- appointments


def appointments(session: Session, known: Known, since: datetime | None, now: datetime
                  ) -> Iterator[dict[str, Any] | Refused]:
    query = select(Appointment).order_by(col(Appointment.id))
    if since is not None:
        query = query.where(col(Appointment.updated_at) >= since)
    known_statuses = {s.value for s in Status}
    for row in session.exec(query.execution_options(yield_per=STREAM_ROWS)):
        if row.status in known_statuses:
            yield _appointment(row, known, now)
        else:  # a status this version does not know (a newer one's, a hand edit)
            yield Refused(outcome=outcome("Appointment", str(row.id), None,
                                            "status: not a status frontdesk knows"))
        session.expunge(row)


def _appointment(a: Appointment, known: Known, now: datetime) -> dict[str, Any]:
    status = Status(a.status)
    lapsed = status is Status.HELD and a.hold_expires_at is not None and a.hold_expires_at <= now
    fhir_status = "cancelled" if lapsed else APPOINTMENT_STATUS[status]
    vt = known.visit_types.get(a.visit_type_id)
    provider = known.providers.get(a.provider_id)
    location = known.locations.get(a.location_id)
    reason = (a.cancel_reason or "cancelled") if status is Status.CANCELLED else (
        "hold expired" if lapsed or status is Status.EXPIRED else "")
    details = " ".join(x for x in (a.region, a.levels, a.side) if x)
    identifiers = [known.identifier("appointment", a.id or 0)]
    if a.external_id:
        identifiers.append({"use": "old", "system": system(known.base, "old-system-appointment"),
                            "value": a.external_id})
    # who takes part, and how: a hold waits for the patient (and the time is only
    # tentatively the provider's and the room's); a no-show is the patient's not coming
    patient_status, others = {
        "pending": ("needs-action", "tentative"),
        "cancelled": ("declined", "declined"),
        "noshow": ("declined", "accepted"),
    }.get(fhir_status, ("accepted", "accepted"))
    return {
        "resourceType": "Appointment", "id": str(a.id),
        "meta": {"lastUpdated": instant(a.updated_at)},
        "identifier": identifiers,
        "status": fhir_status,
        "cancelationReason": {"text": reason} if fhir_status == "cancelled" else None,
        "serviceType": [known.visit_type(a.visit_type_id)],
        "appointmentType": known.visit_type(a.visit_type_id),
        "description": (f"{vt.name if vt else 'Visit'}: {details}" if details
                        else vt.name if vt else "Visit"),
        "start": instant(a.starts_at),
        "end": instant(a.ends_at),
        "minutesDuration": max(1, round((a.ends_at - a.starts_at).total_seconds() / 60)),
        "created": instant(a.booked_at),
        "comment": a.attention,
        "participant": [
            {"actor": _ref("Patient", a.patient_id), "required": "required",
             "status": patient_status},
            {"actor": _ref("Practitioner", a.provider_id, provider.name if provider else ""),
             "required": "required", "status": others},
            {"actor": _ref("Location", a.location_id, location.name if location else ""),
             "required": "required", "status": others},
        ],
    }
