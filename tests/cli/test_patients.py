"""Adding and finding patients from the shell."""

from __future__ import annotations

import json

from tests.cli.conftest import Desk, assert_clean

SQL = "Robert'); DROP TABLE patient;--"


def test_add_patient_writes_the_row_and_its_audit_event(desk: Desk) -> None:
    result = desk.run("patients", "add", "--name", "Morgan O'Neil-Reyes", "--dob", "4/2/1961",
                      "--phone", "(918) 555-0177", "--location", "Test Clinic", "--payer",
                      "Medicare", "--as", "desk")
    assert_clean(result)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ("Added patient 3: Morgan O'Neil-Reyes, born 1961-04-02, "
                             "(918) 555-0177\n")
    state = desk.state()
    assert (state["patient"], state["audit_event"]) == (3, 1)


def test_add_patient_json(desk: Desk) -> None:
    result = desk.run("patients", "add", "--name", "Reyes, Morgan", "--dob", "1961-04-02",
                      "--phone", "918.555.0177", "--as", "desk", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {
        "id": 3, "first_name": "Morgan", "last_name": "Reyes", "dob": "1961-04-02",
        "phone": "+19185550177", "preferred_location_id": None, "payer": "",
    }


def test_find_by_name_phone_and_birth_date(desk: Desk) -> None:
    by_name = desk.run("patients", "find", "--as", "desk", "testc")
    assert_clean(by_name)
    assert by_name.exit_code == 0
    header, row = by_name.stdout.splitlines()
    assert header.split() == ["ID", "NAME", "BORN", "PHONE", "PAYER"]
    assert row.split() == ["1", "Testcase,", "Casey", "1970-05-17", "(918)", "555-0111",
                           "Self-pay"]
    by_phone = json.loads(desk.run("patients", "find", "--as", "desk", "918-555-0122",
                                   "--json").stdout)
    assert [p["id"] for p in by_phone] == [desk.practice.other_patient_id]
    by_dob = json.loads(desk.run("patients", "find", "--as", "desk", "5/17/1970", "--json").stdout)
    assert [p["last_name"] for p in by_dob] == ["Testcase"]


def test_find_with_sql_looking_text_matches_nothing_and_harms_nothing(desk: Desk) -> None:
    before = desk.state()
    result = desk.run("patients", "find", "--as", "desk", SQL)
    assert result.exit_code == 0
    assert result.stdout == "No patients match.\n"
    assert desk.run("patients", "find", "--as", "desk", "%", "--json").stdout.strip() == "[]"
    after = desk.state()
    assert after.pop("audit_event") == before.pop("audit_event") + 2  # who searched, twice
    assert after == before


def test_patients_on_postgresql(pg_desk: Desk) -> None:
    added = pg_desk.run("patients", "add", "--name", "Avery Quill", "--dob", "1955-01-31",
                        "--phone", "9185550190", "--as", "desk", "--json")
    assert added.exit_code == 0, added.stderr
    new_id = json.loads(added.stdout)["id"]
    found = json.loads(pg_desk.run("patients", "find", "--as", "desk", "quill", "--json").stdout)
    assert [p["id"] for p in found] == [new_id]
    bad = pg_desk.run("patients", "add", "--name", "Avery Quill", "--dob", "1955-01-31",
                      "--phone", "12", "--as", "desk")
    assert bad.exit_code == 2
    assert bad.stderr.startswith("error: phone: not a valid phone number")
    assert "12" not in bad.stderr  # the typed number is a patient's detail: not repeated
    assert pg_desk.state()["patient"] == 3
