"""The FHIR export on SQLite and PostgreSQL: every line read back by the fhir.resources R4B
models, counts against the database, references that resolve between the files, the manifest,
owner-only files, the mapping of each status, and an audit event with counts only."""

from __future__ import annotations

import json
import os
import signal
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.appointment import Appointment as FhirAppointment
from fhir.resources.R4B.location import Location as FhirLocation
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.patient import Patient as FhirPatient
from fhir.resources.R4B.practitioner import Practitioner as FhirPractitioner
from fhir.resources.R4B.practitionerrole import PractitionerRole as FhirRole
from fhir.resources.R4B.schedule import Schedule as FhirSchedule
from fhir.resources.R4B.slot import Slot as FhirSlot
from sqlalchemy import text
from sqlmodel import Session, col, select

from frontdesk.db.engine import run_write
from frontdesk.db.models import AuditEvent, Closure, PracticeSetting
from frontdesk.services.audit import audit_events
from frontdesk.services.context import Context
from frontdesk.services.errors import Busy, InvalidInput, NotAllowed
from frontdesk.services.exports import fhir, fhir_resources
from tests.exports import add_patient, add_visit, set_patient
from tests.practice import Practice

MODELS: dict[str, Any] = {
    "Patient": FhirPatient, "Practitioner": FhirPractitioner, "PractitionerRole": FhirRole,
    "Location": FhirLocation, "Schedule": FhirSchedule, "Slot": FhirSlot,
    "Appointment": FhirAppointment,
}


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, 3, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def visits(ctx: Context, practice: Practice) -> dict[str, int]:
    """One visit in each status (Dr. Able, then Pat Baker), a hold that has lapsed, and a
    patient merged into the first; the first patient has every detail."""
    p = practice
    set_patient(ctx, p.patient_id, mobile="+19185550177", email="casey@example.org",
                address="1 Elm St\nApt 2", city="Tulsa", state="OK", zip="74101",
                external_id="OLD-17", updated_at=at(5, 12))
    merged = add_patient(ctx, "Casey", "Testcase", merged_into_id=p.patient_id)
    future = ctx.now() + timedelta(minutes=10)
    made = {
        "booked": add_visit(ctx, p, at(11, 15)),  # Thu 09:00 in Tulsa
        "held": add_visit(ctx, p, at(11, 16), status="held", hold_expires_at=future),
        "confirmed": add_visit(ctx, p, at(11, 17), status="confirmed"),
        "checked_in": add_visit(ctx, p, at(11, 20), status="checked_in"),
        "completed": add_visit(ctx, p, at(9, 15), status="completed",
                               patient=p.other_patient_id),
        "cancelled": add_visit(ctx, p, at(11, 15), status="cancelled",
                               cancel_reason="car trouble", provider=p.baker),
        "no_show": add_visit(ctx, p, at(9, 16), status="no_show", provider=p.baker),
        "expired": add_visit(ctx, p, at(12, 15), status="expired", provider=p.baker),
        "lapsed": add_visit(ctx, p, at(12, 16), status="held", provider=p.baker,
                            hold_expires_at=ctx.now() - timedelta(minutes=1)),
        "imported": add_visit(ctx, p, at(12, 17), provider=p.baker, external_id="V-9",
                              attention="outside the provider's hours"),
    }
    made["merged_patient"] = merged
    return made


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """Where an export goes (beside the test's SQLite database, not with it)."""
    return tmp_path / "fhir"


def read(folder: Path, resource_type: str) -> list[Any]:
    """Each line of a file, read back by its R4B model."""
    path = folder / f"{resource_type}.ndjson"
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [MODELS[resource_type].model_validate_json(line) for line in lines]


def table_count(ctx: Context, table: str) -> int:
    with Session(ctx.engine) as session:
        return int(session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_every_line_reads_back_and_counts_match_the_database(
        ctx: Context, practice: Practice, visits: dict[str, int], out: Path) -> None:
    folder = out / "out"
    done = fhir.export_fhir(ctx, by=practice.manager, folder=folder)
    found = {t: read(folder, t) for t in MODELS}
    assert len(found["Patient"]) == table_count(ctx, "patient") == 3
    assert len(found["Practitioner"]) == table_count(ctx, "provider") == 3
    assert len(found["PractitionerRole"]) == 3
    assert len(found["Location"]) == table_count(ctx, "location") == 1
    assert len(found["Schedule"]) == 2  # Dr. Able and Pat Baker have hours; Tess Cole none
    assert len(found["Appointment"]) == table_count(ctx, "appointment") == 12
    assert found["Slot"]
    for resource_type, resources in found.items():
        assert done.count(resource_type) == len(resources)
        assert all(r.get_resource_type() == resource_type for r in resources)
    assert done.left_out == 0
    assert not (folder / "OperationOutcome.ndjson").exists()


def test_the_manifest_names_every_file_with_its_count(
        ctx: Context, practice: Practice, visits: dict[str, int], out: Path) -> None:
    done = fhir.export_fhir(ctx, by=practice.manager, folder=out)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["transactionTime"] == "2027-03-10T15:00:00Z"
    assert manifest["requiresAccessToken"] is False
    assert manifest["request"].startswith("$export?_type=Patient,")
    assert manifest["error"] == []
    listed = {o["type"]: o for o in manifest["output"]}
    assert list(listed) == [t for t in fhir.RESOURCE_TYPES if done.count(t)]
    for resource_type, entry in listed.items():
        assert entry["url"] == f"{resource_type}.ndjson"
        lines = (out / entry["url"]).read_text().splitlines()
        assert entry["count"] == len(lines) == done.count(resource_type)
    on_disk = {p.name for p in out.iterdir()}
    assert on_disk == {"manifest.json", *(o["url"] for o in manifest["output"])}


def test_references_resolve_between_the_files(
        ctx: Context, practice: Practice, visits: dict[str, int], out: Path) -> None:
    fhir.export_fhir(ctx, by=practice.manager, folder=out)
    ids = {t: {r.id for r in read(out, t)} for t in MODELS}

    def resolves(reference: str) -> bool:
        resource_type, _, resource_id = reference.partition("/")
        return resource_id in ids.get(resource_type, set())

    references: list[str] = []
    for appt in read(out, "Appointment"):
        references += [p.actor.reference for p in appt.participant]
        kinds = sorted(p.actor.reference.split("/")[0] for p in appt.participant)
        assert kinds == ["Location", "Patient", "Practitioner"]
    for schedule in read(out, "Schedule"):
        references += [a.reference for a in schedule.actor]
    references += [s.schedule.reference for s in read(out, "Slot")]
    for role in read(out, "PractitionerRole"):
        references += [role.practitioner.reference, *(loc.reference for loc in role.location
                                                        or [])]
    for patient in read(out, "Patient"):
        references += [link.other.reference for link in patient.link or []]
    assert references
    assert [r for r in references if not resolves(r)] == []


def test_patients_carry_their_details_and_merges(
        ctx: Context, practice: Practice, visits: dict[str, int], out: Path) -> None:
    fhir.export_fhir(ctx, by=practice.manager, folder=out)
    patients = {p.id: p for p in read(out, "Patient")}
    casey = patients[str(practice.patient_id)]
    assert [(i.system, i.value, i.use) for i in casey.identifier] == [
        ("urn:frontdesk:patient", str(practice.patient_id), "usual"),
        ("urn:frontdesk:old-system-patient", "OLD-17", "old")]
    assert (casey.name[0].family, casey.name[0].given) == ("Testcase", ["Casey"])
    assert str(casey.birthDate) == "1970-05-17"
    assert [(t.system, t.value, t.use) for t in casey.telecom] == [
        ("phone", "+19185550111", None), ("phone", "+19185550177", "mobile"),
        ("email", "casey@example.org", None)]
    address = casey.address[0]
    assert (address.line, address.city, address.state, address.postalCode) == (
        ["1 Elm St", "Apt 2"], "Tulsa", "OK", "74101")
    assert casey.active is True
    assert [(lk.type, lk.other.reference) for lk in casey.link] == [
        ("replaces", f"Patient/{visits['merged_patient']}")]
    merged = patients[str(visits["merged_patient"])]
    assert merged.active is False
    assert [(lk.type, lk.other.reference) for lk in merged.link] == [
        ("replaced-by", f"Patient/{practice.patient_id}")]
    plain = patients[str(practice.other_patient_id)]
    assert plain.address is None
    assert plain.link is None
    assert len(plain.identifier) == 1


def test_each_status_maps_to_fhir_and_times_are_utc_instants(
        ctx: Context, practice: Practice, visits: dict[str, int], out: Path) -> None:
    fhir.export_fhir(ctx, by=practice.manager, folder=out)
    appts = {int(a.id): a for a in read(out, "Appointment")}
    status = {name: appts[visits[name]].status for name in visits if name != "merged_patient"}
    assert status == {
        "booked": "booked", "held": "pending", "confirmed": "booked",
        "checked_in": "checked-in", "completed": "fulfilled", "cancelled": "cancelled",
        "no_show": "noshow", "expired": "cancelled", "lapsed": "cancelled",
        "imported": "booked"}
    booked = appts[visits["booked"]]
    raw = json.loads(booked.model_dump_json())
    assert (raw["start"], raw["end"]) == ("2027-03-11T15:00:00Z", "2027-03-11T15:30:00Z")
    assert booked.minutesDuration == 30
    assert booked.serviceType[0].coding[0].code == "follow-up"
    assert booked.appointmentType.coding[0].code == "follow-up"
    assert appts[visits["cancelled"]].cancelationReason.text == "car trouble"
    assert appts[visits["lapsed"]].cancelationReason.text == "hold expired"
    assert booked.cancelationReason is None
    imported = appts[visits["imported"]]
    assert [(i.use, i.value) for i in imported.identifier][1] == ("old", "V-9")
    assert imported.comment == "outside the provider's hours"


def test_practitioners_locations_and_schedules(
        ctx: Context, practice: Practice, visits: dict[str, int], out: Path) -> None:
    def work(session: Session) -> None:
        session.execute(text("UPDATE provider SET credentials = 'MD, FIPP' WHERE id = :i"),
                        {"i": practice.able})
        session.execute(text("UPDATE location SET zip = '74101', active = false"))

    run_write(ctx.engine, work)
    fhir.export_fhir(ctx, by=practice.manager, folder=out)
    able = next(p for p in read(out, "Practitioner") if p.id == str(practice.able))
    assert [q.code.text for q in able.qualification] == ["MD", "FIPP"]
    assert (able.name[0].family, able.name[0].given, able.name[0].prefix) == (
        "Able", ["Avery"], ["Dr."])
    location = read(out, "Location")[0]
    assert (location.status, location.address.postalCode) == ("inactive", "74101")
    assert location.extension[0].valueCode == "America/Chicago"
    schedule = next(s for s in read(out, "Schedule")
                    if s.id == f"{practice.able}-{practice.location_id}")
    assert [a.reference for a in schedule.actor] == [
        f"Practitioner/{practice.able}", f"Location/{practice.location_id}"]
    assert "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR 08:00-12:00 America/Chicago" in schedule.comment
    horizon = json.loads(schedule.model_dump_json())["planningHorizon"]
    assert horizon == {"start": "2027-03-10T15:00:00Z", "end": "2027-04-07T15:00:00Z"}


def test_slots_say_free_busy_and_closed(
        ctx: Context, practice: Practice, visits: dict[str, int], out: Path) -> None:
    def closure(session: Session) -> None:  # Dr. Able off Friday morning
        session.add(Closure(kind="time_off", reason="conference", starts_at=at(12, 14),
                            ends_at=at(12, 18), provider_id=practice.able))

    run_write(ctx.engine, closure)
    fhir.export_fhir(ctx, by=practice.manager, folder=out, slot_days=3)
    able = f"Schedule/{practice.able}-{practice.location_id}"
    thursday = [(s.status, json.loads(s.model_dump_json())["start"][11:16],
                 json.loads(s.model_dump_json())["end"][11:16])
                for s in read(out, "Slot")
                if s.schedule.reference == able and str(s.start.date()) == "2027-03-11"]
    # 08:00-12:00 and 13:00-17:00 in Tulsa (14:00-18:00, 19:00-23:00 UTC); visits at 15:00,
    # 16:00, 17:00 (back to back with gaps) and 20:00 UTC
    assert thursday == [
        ("free", "14:00", "15:00"), ("busy", "15:00", "15:30"), ("free", "15:30", "16:00"),
        ("busy", "16:00", "16:30"), ("free", "16:30", "17:00"), ("busy", "17:00", "17:30"),
        ("free", "17:30", "18:00"), ("free", "19:00", "20:00"), ("busy", "20:00", "20:30"),
        ("free", "20:30", "23:00")]
    friday = [s.status for s in read(out, "Slot")
              if s.schedule.reference == able and str(s.start.date()) == "2027-03-12"]
    assert friday == ["busy-unavailable", "free"]


def test_files_are_owner_only_and_a_new_folder_private(
        ctx: Context, practice: Practice, visits: dict[str, int], out: Path,
        umask_022: None) -> None:
    folder = out / "new"
    fhir.export_fhir(ctx, by=practice.manager, folder=folder)
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(folder.parent).st_mode) == 0o700  # made too
    names = sorted(p.name for p in folder.iterdir())
    assert "manifest.json" in names
    assert "Patient.ndjson" in names
    assert not [n for n in names if n.endswith(".part")]
    for path in folder.iterdir():
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, path.name


def test_a_wider_file_left_from_before_is_replaced_not_reused(
        ctx: Context, practice: Practice, out: Path, umask_022: None) -> None:
    fhir.export_fhir(ctx, by=practice.manager, folder=out)  # an earlier export
    old = out / "Patient.ndjson"
    old.write_text("old\n")
    os.chmod(old, 0o644)
    stale = out / "OperationOutcome.ndjson"
    stale.write_text("{}\n")
    fhir.export_fhir(ctx, by=practice.manager, folder=out)
    assert stat.S_IMODE(os.stat(old).st_mode) == 0o600
    assert len(read(out, "Patient")) == 2
    assert not stale.exists()  # the manifest names no errors: no errors file


def test_since_keeps_what_changed_and_writes_the_practice_whole(
        ctx: Context, practice: Practice, visits: dict[str, int], out: Path) -> None:
    done = fhir.export_fhir(ctx, by=practice.manager, folder=out, since=at(5, 0))
    assert [p.id for p in read(out, "Patient")] == [str(practice.patient_id)]
    # every visit made here is updated at its start, all after 5 March; the practice's two
    # first evaluations (March 2026) are not
    assert done.count("Appointment") == 10
    assert done.count("Practitioner") == 3
    assert done.count("Location") == 1
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["request"].endswith("&_since=2027-03-05T00:00:00Z")


def test_a_resource_the_models_refuse_is_left_out_and_reported_without_its_values(
        ctx: Context, practice: Practice, monkeypatch: pytest.MonkeyPatch,
        out: Path) -> None:
    made = fhir_resources.patient

    def broken(p: Any, known: Any) -> dict[str, Any]:
        data = made(p, known)
        if p.id == practice.other_patient_id:
            data["birthDate"] = "Sample-1982"  # not a date; a patient's text
        return data

    monkeypatch.setattr(fhir_resources, "patient", broken)
    done = fhir.export_fhir(ctx, by=practice.manager, folder=out)
    assert (done.count("Patient"), done.left_out) == (1, 1)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["error"] == [{"type": "OperationOutcome", "url": "OperationOutcome.ndjson",
                                  "count": 1}]
    line = (out / "OperationOutcome.ndjson").read_text()
    outcome = OperationOutcome.model_validate_json(line)
    said = outcome.issue[0].diagnostics
    assert said.startswith(f"Patient/{practice.other_patient_id} left out: birthDate")
    assert "Sample" not in line


def test_audited_with_counts_only(ctx: Context, practice: Practice, visits: dict[str, int],
                                  out: Path) -> None:
    fhir.export_fhir(ctx, by=practice.manager, folder=out / "x")
    with Session(ctx.engine) as session:
        events = session.exec(select(AuditEvent).where(
            col(AuditEvent.action) == "export.fhir")).all()
    assert len(events) == 1
    after = events[0].after or {}
    assert after["counts"]["Patient"] == 3
    assert after["counts"]["Appointment"] == 12
    told = json.dumps(after)
    for detail in ("Testcase", "Casey", "Sample", "+1918", "1970", "example.org", "OLD-17",
                   str(out)):
        assert detail not in told
    line = next(e for e in audit_events(ctx, by=practice.manager) if e.action == "export.fhir")
    assert line.summary == "exported FHIR files: 3 patient(s), 12 appointment(s)"


@pytest.mark.parametrize("who", ["desk", "sched"])
def test_only_a_manager_or_admin_exports(ctx: Context, practice: Practice, out: Path,
                                         who: str) -> None:
    folder = out / "out"
    with pytest.raises(NotAllowed, match="exporting patient data needs a manager or admin"):
        fhir.export_fhir(ctx, by=who, folder=folder)
    assert not folder.exists()
    with Session(ctx.engine) as session:
        assert not session.exec(select(AuditEvent).where(
            col(AuditEvent.action) == "export.fhir")).all()
    fhir.export_fhir(ctx, by=practice.admin, folder=folder)
    assert (folder / "manifest.json").exists()


def test_rows_are_streamed_in_batches_with_progress(
        ctx: Context, practice: Practice, visits: dict[str, int], out: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches of two rows (a server-side cursor on PostgreSQL) give the same files; progress
    is told every few resources and at the end of each file."""
    monkeypatch.setattr(fhir_resources, "STREAM_ROWS", 2)
    monkeypatch.setattr(fhir, "PROGRESS_EVERY", 5)
    told: list[tuple[str, int]] = []
    done = fhir.export_fhir(ctx, by=practice.manager, folder=out,
                            progress=lambda t, n: told.append((t, n)))
    assert [a.id for a in read(out, "Appointment")] == [
        str(i) for i in sorted(int(a.id) for a in read(out, "Appointment"))]
    assert done.count("Appointment") == 12
    assert [n for t, n in told if t == "Appointment"] == [5, 10, 12]
    assert [n for t, n in told if t == "Patient"] == [3]


@pytest.mark.parametrize(("setting", "wanted"), [
    ("https://clinic.example/ids/", "https://clinic.example/ids/patient"),
    ("urn:oid:2.16.840.1.113883.3.9999", "urn:oid:2.16.840.1.113883.3.9999:patient"),
    ("not a uri", "urn:frontdesk:patient"),
])
def test_the_practice_may_name_its_identifier_system(
        ctx: Context, practice: Practice, out: Path, setting: str, wanted: str) -> None:
    def work(session: Session) -> None:
        session.add(PracticeSetting(key="practice", value={"identifier_system": setting},
                                    updated_at=ctx.now()))

    run_write(ctx.engine, work)
    fhir.export_fhir(ctx, by=practice.manager, folder=out)
    assert {p.identifier[0].system for p in read(out, "Patient")} == {wanted}


def contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def test_an_interrupted_export_leaves_the_earlier_one_whole(
        ctx: Context, practice: Practice, out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fhir.export_fhir(ctx, by=practice.manager, folder=out)
    before = contents(out)
    assert "manifest.json" in before

    def failing(*_args: Any) -> dict[str, Any]:
        raise OSError("disk full")

    monkeypatch.setattr(fhir_resources, "_appointment", failing)
    add_visit(ctx, practice, at(11, 15))
    with pytest.raises(OSError, match="disk full"):
        fhir.export_fhir(ctx, by=practice.manager, folder=out)
    assert contents(out) == before  # nothing moved into place: no .part left either


# ------------------------------------------------------------ writing safely, mapping fixes


def audit_count(ctx: Context, action: str = "export.fhir") -> int:
    with Session(ctx.engine) as session:
        return len(session.exec(select(AuditEvent).where(col(AuditEvent.action) == action)).all())


def disable(ctx: Context, username: str) -> None:
    def work(session: Session) -> None:
        session.execute(text("UPDATE staff SET active = false WHERE username = :u"),
                        {"u": username})

    run_write(ctx.engine, work)


def test_nothing_is_moved_into_place_when_the_audit_event_cannot_be_written(
        ctx: Context, practice: Practice, visits: dict[str, int], out: Path) -> None:
    """The manager's account is disabled while the export runs: the audit event is refused,
    so the files never land (the earlier export stays as it was), and no .part is left."""
    fhir.export_fhir(ctx, by=practice.manager, folder=out)
    before = contents(out)
    with pytest.raises(InvalidInput, match="no active staff member"):
        fhir.export_fhir(ctx, by=practice.manager, folder=out, since=at(1, 0), replace=True,
                         progress=lambda *_: disable(ctx, practice.manager))
    assert contents(out) == before
    assert audit_count(ctx) == 1


def test_a_busy_database_at_the_audit_leaves_a_new_folder_empty(
        ctx: Context, practice: Practice, visits: dict[str, int], out: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from frontdesk.services.exports import common

    def busy(*_args: Any, **_kwargs: Any) -> None:
        raise Busy("the database is busy")

    monkeypatch.setattr(common, "audit", busy)
    with pytest.raises(Busy):
        fhir.export_fhir(ctx, by=practice.manager, folder=out)
    assert list(out.iterdir()) == []


def test_the_audit_event_is_committed_before_the_files_are_in_place(
        ctx: Context, practice: Practice, out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from frontdesk.services.exports import common

    seen: list[set[str]] = []
    real = common.audit

    def watching(*args: Any, **kwargs: Any) -> None:
        seen.append({p.name for p in out.iterdir() if not p.name.endswith(".part")})
        real(*args, **kwargs)

    monkeypatch.setattr(common, "audit", watching)
    fhir.export_fhir(ctx, by=practice.manager, folder=out)
    assert seen == [set()]
    assert (out / "manifest.json").exists()


def test_ctrl_c_while_a_resource_is_serialised_stops_the_export(
        ctx: Context, practice: Practice, out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """pydantic wraps the KeyboardInterrupt in a PydanticSerializationError (a ValueError):
    it is not the model refusing a resource, and must not be swallowed as one."""
    from pydantic import BaseModel, ConfigDict, field_serializer

    class Interrupting(BaseModel):
        model_config = ConfigDict(extra="allow")
        id: str

        @field_serializer("id")
        def _stop(self, _value: str) -> str:
            raise KeyboardInterrupt

    real = fhir._model
    monkeypatch.setattr(fhir, "_model",
                        lambda t: Interrupting if t == "Patient" else real(t))
    with pytest.raises(KeyboardInterrupt):
        fhir.export_fhir(ctx, by=practice.manager, folder=out)
    assert list(out.iterdir()) == []
    assert audit_count(ctx) == 0


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_and_sighup_clean_up_and_the_handlers_come_back(
        ctx: Context, practice: Practice, visits: dict[str, int], out: Path,
        signum: int) -> None:
    class Killed(Exception):
        pass

    def mine(*_args: Any) -> None:
        raise Killed

    before = signal.signal(signum, mine)  # were the export to leave it, the test sees Killed
    try:
        with pytest.raises(SystemExit) as stopped:
            fhir.export_fhir(ctx, by=practice.manager, folder=out,
                             progress=lambda t, _n: os.kill(os.getpid(), signum)
                             if t == "Location" else None)
        assert stopped.value.code == 128 + signum
        assert list(out.iterdir()) == []  # Patient.ndjson and the rest were still .part
        assert signal.getsignal(signum) is mine
    finally:
        signal.signal(signum, before)


def test_stale_parts_of_ours_go_at_the_next_export(
        ctx: Context, practice: Practice, out: Path) -> None:
    fhir.export_fhir(ctx, by=practice.manager, folder=out)
    ours = out / ".Patient.ndjson.k3j2h1.part"
    ours.write_text("a patient\n")
    theirs = out / ".notes.txt.abc.part"
    theirs.write_text("not ours\n")
    fhir.export_fhir(ctx, by=practice.manager, folder=out)
    assert not ours.exists()
    assert theirs.exists()


def test_a_folder_holding_someone_elses_files_is_refused_unless_replace(
        ctx: Context, practice: Practice, out: Path) -> None:
    out.mkdir()
    theirs = out / "manifest.json"
    theirs.write_text('{"transactionTime": "2027-01-01T00:00:00Z", "output": []}')
    with pytest.raises(InvalidInput, match="not a frontdesk export's.*--replace"):
        fhir.export_fhir(ctx, by=practice.manager, folder=out)
    assert [p.name for p in out.iterdir()] == ["manifest.json"]
    assert audit_count(ctx) == 0
    other = out.parent / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(InvalidInput, match=r"not a frontdesk export \(notes.txt\)"):
        fhir.export_fhir(ctx, by=practice.manager, folder=other)
    fhir.export_fhir(ctx, by=practice.manager, folder=out, replace=True)
    manifest = json.loads(theirs.read_text())
    assert manifest["extension"]["generator"].startswith("frontdesk ")
    fhir.export_fhir(ctx, by=practice.manager, folder=out)  # ours now: no --replace needed
    empty = out.parent / "empty"
    empty.mkdir()
    fhir.export_fhir(ctx, by=practice.manager, folder=empty)


def test_a_full_export_is_not_replaced_by_a_since_one_unless_replace(
        ctx: Context, practice: Practice, out: Path) -> None:
    fhir.export_fhir(ctx, by=practice.manager, folder=out)
    before = contents(out)
    with pytest.raises(InvalidInput, match="holds a full export"):
        fhir.export_fhir(ctx, by=practice.manager, folder=out, since=at(5, 0))
    assert contents(out) == before
    fhir.export_fhir(ctx, by=practice.manager, folder=out, since=at(5, 0), replace=True)
    fhir.export_fhir(ctx, by=practice.manager, folder=out, since=at(6, 0))  # since over since
    assert "_since=2027-03-06" in json.loads((out / "manifest.json").read_text())["request"]


@pytest.mark.parametrize(("mode", "said"), [
    (0o777, "other users can change what is in"),
    (0o770, "the group .* can change what is in"),
])
def test_a_folder_others_may_change_is_refused(
        ctx: Context, practice: Practice, out: Path, mode: int, said: str) -> None:
    out.mkdir()
    os.chmod(out, mode)
    with pytest.raises(InvalidInput, match=said):
        fhir.export_fhir(ctx, by=practice.manager, folder=out)
    assert list(out.iterdir()) == []
    os.chmod(out, mode | stat.S_ISVTX)  # sticky: others cannot swap or remove our files
    fhir.export_fhir(ctx, by=practice.manager, folder=out)


def test_a_folder_of_another_user_is_refused(
        ctx: Context, practice: Practice, out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out.mkdir()
    monkeypatch.setattr(os, "geteuid", lambda: os.stat(out).st_uid + 1)
    with pytest.raises(InvalidInput, match="belongs to another user"):
        fhir.export_fhir(ctx, by=practice.manager, folder=out)
    assert list(out.iterdir()) == []


def test_a_hold_and_a_no_show_say_who_takes_part_and_how(
        ctx: Context, practice: Practice, visits: dict[str, int], out: Path) -> None:
    fhir.export_fhir(ctx, by=practice.manager, folder=out)
    appts = {int(a.id): a for a in read(out, "Appointment")}

    def statuses(name: str) -> list[tuple[str, str]]:
        return [(p.actor.reference.split("/")[0], p.status)
                for p in appts[visits[name]].participant]

    assert statuses("no_show") == [("Patient", "declined"), ("Practitioner", "accepted"),
                                   ("Location", "accepted")]
    assert statuses("held") == [("Patient", "needs-action"), ("Practitioner", "tentative"),
                                ("Location", "tentative")]
    assert statuses("booked") == [("Patient", "accepted"), ("Practitioner", "accepted"),
                                  ("Location", "accepted")]
    assert statuses("cancelled")[0] == ("Patient", "declined")


def test_a_visit_in_an_unknown_status_is_left_out_and_reported(
        ctx: Context, practice: Practice, visits: dict[str, int], out: Path) -> None:
    odd = add_visit(ctx, practice, at(15, 15), status="waitlisted")
    done = fhir.export_fhir(ctx, by=practice.manager, folder=out)
    assert done.left_out == 1
    assert done.count("Appointment") == 12
    outcome = OperationOutcome.model_validate_json(
        (out / "OperationOutcome.ndjson").read_text())
    assert outcome.issue[0].diagnostics == (
        f"Appointment/{odd} left out: status: not a status frontdesk knows")


def test_a_folder_in_the_way_of_a_file_is_named_with_dir(
        ctx: Context, practice: Practice, out: Path) -> None:
    fhir.export_fhir(ctx, by=practice.manager, folder=out)
    (out / "Patient.ndjson").unlink()
    (out / "Patient.ndjson").mkdir()
    with pytest.raises(InvalidInput) as refused:
        fhir.export_fhir(ctx, by=practice.manager, folder=out)
    assert refused.value.field == "folder"
    assert str(out) in refused.value.message
    assert "named Patient.ndjson" in refused.value.message


def test_a_file_that_cannot_be_put_in_place_is_named_not_its_temporary_file(
        ctx: Context, practice: Practice, out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(src: Any, dst: Any) -> None:
        raise PermissionError(13, "Permission denied", str(src), None, str(dst))

    monkeypatch.setattr(os, "replace", refused)
    with pytest.raises(InvalidInput) as stopped:
        fhir.export_fhir(ctx, by=practice.manager, folder=out)
    said = stopped.value.message
    assert said == f"cannot write {out / 'Patient.ndjson'}: Permission denied"
    assert ".part" not in said
    assert [p.name for p in out.iterdir()] == []


def test_since_outside_the_years_is_refused(ctx: Context, practice: Practice,
                                            out: Path) -> None:
    with pytest.raises(InvalidInput, match="outside the years 1900-2200"):
        fhir.export_fhir(ctx, by=practice.manager, folder=out,
                         since=datetime(1, 1, 1, tzinfo=UTC))


def test_a_sigterm_while_the_files_are_moved_into_place_waits_until_they_are(
        ctx: Context, practice: Practice, visits: dict[str, int], out: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from frontdesk.services import files

    real = files.Staged.publish
    sent: list[bool] = []

    def publish(self: files.Staged) -> None:
        if not sent:
            sent.append(True)
            os.kill(os.getpid(), signal.SIGTERM)
        real(self)

    monkeypatch.setattr(files.Staged, "publish", publish)
    with pytest.raises(SystemExit):
        fhir.export_fhir(ctx, by=practice.manager, folder=out)
    manifest = json.loads((out / "manifest.json").read_text())  # every file landed
    assert {o["url"] for o in manifest["output"]} | {"manifest.json"} == {
        p.name for p in out.iterdir()}
    assert audit_count(ctx) == 1
