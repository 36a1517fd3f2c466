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

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from frontdesk.db import queries as q
from frontdesk.db.models import (
    Appointment,
    CallbackTask,
    Location,
    Patient,
    Provider,
    Room,
    VisitType,
)
from frontdesk.domain.imports import (
    CellError,
    DateOrder,
    local_to_utc,
    person_key,
    read_date,
    read_duration,
    read_moment,
    read_status,
    read_time,
)
from frontdesk.domain.model import Region, Side, Status
from frontdesk.domain.pathway import Procedure
from frontdesk.domain.permissions import Permission
from frontdesk.services.access import acting
from frontdesk.services.context import Context
from frontdesk.services.imports.common import Progress, Tally, date_order, run_import
from frontdesk.services.imports.lookups import Practice
from frontdesk.services.imports.outcome import ImportResult, Line
from frontdesk.services.imports.reading import Source, SourceRow, read_csv, require
from frontdesk.services.imports.schedule import Schedule, Visit

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
MAX_EXTERNAL_ID = 60
MAX_CANCEL_REASON = 500
MAX_ATTENTION = 200
IMPORTED = " (imported)"
_SPINE = {p.value for p in Procedure}
_AHEAD = (Status.BOOKED, Status.CONFIRMED)
_NOT_YET = {Status.COMPLETED: "completed", Status.CHECKED_IN: "checked in",
            Status.NO_SHOW: "a no-show"}


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
        reader = _Reader(session, order, now, practice)
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


# --------------------------------------------------------------------------- reading rows


class _Reader:
    """Each row's cells read and matched to the practice and its patients."""

    def __init__(self, session: Session, order: DateOrder | None, now: datetime,
                 practice: Practice) -> None:
        self.order, self.now, self.practice = order, now, practice
        self.known = set(session.exec(select(Appointment.external_id).where(
            col(Appointment.external_id).is_not(None))).all())
        merged: dict[int, int] = {}
        self.by_external: dict[str, int] = {}
        self.by_person: dict[tuple[str, str, date], list[int]] = {}
        for pid, ext, first, last, dob, into in session.connection().execute(sa_select(
                col(Patient.id), col(Patient.external_id), col(Patient.first_name),
                col(Patient.last_name), col(Patient.dob), col(Patient.merged_into_id))):
            assert pid is not None
            if into is not None:
                merged[pid] = into
            else:
                self.by_person.setdefault(person_key(first, last, dob), []).append(pid)
            if ext:
                self.by_external[ext] = pid
        for ext, pid in self.by_external.items():  # a merged record's visits go to the kept one
            seen = {pid}
            while pid in merged and merged[pid] not in seen:
                pid = merged[pid]
                seen.add(pid)
            self.by_external[ext] = pid
        # a row without an id is known by (patient, start, provider): the visits on file
        self.on_file: dict[tuple[int, datetime, int], int] = {}
        for appt_id, patient_id, starts_at, provider_id in session.connection().execute(
                sa_select(col(Appointment.id), col(Appointment.patient_id),
                          col(Appointment.starts_at), col(Appointment.provider_id))):
            self.on_file.setdefault((patient_id, _utc(starts_at), provider_id), appt_id or 0)
        self.seen_keys: dict[tuple[int, datetime, int], int] = {}
        self.statuses: dict[str, str] = {}
        self.seen_ids: dict[str, int] = {}
        self.bad: list[Line] = []
        self.already: list[Line] = []

    def read(self, row: SourceRow) -> Visit | None:
        reasons = list(row.broken)
        external = row.get("id")[:200] or None
        if external is not None and external in self.known:
            self.already.append(Line(row.line, (f"id {external[:60]} was imported before",)))
            return None
        if external is not None:
            if len(external) > MAX_EXTERNAL_ID:
                reasons.append(f"id: at most {MAX_EXTERNAL_ID} characters")
            earlier = self.seen_ids.setdefault(external, row.line)
            if earlier != row.line:
                reasons.append(f"id {external[:60]} is also on line {earlier}")
        found: dict[str, Any] = {}

        def cell(name: str, read: Any, *args: Any) -> None:
            try:
                found[name] = read(*args)
            except CellError as exc:
                reasons.append(f"{name}: {exc}")

        cell("location", self._named, row, "location", self.practice.locations)
        cell("visit_type", self._named, row, "visit_type", self.practice.visit_types)
        cell("provider", self._named, row, "provider", self.practice.providers)
        cell("patient", self._patient, row)
        cell("status", read_status, row.get("status"))
        location: Location | None = found.get("location")
        vt: VisitType | None = found.get("visit_type")
        told = row.moments or row.get("start") or row.get("date")
        if location is not None and (told or not row.broken):  # an all-day event said why
            cell("start", self._start, row, location)
            if row.get("room"):
                cell("room", self.practice.room, location, row.get("room"))
        start: datetime | None = found.get("start")
        if start is not None and vt is not None and location is not None:
            cell("end", self._end, row, start, vt, location)
        procedure = _procedure(row, vt, reasons)
        status: Status | None = found.get("status")
        if status is not None and start is not None and start > self.now and status in _NOT_YET:
            reasons.append(f"status: a visit that has not happened yet cannot be "
                           f"{_NOT_YET[status]}")
        if status is not None and row.get("status"):
            self.statuses.setdefault(" ".join(row.get("status").split())[:60], status.label)
        if start is not None and start > self.now and status in _AHEAD:
            reasons += _retired(location, vt, found.get("provider"), found.get("room"))
        reason = " ".join(row.get("cancel_reason").split())
        if len(reason) > MAX_CANCEL_REASON:
            reasons.append(f"cancel_reason: at most {MAX_CANCEL_REASON} characters")
        if not reasons and external is None and start is not None:
            key: tuple[int, datetime, int] = (found["patient"], start, found["provider"].id)
            if key in self.on_file:
                self.already.append(Line(row.line, (
                    "no id, and the same patient, provider and start as appointment "
                    f"{self.on_file[key]} on file",)))
                return None
            earlier = self.seen_keys.setdefault(key, row.line)
            if earlier != row.line:
                reasons.append(f"no id, and the same patient, provider and start as line "
                               f"{earlier} (give each visit its id)")
        if reasons:
            self.bad.append(Line(row.line, tuple(reasons)))
            return None
        assert vt is not None
        assert location is not None
        assert start is not None
        assert status is not None
        return Visit(
            line=row.line, external_id=external, patient_id=found["patient"], vt=vt,
            provider=found["provider"], location=location, room=found.get("room"),
            start=start, end=found["end"], status=status, region=procedure[0],
            levels=procedure[1], side=procedure[2],
            cancel_reason=(reason or "cancelled in the old system")
            if status is Status.CANCELLED else None)

    @staticmethod
    def _named(row: SourceRow, name: str, named: Any) -> Any:
        text = row.get(name)
        if not text:
            raise CellError("missing")
        return named.find(text)

    def _patient(self, row: SourceRow) -> int:
        old = row.get("patient_id")
        if old:
            if old in self.by_external:
                return self.by_external[old]
            if not (row.get("patient_name") or row.get("last_name")):
                raise CellError(f"no patient with old id {old[:40]} on file (import the "
                                "patients first)")
        first, last = row.get("first_name"), row.get("last_name")
        whole = row.get("patient_name")
        if not (first and last) and whole:
            if "," in whole:
                last, _, first = (p.strip() for p in whole.partition(","))
            else:
                first, _, last = whole.strip().rpartition(" ")
        if not (first and last) or not row.get("dob"):
            raise CellError("give the old system's patient_id, or the patient's name and dob")
        dob = read_date(row.get("dob"), self.order)
        matches = self.by_person.get(person_key(first, last, dob), [])
        if not matches:
            raise CellError("no patient on file with that name and date of birth"
                            + (f" (nor old id {old[:40]})" if old else ""))
        if len(matches) > 1:
            raise CellError(f"{len(matches)} patients on file have that name and date of "
                            "birth: give the old system's patient_id")
        return matches[0]

    def _start(self, row: SourceRow, location: Location) -> datetime:
        given = row.moments.get("start")
        if given is not None:
            return local_to_utc(given, location.timezone)
        text = row.get("start")
        if text:
            moment = read_moment(text, self.order)
        elif row.get("date"):
            if not row.get("time"):
                raise CellError("give the time of day too (a time column)")
            moment = datetime.combine(read_date(row.get("date"), self.order),
                                      read_time(row.get("time")))
        else:
            raise CellError("missing")
        return local_to_utc(moment, location.timezone)

    def _end(self, row: SourceRow, start: datetime, vt: VisitType,
             location: Location) -> datetime:
        given = row.moments.get("end")
        if given is not None:
            end = local_to_utc(given, location.timezone)
        elif row.get("end"):
            text = row.get("end")
            try:
                end = local_to_utc(read_moment(text, self.order), location.timezone)
            except CellError:
                local_day = start.astimezone(ZoneInfo(location.timezone)).date()
                end = local_to_utc(datetime.combine(local_day, read_time(text)),
                                   location.timezone)
        elif row.get("duration"):
            end = start + timedelta(minutes=read_duration(row.get("duration")))
        else:
            end = start + timedelta(minutes=vt.duration_min)
        if end <= start:
            raise CellError("the visit ends before it starts")
        if end - start > timedelta(hours=12):
            raise CellError("a visit is at most 12 hours long")
        return end


def _retired(location: Location | None, vt: VisitType | None, provider: Provider | None,
             room: Room | None) -> list[str]:
    """Why a visit still to come cannot go in: the practice has retired its location, visit
    type, provider or room (the new setup no longer has it; book it again by hand)."""
    found = [f"{what}: {name} is retired in the practice; a visit still to come needs "
             "one in use"
             for what, name, active in (
                 ("location", location and location.name, location and location.active),
                 ("visit_type", vt and vt.name, vt and vt.active),
                 ("provider", provider and provider.name, provider and provider.active),
                 ("room", room and room.name, room and room.active))
             if name is not None and not active]
    return found


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _procedure(row: SourceRow, vt: VisitType | None,
               reasons: list[str]) -> tuple[str | None, str | None, str | None]:
    """Where a procedure was done (region, levels, side); nothing for other visits."""
    if vt is None or not vt.is_procedure:
        return None, None, None
    region = row.get("region").strip().lower() or None
    side = row.get("side").strip().lower() or None
    levels = " ".join(row.get("levels").upper().split()) or None
    if region is not None and region not in {r.value for r in Region}:
        reasons.append("region: cervical, thoracic or lumbar")
    if side is not None and side not in {s.value for s in Side}:
        reasons.append("side: left, right or bilateral")
    if levels is not None and (len(levels) > 40 or not all(ch.isalnum() or ch in "-, "
                                                           for ch in levels)):
        reasons.append("levels: write them like L4-L5, L5-S1")
    return region, levels, side


# --------------------------------------------------------------------------- writing


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
