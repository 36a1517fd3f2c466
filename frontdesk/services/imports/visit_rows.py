"""One row of another system's visits read and matched to the practice: its patient (by
the old system's id, else name and birth date; a merged-away record gives the one it was
merged into), visit type, provider, location and room by exact name, local times in the
location's zone to UTC, status and procedure details. What cannot be read is a bad row with
every reason; what a visit still to come may not name (retired things) too."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from frontdesk.db.models import (
    Appointment,
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
from frontdesk.services.imports.lookups import Practice
from frontdesk.services.imports.outcome import Line
from frontdesk.services.imports.reading import SourceRow
from frontdesk.services.imports.schedule import Visit

MAX_EXTERNAL_ID = 60
MAX_CANCEL_REASON = 500
MAX_ATTENTION = 200  # appointment.attention
IMPORTED = " (imported)"  # after a flag on an imported visit
_SPINE = {p.value for p in Procedure}
_AHEAD = (Status.BOOKED, Status.CONFIRMED)
_NOT_YET = {Status.COMPLETED: "completed", Status.CHECKED_IN: "checked in",
            Status.NO_SHOW: "a no-show"}





class VisitReader:
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
            self.on_file.setdefault((patient_id, utc(starts_at), provider_id), appt_id or 0)
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
        procedure = procedure_details(row, vt, reasons)
        status: Status | None = found.get("status")
        if status is not None and start is not None and start > self.now and status in _NOT_YET:
            reasons.append(f"status: a visit that has not happened yet cannot be "
                           f"{_NOT_YET[status]}")
        if status is not None and row.get("status"):
            self.statuses.setdefault(" ".join(row.get("status").split())[:60], status.label)
        if start is not None and start > self.now and status in _AHEAD:
            reasons += retired(location, vt, found.get("provider"), found.get("room"))
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


def retired(location: Location | None, vt: VisitType | None, provider: Provider | None,
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


def utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def procedure_details(row: SourceRow, vt: VisitType | None,
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


