"""Importing another system's visits (CSV and iCalendar) against the schedule, on SQLite and
PostgreSQL: clashes are bad rows, never double-booked; visits outside hours or on a closure
are kept and flagged; history keeps its status; an .ics across the March 2027 DST change lands
at the right UTC times. Every name here is synthetic."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import icalendar
import pytest
from sqlmodel import Session, col, select

from frontdesk.db.engine import run_write
from frontdesk.db.models import Appointment, AuditEvent, CallbackTask, Closure, Patient, Staff
from frontdesk.services import imports, scheduling
from frontdesk.services.context import Context
from frontdesk.services.errors import NotAllowed
from tests.practice import Practice

CHICAGO_CDT = timedelta(hours=5)  # after 14 March 2027
PATIENTS = [
    "id,first_name,last_name,dob,phone,payer",
    "P1,Avery,Quill,1961-04-02,918-555-0101,Medicare",
    "P2,Blake,Rowan,1975-02-03,918-555-0102,Self-pay",
    "P3,Cory,Sable,1980-03-04,918-555-0103,",
]
HEADER = "id,patient_id,start,duration,visit_type,provider,location,room,status,region,levels,side"
VISITS = [
    HEADER,
    "A1,P1,2027-03-15 09:00,,follow-up,Dr. Avery Able,Test Clinic,,booked,,,",
    "A2,P2,2027-03-15 09:10,,Follow-up,avery able,test clinic,,booked,,,",
    "A3,P2,2027-03-15 09:00,,follow-up,Pat Baker,Test Clinic,Exam 1,booked,,,",
    "A4,P2,2027-03-15 18:00,,follow-up,Pat Baker,Test Clinic,,confirmed,,,",
    "A5,P1,2027-03-17 10:00,,follow-up,Avery Able,Test Clinic,,booked,,,",
    "A6,P2,2026-06-01 10:00,,follow-up,Avery Able,Test Clinic,,completed,,,",
    "A7,P2,2026-06-08 10:00,,follow-up,Avery Able,Test Clinic,,No Show,,,",
    "A8,P1,2027-03-18 10:00,,follow-up,Avery Able,Test Clinic,,completed,,,",
    "A9,P99,2027-03-18 11:00,,follow-up,Avery Able,Test Clinic,,booked,,,",
    "A10,P2,2027-03-16 10:00,,follow-up,Avery Able,Test Clinic,,booked,,,",
    "A11,P1,2027-02-30 10:00,,follow-up,Avery Able,Test Clinic,,booked,,,",
    "A12,P3,2027-03-19 09:00,,facet-diagnostic,Avery Able,Test Clinic,,booked,lumbar,L4-L5,"
    "bilateral",
    "A13,P2,2027-03-15 13:00,45,follow-up,Avery Able,Test Clinic,,cancelled,,,",
    "A1,P1,2027-03-22 09:00,,follow-up,Avery Able,Test Clinic,,booked,,,",
]


def local(day: date, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time in Tulsa after the March 2027 change, as UTC."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC) + CHICAGO_CDT


@pytest.fixture
def setup(ctx: Context, practice: Practice, tmp_path: Path) -> int:
    """The patients imported, a closure on Wed 17 March, and a diagnostic block booked by the
    desk on Tue 16 March at 10:00; returns that visit's id."""
    path = tmp_path / "patients.csv"
    path.write_text("\n".join(PATIENTS) + "\n")
    assert imports.import_patients(ctx, staff="mgr", path=path).imported == 3

    def closure(session: Session) -> None:
        session.add(Closure(kind="location", reason="Staff training",
                            starts_at=datetime(2027, 3, 17, 5, tzinfo=UTC),
                            ends_at=datetime(2027, 3, 18, 5, tzinfo=UTC),
                            location_id=practice.location_id))

    run_write(ctx.engine, closure)
    booked = scheduling.book(
        ctx, staff="desk", patient_id=practice.patient_id, visit_type="facet-diagnostic",
        provider_id=practice.able, location_id=practice.location_id,
        start=local(date(2027, 3, 16), 10), region="lumbar", levels="L4-L5", side="bilateral",
        accept_warnings=scheduling.WARNING_CODES)
    return booked.id


def write(tmp_path: Path, lines: list[str], name: str = "visits.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path


def imported(ctx: Context) -> dict[str, Appointment]:
    with Session(ctx.engine) as session:
        return {a.external_id: a for a in session.exec(
            select(Appointment).where(col(Appointment.external_id).is_not(None)))}


def expected_bad(existing: int) -> list[str]:
    return [
        "line 3: clashes with Dr. Avery Able's visit (line 2)",
        "line 4: room: Exam 1 is taken then (line 2)",
        "line 9: status: a visit that has not happened yet cannot be completed",
        "line 10: patient: no patient with old id P99 on file (import the patients first)",
        f"line 11: clashes with Dr. Avery Able's visit (appointment {existing} at "
        "2027-03-16 10:00)",
        "line 12: start: '2027-02-30 10:00' is not a time on the calendar",
        "line 15: id A1 is also on line 2",
    ]


def test_a_clash_or_bad_row_stops_everything(ctx: Context, practice: Practice, setup: int,
                                             tmp_path: Path) -> None:
    before = imported(ctx)
    result = imports.import_appointments(ctx, staff="mgr", path=write(tmp_path, VISITS))
    assert result.aborted
    assert result.imported == 0
    assert [line.text() for line in result.bad] == expected_bad(setup)
    assert imported(ctx) == before == {}


def test_skip_bad_imports_the_rest_flagged_for_a_scheduler(
        ctx: Context, practice: Practice, setup: int, tmp_path: Path) -> None:
    path = write(tmp_path, VISITS)
    result = imports.import_appointments(ctx, staff="mgr", path=path, skip_bad=True)
    assert [line.text() for line in result.bad] == expected_bad(setup)
    found = imported(ctx)
    assert sorted(found) == ["A1", "A12", "A13", "A4", "A5", "A6", "A7"]
    assert result.imported == 7
    assert result.history == 2
    assert result.callbacks == 1
    a1, a4, a5, a12 = found["A1"], found["A4"], found["A5"], found["A12"]
    assert a1.starts_at == local(date(2027, 3, 15), 9)
    assert a1.ends_at - a1.starts_at == timedelta(minutes=20)  # the visit type's length
    assert a1.room_id == practice.exam_rooms[0]
    assert a1.attention == "this would be a first visit for this patient (imported)"
    assert a4.status == "confirmed"
    assert a4.attention == "outside Pat Baker, PA-C's hours at Test Clinic (imported)"
    assert a5.attention == "inside a closure (Staff training) (imported)"
    assert a12.room_id == practice.procedure_room
    assert a12.attention is not None
    assert a12.attention == ("this would be a first visit for this patient; Payer not "
                             "recognised (imported)")
    assert (found["A6"].status, found["A7"].status) == ("completed", "no_show")
    assert found["A6"].attention is None
    assert found["A13"].status == "cancelled"
    assert found["A13"].cancel_reason == "cancelled in the old system"
    assert found["A13"].ends_at - found["A13"].starts_at == timedelta(minutes=45)
    with Session(ctx.engine) as session:
        manager = session.exec(select(Staff).where(Staff.username == "mgr")).one()
        assert {a.booked_by_id for a in found.values()} == {manager.id}
        assert {a.booked_at for a in found.values()} == {ctx.now()}
        events = session.exec(select(AuditEvent).where(
            AuditEvent.action == "import.appointments")).all()
        callback = session.exec(select(CallbackTask).where(
            CallbackTask.appointment_id == a12.id)).one()
    assert len(events) == 1
    assert events[0].after == {"rows": 14, "imported": 7, "bad": 7, "already_imported": 0,
                               "history": 2, "for_a_scheduler": 4, "callbacks": 1}
    assert callback.status == "open"
    scheduler = [line.text() for line in result.attention]
    assert scheduler[:3] == [
        "line 2: this would be a first visit for this patient: a first visit is the "
        "new-patient evaluation, unless a physician ordered this visit (then say so: ordered "
        f"by the physician) (imported) (appointment {a1.id})",
        f"line 5: outside Pat Baker, PA-C's hours at Test Clinic (imported) (appointment "
        f"{a4.id})",
        f"line 6: inside a closure (Staff training) (imported) (appointment {a5.id})",
    ]
    assert scheduler[3].startswith("line 13: ")
    report = result.report()
    assert "for a scheduler (imported, to look at):\n" + "\n".join(scheduler) in report

    again = imports.import_appointments(ctx, staff="mgr", path=path, skip_bad=True)
    assert again.imported == 0
    assert [line.line for line in again.already] == [2, 5, 6, 7, 8, 13, 14, 15]
    assert len(imported(ctx)) == 7


def test_a_dry_run_writes_nothing(ctx: Context, practice: Practice, setup: int,
                                  tmp_path: Path) -> None:
    good = [VISITS[0], VISITS[1], VISITS[5], VISITS[13]]
    result = imports.import_appointments(ctx, staff="mgr", path=write(tmp_path, good),
                                         dry_run=True)
    assert (result.good, result.imported, result.bad) == (3, 0, ())
    assert [line.text() for line in result.attention] == [
        "line 2: this would be a first visit for this patient: a first visit is the "
        "new-patient evaluation, unless a physician ordered this visit (then say so: ordered "
        "by the physician) (imported)",
        "line 3: inside a closure (Staff training) (imported)"]
    assert imported(ctx) == {}


def test_only_a_manager_or_admin_imports(ctx: Context, practice: Practice, setup: int,
                                         tmp_path: Path) -> None:
    with pytest.raises(NotAllowed, match="needs a manager or admin"):
        imports.import_appointments(ctx, staff="desk", path=write(tmp_path, VISITS[:2]))
    assert imported(ctx) == {}


def test_patients_by_name_and_dob_and_date_and_time_columns(
        ctx: Context, practice: Practice, setup: int, tmp_path: Path) -> None:
    lines = ["Appt ID,Patient,DOB,Date,Time,End,Type,Doctor,Clinic",
             "B1,\"Quill, Avery\",04/02/1961,03/22/2027,9:30 AM,9:50 AM,Follow-up,"
             "Dr Avery Able,Test Clinic",
             "B2,Nobody Here,1961-04-02,03/22/2027,10:30 AM,,Follow-up,Dr Avery Able,"
             "Test Clinic"]
    result = imports.import_appointments(ctx, staff="mgr", path=write(tmp_path, lines),
                                         skip_bad=True)
    assert [line.text() for line in result.bad] == [
        "line 3: patient: no patient on file with that name and date of birth"]
    b1 = imported(ctx)["B1"]
    assert b1.starts_at == local(date(2027, 3, 22), 9, 30)
    assert b1.ends_at == local(date(2027, 3, 22), 9, 50)
    with Session(ctx.engine) as session:
        patient = session.get(Patient, b1.patient_id)
        assert patient is not None
        assert patient.external_id == "P1"


def calendar_file(tmp_path: Path) -> tuple[Path, list[int]]:
    """Visits either side of the 14 March 2027 change in Chicago, in four ways of writing a
    time, an all-day event and one with an unknown provider; with the lines of each event."""
    from zoneinfo import ZoneInfo

    chicago = ZoneInfo("America/Chicago")
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Old system//EN")
    cal.add("version", "2.0")

    def event(uid: str, start: object, end: object | None, *, provider: str = "Dr. Avery Able",
              description: str = "Patient-Id: P1", extra: dict[str, str] | None = None) -> None:
        ev = icalendar.Event()
        ev.add("uid", uid)
        ev.add("dtstart", start)
        if end is not None:
            ev.add("dtend", end)
        ev.add("summary", "Follow-up")
        ev.add("location", "Test Clinic")
        organizer = icalendar.vCalAddress("mailto:able@example.org")
        organizer.params["cn"] = icalendar.vText(provider)
        ev.add("organizer", organizer)
        ev.add("description", description)
        for key, value in (extra or {}).items():
            ev.add(key, value)
        cal.add_component(ev)

    event("E1", datetime(2027, 3, 12, 9, tzinfo=chicago), datetime(2027, 3, 12, 9, 20,
                                                                       tzinfo=chicago))
    event("E2", datetime(2027, 3, 15, 9, tzinfo=chicago), datetime(2027, 3, 15, 9, 20,
                                                                       tzinfo=chicago),
          description="Room: Exam 2\nPatient-Id: P2", extra={"STATUS": "CONFIRMED"})
    event("E3", datetime(2027, 3, 16, 16, tzinfo=UTC), datetime(2027, 3, 16, 16, 20,
                                                                    tzinfo=UTC),
          description="", extra={"X-FRONTDESK-PATIENT-ID": "P3"})
    floating = datetime(2027, 3, 18, 9, tzinfo=chicago).replace(tzinfo=None)
    event("E4", floating, None)  # floating: local time at the location
    event("E5", date(2027, 3, 19), None)
    event("E6", datetime(2027, 3, 19, 9, tzinfo=chicago), None, provider="Dr. Nobody")
    cal.add_missing_timezones()
    path = tmp_path / "old.ics"
    path.write_bytes(cal.to_ical())
    lines = [n for n, line in enumerate(path.read_text().splitlines(), start=1)
             if line == "BEGIN:VEVENT"]
    return path, lines


def test_an_ics_across_the_dst_change_lands_at_the_right_utc_times(
        ctx: Context, practice: Practice, setup: int, tmp_path: Path) -> None:
    path, lines = calendar_file(tmp_path)
    result = imports.import_appointments(ctx, staff="mgr", path=path, skip_bad=True)
    assert [line.text() for line in result.bad] == [
        f"line {lines[4]}: an all-day event is not a visit",
        f"line {lines[5]}: provider: no provider 'Dr. Nobody' in the practice (frontdesk "
        "providers lists them)",
    ]
    found = imported(ctx)
    assert found["E1"].starts_at == datetime(2027, 3, 12, 15, tzinfo=UTC)  # CST, UTC-6
    assert found["E1"].ends_at == datetime(2027, 3, 12, 15, 20, tzinfo=UTC)
    assert found["E2"].starts_at == datetime(2027, 3, 15, 14, tzinfo=UTC)  # CDT, UTC-5
    assert found["E2"].status == "confirmed"
    assert found["E2"].room_id == practice.exam_rooms[1]
    assert found["E3"].starts_at == datetime(2027, 3, 16, 16, tzinfo=UTC)
    assert found["E4"].starts_at == datetime(2027, 3, 18, 14, tzinfo=UTC)
    assert found["E4"].ends_at == datetime(2027, 3, 18, 14, 20, tzinfo=UTC)
    with Session(ctx.engine) as session:
        patients = {p.id: p.external_id for p in session.exec(select(Patient))}
    assert [patients[found[e].patient_id] for e in ("E1", "E2", "E3", "E4")] == [
        "P1", "P2", "P3", "P1"]
    # read back with the same library: the old file's times, as written
    back = icalendar.Calendar.from_ical(path.read_bytes())
    starts = {str(e["UID"]): e.decoded("DTSTART") for e in back.walk("VEVENT")}
    assert starts["E1"].astimezone(UTC) == found["E1"].starts_at
    assert starts["E2"].astimezone(UTC) == found["E2"].starts_at


def test_a_future_procedure_breaking_a_payer_rule_is_kept_and_flagged(
        ctx: Context, practice: Practice, setup: int, tmp_path: Path) -> None:
    lines = [HEADER,
             "H1,P1,2026-09-01 09:00,,new-patient,Avery Able,Test Clinic,,completed,,,",
             "F1,P1,2027-03-22 09:00,,facet-therapeutic,Avery Able,Test Clinic,,booked,lumbar,"
             "L4-L5,bilateral"]
    result = imports.import_appointments(ctx, staff="mgr", path=write(tmp_path, lines))
    assert result.imported == 2
    therapeutic = imported(ctx)["F1"]
    assert therapeutic.status == "booked"
    assert therapeutic.attention is not None
    assert therapeutic.attention.startswith("breaks the payer rules of Medicare")
    assert therapeutic.attention.endswith(" (imported)")
    [line] = result.attention
    assert line.line == 3
    assert line.reasons[0].startswith("breaks the payer rules of Medicare")
    assert line.reasons[-1].endswith(f"(imported) (appointment {therapeutic.id})")


def test_the_database_refusing_a_clash_is_a_plain_error_and_nothing_is_written(
        ctx: Context, practice: Practice, setup: int, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Were the import's own check ever to miss a clash (or a booking slip in meanwhile), the
    database's refusal ends it as a plain message with nothing written, not a crash."""
    from frontdesk.services.imports import schedule

    monkeypatch.setattr(schedule.Track, "clash", lambda *_: None)
    with pytest.raises(imports.ImportClashed, match="nothing was imported"):
        imports.import_appointments(ctx, staff="mgr", path=write(tmp_path, VISITS[:3]))
    assert imported(ctx) == {}
