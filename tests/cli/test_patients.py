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
        "payer_key": None, "member_id": "", "mobile": "", "sms_consent": False, "email": "",
        "email_consent": False,
        "address": "", "city": "", "state": "", "zip": "", "alerts": [], "alert_note": "",
        "external_id": None, "version": 1,
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


# --------------------------------------------------------------------------- payers


def test_payers_lists_the_catalogue_and_searches_it(desk: Desk) -> None:
    listed = desk.run("payers")
    assert listed.exit_code == 0, listed.stderr
    header, medicare, *rest = listed.stdout.splitlines()
    assert header.split()[:3] == ["KEY", "NAME", "RULES"]
    assert medicare.startswith("medicare ")
    assert "Medicare Part B (Novitas)" in medicare
    assert "Medicare (Novitas)" in medicare
    assert any(line.startswith("self-pay ") and "no payer rules" in line for line in rest)
    typo = json.loads(desk.run("payers", "Medcare", "--json").stdout)
    assert typo[0]["key"] == "medicare"
    nothing = desk.run("payers", "zzzz")
    assert (nothing.exit_code, nothing.stdout) == (0, "No plan matches 'zzzz'.\n")


def test_adding_a_patient_with_a_payer_not_in_the_list_is_refused(desk: Desk) -> None:
    before = desk.state()
    result = desk.run("patients", "add", "--name", "Morgan Reyes", "--dob", "1961-04-02",
                      "--phone", "918-555-0177", "--payer", "Medcare", "--as", "desk")
    assert result.exit_code == 2
    assert result.stderr == ("error: payer: 'Medcare' is not in the practice's payer list; "
                             "did you mean Medicare Part B (Novitas)?\n")
    assert desk.state() == before
    added = json.loads(desk.run("patients", "add", "--name", "Morgan Reyes", "--dob",
                                "1961-04-02", "--phone", "918-555-0177", "--payer",
                                "medicare part b", "--member-id", "1EG4-TE5-MK72", "--as",
                                "desk", "--json").stdout)
    assert (added["payer_key"], added["payer"], added["member_id"]) == (
        "medicare", "Medicare Part B (Novitas)", "1EG4-TE5-MK72")


def test_unrecognised_payers_are_listed_fixed_and_mapped(desk: Desk) -> None:
    from sqlalchemy import text

    from frontdesk.db.engine import make_engine

    engine = make_engine(desk.db)
    with engine.begin() as conn:
        conn.execute(text("UPDATE patient SET payer = 'Medcare' WHERE id = :id"),
                     {"id": desk.practice.other_patient_id})
    engine.dispose()
    census = desk.run("patients", "payers", "--as", "desk")
    assert census.exit_code == 0, census.stderr
    out = census.stdout
    assert "0 patient(s) have a plan from the list." in out
    assert "Medcare   NOT RECOGNISED" in out
    assert "Self-pay  Self-pay" in out
    assert f"{desk.practice.other_patient_id}   Sample, Jordan  1982-11-02  Medcare" in out
    refused = desk.run("patients", "payers", "--map", "--as", "desk")
    assert refused.exit_code == 6
    mapped = desk.run("patients", "payers", "--map", "--as", "mgr", "--json")
    assert mapped.exit_code == 0, mapped.stderr
    result = json.loads(mapped.stdout)
    assert (result["mapped"], result["chosen"]) == (1, 1)
    assert [p["id"] for p in result["unrecognised"]] == [desk.practice.other_patient_id]
    fixed = desk.run("patients", "edit", str(desk.practice.other_patient_id), "--payer",
                     "Aetna", "--member-id", "W123456", "--as", "desk")
    assert (fixed.exit_code, fixed.stdout) == (
        0, f"Patient {desk.practice.other_patient_id}: payer Aetna, member id updated\n")
    after = json.loads(desk.run("patients", "payers", "--as", "desk", "--json").stdout)
    assert (after["chosen"], after["unrecognised"]) == (2, [])
    wrong = desk.run("patients", "edit", "999", "--payer", "Aetna", "--as", "desk")
    assert (wrong.exit_code, wrong.stderr) == (2, "error: patient: no patient with id 999\n")
