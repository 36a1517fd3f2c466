"""What an import of visits and patients must refuse or flag as booking does: retired rooms,
visit types, providers and locations for visits still to come; the booking checks on every
future visit; names matched only exactly (every match listed); rows without an id imported
once; control characters; a broken .ics; the patient records' duplicate rule and merged
records. Every name here is synthetic."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import update
from sqlmodel import Session, col, select

from frontdesk.db.engine import run_write
from frontdesk.db.models import Location, Patient, Provider, Room, VisitType
from frontdesk.services import imports
from frontdesk.services.context import Context
from frontdesk.services.errors import InvalidInput
from tests.practice import Practice
from tests.services.test_import_appointments import HEADER, PATIENTS, imported, write

HISTORY = "H1,P1,2026-09-01 09:00,,new-patient,Dr. Avery Able,Test Clinic,,completed,,,"


@pytest.fixture
def patients(ctx: Context, practice: Practice, tmp_path: Path) -> dict[str, int]:
    """P1..P3 imported; their ids by old id."""
    path = write(tmp_path, PATIENTS, "patients.csv")
    assert imports.import_patients(ctx, staff="mgr", path=path).imported == 3
    with Session(ctx.engine) as session:
        return {p.external_id: p.id or 0 for p in session.exec(select(Patient))
                if p.external_id}


def retire(ctx: Context, table: type, name: str) -> None:
    def work(session: Session) -> None:
        session.connection().execute(update(table).where(col(table.name) == name)
                                     .values(active=False))

    run_write(ctx.engine, work)


def texts(lines: tuple[imports.Line, ...]) -> list[str]:
    return [line.text() for line in lines]


def test_a_retired_room_is_never_chosen_nor_taken_for_a_visit_to_come(
        ctx: Context, practice: Practice, patients: dict[str, int], tmp_path: Path) -> None:
    retire(ctx, Room, "Exam 1")
    lines = [HEADER, HISTORY,
             "R1,P1,2027-03-22 09:00,,follow-up,Dr. Avery Able,Test Clinic,,booked,,,",
             "R2,P1,2027-03-23 09:00,,follow-up,Dr. Avery Able,Test Clinic,Exam 1,booked,,,",
             "R3,P1,2026-10-01 09:00,,follow-up,Dr. Avery Able,Test Clinic,Exam 1,completed,,,"]
    result = imports.import_appointments(ctx, staff="mgr", path=write(tmp_path, lines),
                                         skip_bad=True)
    assert texts(result.bad) == [
        "line 4: room: Exam 1 is retired in the practice; a visit still to come needs one in "
        "use"]
    found = imported(ctx)
    assert found["R1"].room_id == practice.exam_rooms[1]  # not the retired Exam 1
    assert found["R3"].room_id == practice.exam_rooms[0]  # history keeps its room


@pytest.mark.parametrize(("table", "name", "column", "row"), [
    (VisitType, "Follow-up", "visit_type", "follow-up,Dr. Avery Able,Test Clinic"),
    (Provider, "Dr. Avery Able", "provider", "follow-up,Dr. Avery Able,Test Clinic"),
    (Location, "Test Clinic", "location", "follow-up,Dr. Avery Able,Test Clinic"),
])
def test_a_retired_visit_type_provider_or_location_is_a_bad_row_for_a_visit_to_come(
        ctx: Context, practice: Practice, patients: dict[str, int], tmp_path: Path,
        table: type, name: str, column: str, row: str) -> None:
    retire(ctx, table, name)
    lines = [HEADER, f"T1,P1,2027-03-22 09:00,,{row},,booked,,,",
             f"T2,P1,2026-10-01 09:00,,{row},,completed,,,"]
    result = imports.import_appointments(ctx, staff="mgr", path=write(tmp_path, lines),
                                         skip_bad=True)
    assert texts(result.bad) == [
        f"line 2: {column}: {name} is retired in the practice; a visit still to come needs "
        "one in use"]
    assert sorted(imported(ctx)) == ["T2"]


def test_every_future_visit_passes_the_booking_checks_flagged_when_refused(
        ctx: Context, practice: Practice, patients: dict[str, int], tmp_path: Path) -> None:
    lines = [HEADER, HISTORY,
             "O1,P1,2027-03-22 09:00,,follow-up,Dr. Avery Able,Test Clinic,,booked,,,",
             "O2,P1,2027-03-22 09:10,,follow-up,Pat Baker,Test Clinic,,booked,,,",
             "C1,P2,2027-03-23 09:00,,rfa-consult,Dr. Avery Able,Test Clinic,,booked,,,"]
    result = imports.import_appointments(ctx, staff="mgr", path=write(tmp_path, lines))
    assert result.imported == 4
    found = imported(ctx)
    flagged = {line.line: line.reasons for line in result.attention}
    assert flagged[3][0].startswith("the patient already has a follow-up at Mon Mar 22 09:10 "
                                    "at Test Clinic, overlapping this time")
    assert flagged[4][0].startswith("the patient already has a follow-up at Mon Mar 22 09:00 "
                                    "at Test Clinic, overlapping this time")
    assert flagged[5][0].startswith("this would be a first visit for this patient")
    assert found["O1"].attention is not None
    assert found["O1"].attention.startswith("the patient already has a follow-up")
    assert found["C1"].attention is not None
    assert found["C1"].attention.startswith("this would be a first visit for this patient")
    assert "for a scheduler (imported, to look at):\nline 3: the patient already has" \
        in result.report()


@pytest.mark.parametrize(("written", "nearest"), [
    ("Therapeutic", "facet-therapeutic"),
    ("Consult", "rfa-consult"),
])
def test_a_visit_type_is_matched_only_whole_else_the_nearest_are_named(
        ctx: Context, practice: Practice, patients: dict[str, int], tmp_path: Path,
        written: str, nearest: str) -> None:
    lines = [HEADER, f"V1,P1,2027-03-22 09:00,,{written},Dr. Avery Able,Test Clinic,,,,,"]
    result = imports.import_appointments(ctx, staff="mgr", path=write(tmp_path, lines),
                                         dry_run=True)
    [bad] = texts(result.bad)
    assert bad.startswith(f"line 2: visit_type: no visit type '{written}' in the practice; "
                          "nearest: ")
    assert nearest in bad


def test_providers_and_locations_match_whole_and_every_match_is_in_the_report(
        ctx: Context, practice: Practice, patients: dict[str, int], tmp_path: Path) -> None:
    lines = [HEADER, HISTORY,
             "M1,P1,2027-03-22 09:00,,FOLLOW UP,dr avery able,TEST CLINIC,exam 2,Scheduled,,,",
             "M2,P1,2027-03-23 09:00,,follow-up,Able,Test Clinic,,,,,",
             "M3,P1,2027-03-24 09:00,,follow-up,Pat Baker,Test,,,,,"]
    result = imports.import_appointments(ctx, staff="mgr", path=write(tmp_path, lines),
                                         skip_bad=True)
    assert texts(result.bad) == [
        "line 4: provider: no provider 'Able' in the practice; nearest: Dr. Avery Able, Pat "
        "Baker, PA-C (frontdesk providers lists them)",
        "line 5: location: no location 'Test' in the practice; nearest: Test Clinic "
        "(frontdesk locations lists them)"]
    assert result.matched == (
        "location: 'Test Clinic' → Test Clinic",
        "location: 'TEST CLINIC' → Test Clinic",
        "provider: 'Dr. Avery Able' → Dr. Avery Able",
        "provider: 'dr avery able' → Dr. Avery Able",
        "provider: 'Pat Baker' → Pat Baker, PA-C",
        "visit type: 'new-patient' → new-patient",
        "visit type: 'FOLLOW UP' → follow-up",
        "visit type: 'follow-up' → follow-up",
        "room: 'exam 2 at Test Clinic' → Exam 2",
        "status: 'completed' → completed",
        "status: 'Scheduled' → booked",
    )
    assert ("values read as the practice's (theirs → ours: check them):\n"
            "location: 'Test Clinic' → Test Clinic\n") in result.report()
    assert imported(ctx)["M1"].room_id == practice.exam_rooms[1]


def test_the_patients_report_lists_each_location_and_payer_as_read(
        ctx: Context, practice: Practice, tmp_path: Path) -> None:
    lines = ["id,first_name,last_name,dob,phone,payer,preferred_location",
             "L1,Gale,Hollis,1972-08-09,918-555-0131,medicare,test clinic",
             "L2,Harper,Ives,1983-03-03,918-555-0132,Medicare,TEST CLINIC",
             "L3,Indy,Jett,1970-05-17,918-555-0133,,Test"]
    result = imports.import_patients(ctx, staff="mgr", path=write(tmp_path, lines),
                                     skip_bad=True)
    assert texts(result.bad) == [
        "line 4: preferred_location: no location 'Test' in the practice; nearest: Test Clinic "
        "(frontdesk locations lists them)"]
    assert result.matched[:2] == ("location: 'test clinic' → Test Clinic",
                                  "location: 'TEST CLINIC' → Test Clinic")
    assert [m.split(" → ")[0] for m in result.matched[2:]] == [
        "payer: 'medicare'", "payer: 'Medicare'"]


def test_rows_without_an_id_are_imported_once(
        ctx: Context, practice: Practice, patients: dict[str, int], tmp_path: Path) -> None:
    lines = [HEADER, HISTORY.replace("H1,", ",", 1),
             ",P1,2027-03-22 09:00,,follow-up,Dr. Avery Able,Test Clinic,,booked,,,",
             ",P1,2027-03-22 13:00,,follow-up,Dr. Avery Able,Test Clinic,,cancelled,,,",
             ",P1,2027-03-22 13:00,,follow-up,Dr. Avery Able,Test Clinic,,booked,,,"]
    path = write(tmp_path, lines)
    first = imports.import_appointments(ctx, staff="mgr", path=path, skip_bad=True)
    assert first.imported == 3
    assert texts(first.bad) == [
        "line 5: no id, and the same patient, provider and start as line 4 (give each visit "
        "its id)"]
    again = imports.import_appointments(ctx, staff="mgr", path=path, skip_bad=True)
    assert again.imported == 0
    assert [line.line for line in again.already] == [2, 3, 4, 5]
    assert again.already[1].reasons[0].startswith(
        "no id, and the same patient, provider and start as appointment ")


def calendar(events: list[list[str]]) -> str:
    return "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Old system//EN",
                        *(line for event in events
                          for line in ["BEGIN:VEVENT", *event, "END:VEVENT"]),
                        "END:VCALENDAR", ""])


EVENT = ["DTSTART;TZID=America/Chicago:20270322T090000", "SUMMARY:Follow-up",
         "LOCATION:Test Clinic", "X-FRONTDESK-PROVIDER:Dr. Avery Able",
         "X-FRONTDESK-PATIENT-ID:P1"]


def test_an_ics_without_uids_imported_twice_makes_no_duplicates(
        ctx: Context, practice: Practice, patients: dict[str, int], tmp_path: Path) -> None:
    path = tmp_path / "old.ics"
    path.write_text(calendar([EVENT]))
    assert imports.import_appointments(ctx, staff="mgr", path=path).imported == 1
    again = imports.import_appointments(ctx, staff="mgr", path=path)
    assert (again.imported, len(again.already), again.bad) == (0, 1, ())


def test_a_broken_ics_property_is_a_bad_row(
        ctx: Context, practice: Practice, patients: dict[str, int], tmp_path: Path) -> None:
    path = tmp_path / "old.ics"
    path.write_text(calendar([["UID:B1", "DTSTART:2027garbage", *EVENT[1:]],
                              ["UID:B2", *EVENT]]))
    result = imports.import_appointments(ctx, staff="mgr", path=path, skip_bad=True)
    assert texts(result.bad) == ["line 4: DTSTART is not a date and time"]
    assert sorted(imported(ctx)) == ["B2"]


def test_a_file_that_is_not_an_ics_never_echoes_control_characters(
        ctx: Context, practice: Practice, tmp_path: Path) -> None:
    path = tmp_path / "old.ics"
    path.write_text("BEGIN:VCALENDAR\r\nFOO\x1b]0;pwned\x07\r\nEND:VCALENDAR\r\n")
    with pytest.raises(InvalidInput) as caught:
        imports.import_appointments(ctx, staff="mgr", path=path)
    assert caught.value.message.startswith("old.ics is not an iCalendar file: ")
    assert all(ch.isprintable() for ch in caught.value.message)


def test_control_characters_in_a_cell_are_a_bad_row_naming_the_column(
        ctx: Context, practice: Practice, tmp_path: Path) -> None:
    lines = ["id,first_name,last_name,dob,phone,address,alert_note",
             'A1,Gale,Hollis,1972-08-09,918-555-0131,"1 Elm\x1b]0;pwned\x07 St",',
             "A2\x1b[2J,Harper,Ives,1983-03-03,918-555-0132,,",
             'A3,Indy,Jett,1970-05-17,918-555-0133,"1 Oak St\nApt 2","two\tlines\nof note"',
             "A4,Kit,Lamb\u202e,1970-05-18,918-555-0134,,"]
    result = imports.import_patients(ctx, staff="mgr", path=write(tmp_path, lines),
                                     skip_bad=True)
    assert texts(result.bad) == [
        "line 2: address: has a control character (such as an escape or a line break)",
        "line 3: id: has a control character (such as an escape or a line break)",
        "line 7: last_name: has a control character (such as an escape or a line break); "
        "name: control characters (such as tabs, line breaks, escapes or text-direction "
        "marks) are not allowed: type plain text"]
    assert result.imported == 1


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null"])
def test_only_a_regular_file_is_read(ctx: Context, practice: Practice, device: str) -> None:
    with pytest.raises(InvalidInput, match="is not a regular file"):
        imports.import_patients(ctx, staff="mgr", path=Path(device))


def test_a_folder_is_not_read(ctx: Context, practice: Practice, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="is a folder, not a file"):
        imports.import_patients(ctx, staff="mgr", path=tmp_path)


def test_the_size_limit_holds_whatever_the_file_says(
        ctx: Context, practice: Practice, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from frontdesk.services.imports import reading

    monkeypatch.setattr(reading, "MAX_BYTES", 100)
    path = write(tmp_path, PATIENTS * 5)
    with pytest.raises(InvalidInput, match="larger than"):
        imports.import_patients(ctx, staff="mgr", path=path)


def test_a_similar_name_on_the_same_birthday_or_any_same_phone_is_held_back(
        ctx: Context, practice: Practice, patients: dict[str, int], tmp_path: Path) -> None:
    lines = ["id,first_name,last_name,dob,phone",
             "N1,Avery,Quil,1961-04-02,918-555-0190",  # misspelt, same birthday as P1
             "N2,Dana,Tarn,1990-01-01,918-555-0102",  # the phone of P2 (imported, with an id)
             "N3,Erin,Ulm,1991-01-01,918-555-0191"]
    result = imports.import_patients(ctx, staff="mgr", path=write(tmp_path, lines))
    assert texts(result.duplicates) == [
        f"line 2: possible duplicate of patient {patients['P1']} (same birth date, similar "
        "name)",
        f"line 3: possible duplicate of patient {patients['P2']} (same phone)"]
    assert result.imported == 1


def test_a_visit_of_a_merged_away_record_goes_to_the_kept_one(
        ctx: Context, practice: Practice, patients: dict[str, int], tmp_path: Path) -> None:
    def merge(session: Session) -> None:
        session.connection().execute(update(Patient).where(
            col(Patient.id) == patients["P3"]).values(merged_into_id=patients["P1"]))

    run_write(ctx.engine, merge)
    lines = [HEADER, HISTORY,
             "G1,P3,2027-03-22 09:00,,follow-up,Dr. Avery Able,Test Clinic,,booked,,,"]
    result = imports.import_appointments(ctx, staff="mgr", path=write(tmp_path, lines))
    assert result.imported == 2
    assert imported(ctx)["G1"].patient_id == patients["P1"]
    by_name = [HEADER.replace("patient_id", "patient_name") + ",dob",
               "G2,Cory Sable,2027-03-23 09:00,,follow-up,Dr. Avery Able,Test Clinic,,booked,,,,"
               "1980-03-04"]
    refused = imports.import_appointments(ctx, staff="mgr", path=write(tmp_path, by_name),
                                          dry_run=True)
    assert texts(refused.bad) == [
        "line 2: patient: no patient on file with that name and date of birth"]

