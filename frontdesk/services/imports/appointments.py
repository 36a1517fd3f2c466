"""``frontdesk import appointments``: another system's visits (CSV or iCalendar), checked
against the schedule and written in one transaction with one ``import.appointments`` audit
event (counts only).

Never double-booked: a visit whose time (with its visit type's buffers) overlaps another
visit of the same provider or room — on file, or earlier in the file — is a bad row; without
a room, the first free room of the visit type's kind at the location is taken. A future visit
outside the provider's hours at the location, inside a closure, or refused by the checks the
booking path runs (details, first visit, the patient's own visits, payer rules) is KEPT — it
was booked in the old system — with ``attention`` saying why, listed for a scheduler. Past
visits are history with their status; they need no hours, only not to overlap. A visit still
to come at a retired location, of a retired visit type, with a retired provider or in a
retired room is a bad row (the new setup no longer has it), and no retired room is ever
chosen. A row without an id is known by (patient, start, provider): one on file is already
imported.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, update
from sqlmodel import Session, col

from frontdesk.db import queries as q
from frontdesk.db.models import (
    Appointment,
    CallbackTask,
)
from frontdesk.domain.imports import (
    DateOrder,
)
from frontdesk.domain.model import Status
from frontdesk.domain.pathway import Procedure
from frontdesk.domain.permissions import Permission
from frontdesk.services.access import acting
from frontdesk.services.context import Context
from frontdesk.services.imports.common import Progress, Tally, date_order, run_import
from frontdesk.services.imports.lookups import Practice
from frontdesk.services.imports.outcome import ImportResult, Line
from frontdesk.services.imports.reading import Source, read_csv, require
from frontdesk.services.imports.schedule import Schedule, Visit
from frontdesk.services.imports.visit_rows import (
    IMPORTED,
    MAX_ATTENTION,
    VisitReader,
)

COLUMNS = ("id", "patient_id", "patient_name", "first_name", "last_name", "dob", "start",
           "date", "time", "duration", "end", "visit_type", "provider", "location", "room",
           "status", "region", "levels", "side", "cancel_reason")
ALIASES = {
    "appointment_id": "id", "appt_id": "id", "external_id": "id", "visit_id": "id",
    "mrn": "patient_id", "chart_number": "patient_id", "patient_number": "patient_id",
    "patient": "patient_name", "name": "patient_name",
    "date_of_birth": "dob", "birth_date": "dob", "birthdate": "dob",
    "starts_at": "start", "start_datetime": "start", "appointment_start": "start",
    "appointment_date": "date", "appt_date": "date", "visit_date": "date",
    "appointment_time": "time", "appt_time": "time", "start_time": "time",
    "length": "duration", "duration_min": "duration", "duration_minutes": "duration",
    "minutes": "duration", "ends_at": "end", "end_time": "end",
    "type": "visit_type", "appointment_type": "visit_type", "appt_type": "visit_type",
    "doctor": "provider", "clinician": "provider", "resource": "provider",
    "clinic": "location", "office": "location", "site": "location",
    "cancellation_reason": "cancel_reason", "reason_cancelled": "cancel_reason",
}


def read_appointments(path: Path, mapping: dict[str, str]) -> Source:
    if path.suffix.lower() in (".ics", ".ical", ".ifb", ".icalendar"):
        from frontdesk.services.imports.calendar import read_ics

        source = read_ics(path, known=COLUMNS, aliases=ALIASES, mapping=mapping)
        if source.rows:  # no event names them: say so once, not on every event
            require(source, (("visit_type",), ("provider",), ("location",)))
        return source
    source = read_csv(path, known=COLUMNS, aliases=ALIASES, mapping=mapping)
    require(source, (("start", "date"), ("visit_type",), ("provider",), ("location",),
                     ("patient_id", "patient_name", "last_name")))
    return source


def import_appointments(ctx: Context, *, staff: str, path: Path,
                        mapping: dict[str, str] | None = None, dates: DateOrder | None = None,
                        dry_run: bool = False, skip_bad: bool = False,
                        progress: Progress | None = None) -> ImportResult:
    """Check every visit in the file at ``path`` against the practice and its schedule and
    import the good ones in one transaction (none while any row is bad, unless ``skip_bad``;
    none with ``dry_run``)."""
    source = read_appointments(path, mapping or {})
    order, notes = date_order(source, ("start", "date", "end", "dob"), dates)

    def work(session: Session, tally: Tally) -> None:
        person = acting(session, staff, Permission.IMPORT)
        now = ctx.now()
        practice = Practice.load(session)
        q.lock_for_import(session, location_ids=[
            loc.id or 0 for _, _, loc in practice.locations.items], provider_ids=[
            p.id or 0 for _, _, p in practice.providers.items])  # then read a settled calendar
        q.expire_holds(session, now=now)
        reader = VisitReader(session, order, now, practice)
        visits: list[Visit] = []
        for row in tally.rows(source.rows, progress):
            visit = reader.read(row)
            if visit is not None:
                visits.append(visit)
        schedule = Schedule.load(session, visits, now, practice)
        placed = [v for v in visits if schedule.place(v, reader.bad)]
        for visit in placed:
            schedule.flag(visit, now)
        tally.absorb(reader.bad, reader.already, [])
        tally.matched = (*practice.matched(), *(f"status: {theirs!r} → {ours}"
                                                for theirs, ours in reader.statuses.items()))
        tally.good = len(placed)
        tally.history = sum(1 for v in placed if v.start <= now)
        if tally.stops(skip_bad):
            tally.attention = [Line(v.line, (*v.flags[:-1], v.flags[-1] + IMPORTED))
                               for v in placed if v.flags]
            return
        ids = _insert(session, placed, booked_by=person.id or 0, now=now)
        for visit, appt_id in zip(placed, ids, strict=True):
            _booking_checks(session, ctx, visit, appt_id, person, now)
        tally.callbacks = _callbacks(session, ctx, placed, ids, now)
        tally.attention = [Line(v.line, (*v.flags[:-1], v.flags[-1] + IMPORTED + (
            "" if dry_run else f" (appointment {appt_id})")))
            for v, appt_id in zip(placed, ids, strict=True) if v.flags]
        if not dry_run:
            q.add_audit(session, origin=ctx.origin.stamp, at=now, staff_id=person.id,
                        action="import.appointments", entity="appointment", entity_id=None,
                        after=tally.result(source, "appointments", dry_run, skip_bad).counts())

    return run_import(ctx, work, source=source, kind="appointments", staff=staff,
                      dry_run=dry_run, skip_bad=skip_bad, notes=notes)


def _insert(session: Session, visits: list[Visit], *, booked_by: int,
            now: datetime) -> list[int]:
    """Every visit in bulk, in file order; their new ids in the same order."""
    if not visits:
        return []
    rows = []
    for v in visits:
        block_start, block_end = v.block
        assert v.room is not None
        rows.append({
            "patient_id": v.patient_id, "visit_type_id": v.vt.id, "provider_id": v.provider.id,
            "location_id": v.location.id, "room_id": v.room.id, "starts_at": v.start,
            "ends_at": v.end, "block_start": block_start, "block_end": block_end,
            "status": v.status.value, "hold_expires_at": None, "region": v.region,
            "levels": v.levels, "side": v.side, "booked_by_id": booked_by, "booked_at": now,
            "cancel_reason": v.cancel_reason, "late_cancel": False, "version": 1,
            "updated_at": now, "external_id": v.external_id,
            "attention": _attention(v.flags),
        })
    statement = insert(Appointment).returning(col(Appointment.id), sort_by_parameter_order=True)
    ids: list[int] = []
    for start in range(0, len(rows), 1000):
        ids += [int(i or 0) for i in session.connection().execute(
            statement, rows[start:start + 1000]).scalars()]
    return ids


def _attention(flags: list[str]) -> str | None:
    """What the visit itself says, e.g. "outside Dr X's hours at Y (imported)": each reason
    to its first clause (the report has them whole)."""
    if not flags:
        return None
    text = "; ".join(f.split(": ", 1)[0] for f in flags)
    if len(text) > MAX_ATTENTION - len(IMPORTED):
        text = text[:MAX_ATTENTION - len(IMPORTED) - 1] + "…"
    return text + IMPORTED


def _booking_checks(session: Session, ctx: Context, visit: Visit, appt_id: int,
                    person: Any, now: datetime) -> None:
    """Every future visit still to happen passes the checks the booking path runs (the
    procedure's details, the first visit, the patient's own other visits, payer rules); a
    refusal does not drop the visit (it was booked in the old system) but says why on it, for
    a scheduler."""
    from frontdesk.services.pathway import UNRECOGNISED, PayerRulesBroken, enforce_payer_rules
    from frontdesk.services.scheduling import guards

    if visit.start <= now or visit.status not in (Status.BOOKED, Status.CONFIRMED):
        return
    appt = session.get(Appointment, appt_id)
    assert appt is not None
    before = len(visit.flags)
    for refused in guards.refusals(session, ctx, appt=appt, vt=visit.vt, asked=guards.Asked(),
                                   now=now):
        visit.flags.append(refused.message)
    try:
        enforce_payer_rules(session, ctx, staff=person, appointment=appt,
                            visit_type=visit.vt.code, override_reason=None)
    except PayerRulesBroken as exc:
        for check in exc.checks:
            problems = "; ".join(p.text for p in check.problems)
            visit.flags.append(f"{check.payer}: {problems}" if check.payer == UNRECOGNISED
                               else f"breaks the payer rules of {check.payer}: {problems}")
    if len(visit.flags) > before:
        session.connection().execute(update(Appointment).where(
            col(Appointment.id) == appt_id).values(attention=_attention(visit.flags)))


def _callbacks(session: Session, ctx: Context, visits: list[Visit], ids: list[int],
               now: datetime) -> int:
    """A relief-report callback for each imported future diagnostic block, as booking one
    opens (counted in the import's audit event)."""
    hours = timedelta(hours=ctx.settings.callbacks.relief_report_hours)
    rows = [{"patient_id": v.patient_id, "appointment_id": appt_id, "kind": "relief-report",
             "due_at": v.start + hours, "created_at": now, "status": "open", "note": ""}
            for v, appt_id in zip(visits, ids, strict=True)
            if v.vt.code == Procedure.FACET_DIAGNOSTIC.value and v.start > now
            and v.status in (Status.BOOKED, Status.CONFIRMED)]
    if rows:
        session.connection().execute(insert(CallbackTask), rows)
    return len(rows)
