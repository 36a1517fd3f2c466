"""Who and where: locations, providers, rooms, visit types, staff and patients."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from frontdesk.db import queries as q
from frontdesk.db.engine import DatabaseBusyError, read_session, run_write
from frontdesk.db.models import (
    Appointment,
    Location,
    Patient,
    Provider,
    ProviderVisitType,
    Room,
    Staff,
    VisitType,
)
from frontdesk.domain.model import ProviderKind, RoomKind
from frontdesk.domain.permissions import Permission
from frontdesk.services.access import acting, require
from frontdesk.services.context import Context, write
from frontdesk.services.errors import Busy, InvalidDetails, InvalidInput, PossibleDuplicates
from frontdesk.services.mapping import location_view, patient_view, staff_view
from frontdesk.services.patients.checks import (
    MAX_NAME,
    PatientChanges,
    check_changes,
    check_dob,
    consent_problem,
    email_consent_problem,
    normalise_phone,
    split_name,
)
from frontdesk.services.patients.duplicates import candidates
from frontdesk.services.patients.lookup import live_patient
from frontdesk.services.patients.search import ESCAPE, display_phone, near_names, read_search
from frontdesk.services.views import (
    LocationView,
    PatientView,
    ProviderView,
    RoomView,
    StaffView,
    VisitTypeView,
)

__all__ = ["MAX_NAME", "check_dob", "display_phone", "normalise_phone", "split_name"]


def locations(ctx: Context, *, retired: bool = False) -> list[LocationView]:
    """The locations in use (``retired``: those retired too, for past visits)."""
    with read_session(ctx.engine) as session:
        rows = session.exec(select(Location).order_by(col(Location.id)))
        return [location_view(r) for r in rows if retired or r.active]


def providers(ctx: Context) -> list[ProviderView]:
    with read_session(ctx.engine) as session:
        codes: dict[int, list[str]] = {}
        for pid, code in session.exec(
            select(ProviderVisitType.provider_id, VisitType.code)
            .join(VisitType, col(VisitType.id) == ProviderVisitType.visit_type_id)
            .where(col(VisitType.active))
            .order_by(col(VisitType.id))
        ).all():
            codes.setdefault(pid, []).append(code)
        rows = session.exec(
            select(Provider).where(col(Provider.active)).order_by(col(Provider.id))
        )
        return [
            ProviderView(r.id or 0, r.name, ProviderKind(r.kind), tuple(codes.get(r.id or 0, ())))
            for r in rows
        ]


def rooms(ctx: Context) -> list[RoomView]:
    """The rooms in use: not retired, at a location not retired."""
    with read_session(ctx.engine) as session:
        rows = session.exec(
            select(Room).join(Location, col(Location.id) == Room.location_id)
            .where(col(Room.active), col(Location.active))
            .order_by(col(Room.location_id), col(Room.id)))
        return [RoomView(r.id or 0, r.location_id, r.name, RoomKind(r.kind), r.fluoroscopy)
                for r in rows]


def visit_types(ctx: Context, *, retired: bool = False) -> list[VisitTypeView]:
    """The visit types offered (``retired``: those retired too, for past visits)."""
    with read_session(ctx.engine) as session:
        performers: dict[int, list[int]] = {}
        for pid, vid in session.exec(
            select(ProviderVisitType.provider_id, ProviderVisitType.visit_type_id)
        ).all():
            performers.setdefault(vid, []).append(pid)
        rows = session.exec(select(VisitType).order_by(col(VisitType.id)))
        return [
            VisitTypeView(
                id=r.id or 0, code=r.code, name=r.name, duration_min=r.duration_min,
                buffer_before_min=r.buffer_before_min, buffer_after_min=r.buffer_after_min,
                room_kind=RoomKind(r.room_kind), is_procedure=r.is_procedure, colour=r.colour,
                prep=r.prep, provider_ids=tuple(sorted(performers.get(r.id or 0, ()))),
            )
            for r in rows if retired or r.active
        ]


def staff(ctx: Context) -> list[StaffView]:
    with read_session(ctx.engine) as session:
        rows = session.exec(
            select(Staff).where(col(Staff.active)).order_by(col(Staff.id))
        )
        return [staff_view(r) for r in rows]


def find_location(ctx: Context, name: str) -> LocationView:
    """A location by its name, or a unique beginning or part of it; InvalidInput('location')
    naming the candidates when it could be several, or the choices when it is none."""
    with read_session(ctx.engine) as session:
        found = q.locations_named(session, name)
        if len(found) == 1:
            return location_view(found[0])
        if found:
            both = " or ".join(loc.name for loc in found)
            raise InvalidInput("location", f"{name[:40]!r} could be {both}; give the full name")
        names = ", ".join(session.exec(select(Location.name).order_by(col(Location.name))))
        raise InvalidInput("location", f"no location {name[:40]!r}; choose one of {names}")


def find_provider(ctx: Context, name: str) -> ProviderView:
    """A provider by id, name or unique part of the name."""
    text = name.strip()
    everyone = providers(ctx)
    if text.isdigit():
        match = [p for p in everyone if p.id == int(text)]
    else:
        exact = [p for p in everyone if p.name.lower() == text.lower()]
        match = exact or [p for p in everyone if text.lower() in p.name.lower()]
    if len(match) != 1:
        raise InvalidInput("provider", f"no single provider matches {text[:40]!r}; "
                           "`frontdesk providers` lists them")
    return match[0]


# --------------------------------------------------------------------------- patients


def add_patient(
    ctx: Context, *, staff: str, name: str, dob: date, phone: str,
    location: str | None = None, payer: str | None = None, member_id: str | None = None,
    mobile: str | None = None, sms_consent: bool = False, email: str | None = None,
    email_consent: bool = False, address: str | None = None, city: str | None = None,
    state: str | None = None,
    zip: str | None = None, alerts: tuple[str, ...] | list[str] = (),  # noqa: A002
    alert_note: str | None = None, confirmed_new: bool = False,
) -> PatientView:
    """Add a patient. ``payer`` names a plan in the practice's payer catalogue (its name or an
    alias; empty: none on file yet); anything else is refused with the nearest plans. Every
    bad detail is reported at once (InvalidDetails). A patient who looks like one already on
    file (same birth date and a similar name, or the same phone) is refused with the
    candidates (PossibleDuplicates) unless ``confirmed_new``: the person said it is somebody
    else."""
    changes = PatientChanges(
        name=name, dob=dob, phone=phone, mobile=mobile, sms_consent=sms_consent or None,
        email=email, email_consent=email_consent or None, address=address, city=city,
        state=state, zip=zip,
        location=location, payer=payer, member_id=member_id,
        alerts=tuple(alerts) if alerts else None, alert_note=alert_note)
    values, problems = check_changes(ctx, changes, payer_required=False)
    problem = consent_problem(values.get("mobile", ""), bool(sms_consent))
    if problem and not any(f == "mobile" for f, _ in problems):
        problems.append(problem)
    problem = email_consent_problem(values.get("email", ""), bool(email_consent))
    if problem and not any(f == "email" for f, _ in problems):
        problems.append(problem)
    if problems:
        raise InvalidDetails(problems)

    def work(session: Session) -> PatientView:
        staff_row = acting(session, staff, Permission.PATIENTS)
        found = candidates(session, values["first_name"], values["last_name"], values["dob"],
                           (values["phone"], values.get("mobile", "")))
        if found and not confirmed_new:
            raise PossibleDuplicates(found)
        now = ctx.now()
        patient = Patient(created_at=now, updated_at=now, **values)
        session.add(patient)
        session.flush()
        after: dict[str, object] = {"preferred_location_id": patient.preferred_location_id,
                                    "payer": patient.payer_key}
        if found:
            after["not_these"] = [c.patient.id for c in found]  # said: somebody else
        q.add_audit(session, origin=ctx.origin.stamp,
                    at=now, staff_id=staff_row.id, action="patient.create",
                    entity="patient", entity_id=patient.id, after=after)
        return patient_view(patient)

    return write(ctx, work)


def get_patient(ctx: Context, patient_id: int) -> PatientView:
    """The patient; a merged-away id says which record it was merged into (MergedAway)."""
    with read_session(ctx.engine) as session:
        return patient_view(live_patient(session, patient_id))


def record_opened(ctx: Context, *, staff: str, appointment_id: int) -> None:
    """Audit that ``staff`` opened the record of the patient of ``appointment_id`` (the
    details screen shows their name, phone and history): ``patient.open``, one transaction."""

    def work(session: Session) -> None:
        person = acting(session, staff)
        appt = session.get(Appointment, appointment_id)
        if appt is None:
            raise InvalidInput("appointment", f"no appointment with id {appointment_id}")
        q.add_audit(session, origin=ctx.origin.stamp,
                    at=ctx.now(), staff_id=person.id, action="patient.open",
                    entity="patient", entity_id=appt.patient_id,
                    after={"appointment_id": appointment_id})

    try:
        run_write(ctx.engine, work)
    except DatabaseBusyError as exc:
        raise Busy(str(exc)) from exc


def record_listed(ctx: Context, *, staff: str, command: str, rows: int,
                  patient_id: int | None = None) -> None:
    """Audit that ``staff`` was shown ``rows`` rows with patient details by ``command`` (a
    command-line listing): ``patient.list`` with who, which command and how many — never the
    details themselves. ``patient_id`` when they are one patient's."""

    def work(session: Session) -> None:
        person = acting(session, staff)
        q.add_audit(session, origin=ctx.origin.stamp, at=ctx.now(), staff_id=person.id,
                    action="patient.list", entity="patient", entity_id=patient_id,
                    after={"command": command[:60], "rows": rows})

    try:
        run_write(ctx.engine, work)
    except DatabaseBusyError as exc:
        raise Busy(str(exc)) from exc


def may_back_up(ctx: Context, *, by: str) -> None:
    """NotAllowed unless ``by`` may copy the whole database (an admin)."""
    require(ctx, by, Permission.BACKUP)


def record_backup(ctx: Context, *, by: str, size: int) -> None:
    """Audit that ``by`` copied the whole database to a file (``database.backup``: who and how
    many bytes; where it went stays on their side)."""

    def work(session: Session) -> None:
        person = acting(session, by, Permission.BACKUP)
        q.add_audit(session, origin=ctx.origin.stamp, at=ctx.now(), staff_id=person.id,
                    action="database.backup", entity="database", entity_id=None,
                    after={"bytes": size})

    try:
        run_write(ctx.engine, work)
    except DatabaseBusyError as exc:
        raise Busy(str(exc)) from exc


def find_patients(ctx: Context, text: str, *, limit: int = 20) -> list[PatientView]:
    """By phone (any format; a phone or mobile, also one of a record merged into the one
    found), date of birth (ISO or M/D/YYYY) or name parts (``patients.search`` reads the text;
    ``services.light.patients`` is the twin without the database stack)."""
    wanted = read_search(text)
    with read_session(ctx.engine) as session:
        query = select(Patient).where(col(Patient.merged_into_id).is_(None))
        if wanted.dob is not None:
            query = query.where(Patient.dob == wanted.dob)
        elif wanted.phone is not None:
            query = query.where(col(Patient.id).in_(_by_phone(session, wanted.phone)))
        for pattern in wanted.patterns:
            query = query.where(or_(
                func.lower(Patient.first_name).like(pattern, escape=ESCAPE),
                func.lower(Patient.last_name).like(pattern, escape=ESCAPE),
            ))
        query = query.order_by(col(Patient.last_name), col(Patient.first_name),
                               col(Patient.id)).limit(limit)
        found = [patient_view(p) for p in session.exec(query)]
        if wanted.wants_near_names(len(found)):
            found += _near_names(session, wanted.text, limit - len(found), {p.id for p in found})
        return found


def _by_phone(session: Session, digits: str) -> list[int]:
    """The live records whose phone or mobile ends with ``digits``, and the records those of
    merged-away records were merged into (a caller on their old number is still found)."""
    ids: set[int] = set()
    for pid, merged_into in session.exec(select(Patient.id, Patient.merged_into_id).where(
            or_(col(Patient.phone).endswith(digits), col(Patient.mobile).endswith(digits)))):
        ids.add(merged_into if merged_into is not None else pid or 0)
    return sorted(ids)


def _near_names(session: Session, text: str, limit: int, seen: set[int]) -> list[PatientView]:
    """Patients whose name is spelled nearly like ``text`` (``patients.search.near_names``)."""
    if limit <= 0:
        return []
    names: dict[int, str] = {}
    for pid, first, last in session.exec(
            select(Patient.id, Patient.first_name, Patient.last_name)
            .where(col(Patient.merged_into_id).is_(None)).order_by(col(Patient.id))):
        if pid is not None and pid not in seen:
            names[pid] = f"{first} {last}"
    ids = near_names(names, text, limit)
    rows = {p.id: p for p in session.exec(select(Patient).where(col(Patient.id).in_(ids)))}
    return [patient_view(rows[i]) for i in ids if i in rows]
