"""Importing another system's patient list: messy CSVs, checked line by line, on SQLite and
PostgreSQL. Every name here is synthetic."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import Session, col, select

from frontdesk.db.models import AuditEvent, Patient
from frontdesk.domain.imports import DateOrder
from frontdesk.services import audit, imports
from frontdesk.services.context import Context
from frontdesk.services.errors import InvalidInput, NotAllowed
from tests.practice import Practice

HEADER = ("id,first_name,last_name,dob,phone,mobile,sms_consent,email,payer,preferred_location,"
          "alerts")
MESSY = [
    HEADER,
    "P1,Avery,Quill,1961-04-02,(918) 555-0101,,no,aq@example.com,Medicare,Test Clinic,interpreter",
    "P2,Blake,Rowan,1975-02-30,918-555-0102,,,,,,",
    "P3,Cory,Sable,03/04/1980,918.555.0103,,,,,,",
    "P4,Dana,Tarn,1990-01-01,555-12,,,,Medcare,,",
    "P1,Avery,Quill,1961-04-02,(918) 555-0101,,no,,,,",
    "P5, Avery , Quill ,1961-04-02,918 555 0105,,,,,,",
    "P6,Casey,Testcase,1970-05-17,918-555-0106,,,,,,",
    "P7,Ellis,Umber,1955-07-07,918-555-0122,,,,,,",
    "P8,Finley,Vale,1949-12-12,,+1 918 555 0108,yes,,Self-pay,,driver; blood-thinners",
]
EXPECTED_BAD = [
    "line 3: dob: '1975-02-30' is not a date on the calendar",
    "line 4: dob: '03/04/1980' could be 4 March 1980 or 3 April 1980; nothing in the file "
    "says which: give --dates mdy (month/day/year) or --dates dmy (day/month/year)",
    "line 5: phone: not a valid phone number: check the area code and the number of digits, "
    "e.g. 918-555-0142; payer: 'Medcare' is not in the practice's payer list; did you mean "
    "Medicare Part B (Novitas)?",
    "line 6: id P1 is also on line 2; same name and date of birth as line 2",
    "line 7: same name and date of birth as line 2",
]


def write(tmp_path: Path, lines: list[str], name: str = "patients.csv", *,
          newline: str = "\n", bom: bool = False) -> Path:
    path = tmp_path / name
    path.write_bytes(("\ufeff" if bom else "").encode() + newline.join(lines).encode()
                     + newline.encode())
    return path


def patients(ctx: Context) -> dict[str, Patient]:
    with Session(ctx.engine) as session:
        return {p.external_id: p for p in session.exec(
            select(Patient).where(col(Patient.external_id).is_not(None)))}


def count(ctx: Context, model: Any) -> int:
    with Session(ctx.engine) as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def test_a_bad_row_stops_the_whole_import_and_every_reason_is_reported(
        ctx: Context, practice: Practice, tmp_path: Path) -> None:
    before = count(ctx, Patient), count(ctx, AuditEvent)
    result = imports.import_patients(ctx, staff="mgr", path=write(tmp_path, MESSY))
    assert result.aborted
    assert not result.written
    assert result.imported == 0
    assert (count(ctx, Patient), count(ctx, AuditEvent)) == before
    assert [line.text() for line in result.bad] == EXPECTED_BAD
    assert [line.text() for line in result.duplicates] == [
        f"line 8: possible duplicate of patient {practice.patient_id} (same name and date of "
        "birth)",
        f"line 9: possible duplicate of patient {practice.other_patient_id} (same phone)",
    ]
    assert result.good == 2  # lines 2 and 10
    report = result.report().splitlines()
    assert report[0].startswith("frontdesk import patients: ")
    assert report[3] == ("nothing imported: 5 bad row(s); fix them and run it again, or give "
                         "--skip-bad to import the good rows.")
    start = report.index("bad rows (nothing is imported while there are any; --skip-bad "
                         "imports the rest):")
    assert report[start + 1:start + 6] == EXPECTED_BAD


def test_skip_bad_imports_the_good_rows_and_a_second_run_skips_them(
        ctx: Context, practice: Practice, tmp_path: Path) -> None:
    path = write(tmp_path, MESSY)
    result = imports.import_patients(ctx, staff="mgr", path=path, skip_bad=True)
    assert result.written
    assert result.imported == 2
    found = patients(ctx)
    assert set(found) == {"P1", "P8"}
    quill, vale = found["P1"], found["P8"]
    assert (quill.first_name, quill.last_name, quill.dob) == ("Avery", "Quill", date(1961, 4, 2))
    assert quill.phone == "+19185550101"
    assert quill.payer_key == "medicare"
    assert quill.preferred_location_id == practice.location_id
    assert quill.alerts == ["interpreter"]
    assert quill.email == "aq@example.com"
    assert (vale.phone, vale.mobile, vale.sms_consent) == ("+19185550108", "+19185550108", True)
    assert vale.alerts == ["driver", "blood-thinners"]
    assert vale.payer_key == "self-pay"
    with Session(ctx.engine) as session:
        events = session.exec(select(AuditEvent).where(
            AuditEvent.action == "import.patients")).all()
    assert len(events) == 1
    assert events[0].after == {"rows": 9, "imported": 2, "bad": 5, "already_imported": 0,
                               "possible_duplicates": 2}
    assert events[0].entity_id is None
    told = audit.audit_events(ctx, by="mgr", action="import.patients")
    assert [line.summary for line in told] == [
        "imported 2 patients from another system's file (5 bad rows skipped, 2 possible "
        "duplicates held back)"]

    again = imports.import_patients(ctx, staff="mgr", path=path, skip_bad=True)
    assert again.imported == 0
    assert [line.text() for line in again.already] == [
        f"line 2: id P1 is already patient {quill.id}",
        f"line 6: id P1 is already patient {quill.id}",
        f"line 10: id P8 is already patient {vale.id}",
    ]
    assert len(patients(ctx)) == 2


def test_a_dry_run_checks_everything_and_writes_nothing(
        ctx: Context, practice: Practice, tmp_path: Path) -> None:
    before = count(ctx, Patient), count(ctx, AuditEvent)
    lines = [MESSY[0], MESSY[1], MESSY[9]]
    result = imports.import_patients(ctx, staff="mgr", path=write(tmp_path, lines),
                                     dry_run=True)
    assert (result.good, result.imported, result.bad) == (2, 0, ())
    assert result.verdict() == "dry run, nothing written: 2 patients would be imported"
    assert (count(ctx, Patient), count(ctx, AuditEvent)) == before


def test_a_header_mapping_a_bom_crlf_quoted_lines_and_spaces(
        ctx: Context, practice: Practice, tmp_path: Path) -> None:
    lines = [
        "Chart Number ,Given,Family, Date of Birth ,Home Phone,Street,Fax",
        'X-1 , Gale , Hollis ,1972-08-09, 918 555 0131 ,"1 Elm St\r\nApt 2",918-555-9999',
        "X-2,Harper,Ives,1983-03-03,555,,",
        "X-3,Indy,Jett,05/17/1970,9185550133,,",
    ]
    path = write(tmp_path, lines, newline="\r\n", bom=True)
    mapping = imports.parse_mapping(["Given=first_name", "Family=last_name",
                                     "Street=address"], COLUMNS)
    result = imports.import_patients(ctx, staff="mgr", path=path, mapping=mapping,
                                     skip_bad=True)
    assert [line.text() for line in result.bad] == [
        "line 4: phone: not a valid phone number: check the area code and the number of "
        "digits, e.g. 918-555-0142"]
    assert result.ignored_columns == ("Fax",)
    found = patients(ctx)
    assert set(found) == {"X-1", "X-3"}
    assert (found["X-1"].first_name, found["X-1"].address) == ("Gale", "1 Elm St Apt 2")
    assert found["X-3"].dob == date(1970, 5, 17)  # the US order, said by no other date: not
    # ambiguous, since 17 cannot be a month


def test_slashed_dates_follow_the_file_or_the_person(
        ctx: Context, practice: Practice, tmp_path: Path) -> None:
    lines = ["id,first_name,last_name,dob,phone",
             "D1,Kit,Lamb,03/04/1980,918-555-0141",
             "D2,Lee,Moss,12/25/1966,918-555-0142"]
    result = imports.import_patients(ctx, staff="mgr", path=write(tmp_path, lines),
                                     dry_run=True)
    assert result.bad == ()  # line 3 can only be month first: the file's order
    assert "line 3 can only be read that way" in result.notes[0]
    mixed = [*lines, "D3,Max,Nash,25/12/1966,918-555-0143"]
    result = imports.import_patients(ctx, staff="mgr", path=write(tmp_path, mixed),
                                     dry_run=True)
    assert [line.line for line in result.bad] == [2]  # 03/04 is ambiguous in a mixed file
    told = imports.import_patients(ctx, staff="mgr", path=write(tmp_path, mixed),
                                   dates=DateOrder.DMY, skip_bad=True)
    assert [line.text() for line in told.bad] == [
        "line 3: dob: '12/25/1966' is not a day/month/year date (the file's dates are read "
        "as day/month/year)"]
    assert patients(ctx)["D1"].dob == date(1980, 4, 3)


def test_a_file_without_the_columns_it_needs_is_refused(
        ctx: Context, practice: Practice, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="no column for dob"):
        imports.import_patients(ctx, staff="mgr",
                                path=write(tmp_path, ["first_name,last_name,phone"]))
    with pytest.raises(InvalidInput, match="is not a column frontdesk reads"):
        imports.parse_mapping(["Birth=birthday"], COLUMNS)


def test_only_a_manager_or_admin_imports(ctx: Context, practice: Practice,
                                         tmp_path: Path) -> None:
    path = write(tmp_path, [MESSY[0], MESSY[1]])
    for who in ("desk", "sched"):
        with pytest.raises(NotAllowed, match="importing patients and visits from another "
                                             "system needs a manager or admin"):
            imports.import_patients(ctx, staff=who, path=path)
    assert patients(ctx) == {}
    assert imports.import_patients(ctx, staff="boss", path=path).imported == 1


COLUMNS = ("id", "first_name", "last_name", "name", "dob", "phone", "mobile", "sms_consent",
           "email", "address", "city", "state", "zip", "payer", "member_id",
           "preferred_location", "alerts", "alert_note")
