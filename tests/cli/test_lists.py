"""The reference lists (codes, ids, usernames the other commands take) and the entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from frontdesk import __version__
from tests.cli.conftest import Desk, assert_clean, invoke, password_file

REPO = Path(__file__).resolve().parents[2]


def test_locations_table_shows_id_name_phone_and_zone(desk: Desk) -> None:
    result = desk.run("locations")
    assert_clean(result)
    assert result.exit_code == 0
    header, row = result.stdout.splitlines()
    assert header.split() == ["ID", "NAME", "PHONE", "ADDRESS", "TIME", "ZONE"]
    assert row.startswith("1   Test Clinic  (918) 555-0100  1 Test Way, Tulsa, OK 74101")
    assert row.endswith("America/Chicago")


def test_locations_json(desk: Desk) -> None:
    result = desk.run("locations", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == [{
        "id": desk.practice.location_id, "name": "Test Clinic",
        "address": "1 Test Way, Tulsa, OK 74101", "phone": "+19185550100",
        "timezone": "America/Chicago", "zip": "",
    }]


def test_providers_lists_ids_and_the_visit_types_each_performs(desk: Desk) -> None:
    text = desk.run("providers").stdout.splitlines()
    assert [line.split()[0] for line in text] == ["ID", "1", "2", "3"]
    assert "facet-diagnostic" in text[1]
    assert "facet-diagnostic" not in text[2]
    assert text[3].split()[-1] == "massage"
    data = json.loads(desk.run("providers", "--json").stdout)
    assert [(p["id"], p["name"], p["kind"]) for p in data] == [
        (desk.practice.able, "Dr. Avery Able", "physician"),
        (desk.practice.baker, "Pat Baker, PA-C", "app"),
        (desk.practice.cole, "Tess Cole, LMT", "therapist"),
    ]
    assert data[2]["visit_type_codes"] == ["massage"]


def test_visit_types_lists_every_code_with_duration_and_buffers(desk: Desk) -> None:
    lines = desk.run("visit-types").stdout.splitlines()
    codes = [line.split()[0] for line in lines[1:]]
    assert codes == ["new-patient", "follow-up", "facet-diagnostic", "facet-therapeutic",
                     "rfa-consult", "rfa", "trigger-point", "med-management", "massage"]
    facet = lines[3].split()
    assert facet[-4:] == ["30", "15/15", "procedure", "1"]
    data = json.loads(desk.run("visit-types", "--json").stdout)
    assert data[5]["code"] == "rfa"
    assert (data[5]["duration_min"], data[5]["buffer_after_min"]) == (60, 30)


def test_rooms_by_location(desk: Desk) -> None:
    result = desk.run("rooms", "--location", "test clinic")
    assert result.exit_code == 0
    rows = [line.split("  ") for line in result.stdout.splitlines()[1:]]
    assert len(rows) == 4
    assert "Procedure Suite  procedure  yes" in result.stdout
    data = json.loads(desk.run("rooms", "--json").stdout)
    assert [r["id"] for r in data if r["kind"] == "procedure"] == [desk.practice.procedure_room]


def test_staff_list_shows_usernames(desk: Desk) -> None:
    result = desk.run("staff", "list")
    assert result.stdout.splitlines()[1].split() == ["desk", "Dana", "Desk", "receptionist", "1"]
    data = json.loads(desk.run("staff", "list", "--json").stdout)
    assert data[0] == {"id": 1, "name": "Dana Desk", "username": "desk", "role": "receptionist"}
    assert [(s["username"], s["role"]) for s in data[1:]] == [
        ("sched", "scheduler"), ("mgr", "manager"), ("boss", "admin")]


def test_db_comes_from_the_environment_when_no_option(desk: Desk,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRONTDESK_DB", desk.db)
    result = invoke("locations", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)[0]["name"] == "Test Clinic"


def test_bad_settings_file_is_a_warning_naming_file_and_key(
    desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "cfg"
    config.mkdir()
    (config / "settings.toml").write_text("[booking]\nhold_min = 999\n", encoding="utf-8")
    monkeypatch.setenv("FRONTDESK_CONFIG_DIR", str(config))
    result = desk.run("locations")
    assert result.exit_code == 0
    assert result.stderr.startswith(f"warning: {config / 'settings.toml'}: booking.hold_min")
    assert "Test Clinic" in result.stdout


def test_version_and_help_need_no_database() -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"frontdesk, version {__version__}"
    helped = invoke("--help")
    assert helped.exit_code == 0
    for command in ("appointments", "book", "cancel", "db", "locations", "patients",
                    "providers", "reschedule", "rooms", "show", "slots", "staff", "status",
                    "visit-types"):
        assert f"\n  {command} " in helped.stdout
    assert "Exit codes" in helped.stdout


def _python(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=REPO, capture_output=True, text=True,
                          timeout=120, check=False)


def test_python_m_frontdesk_is_the_entry_point(desk: Desk) -> None:
    done = _python("-m", "frontdesk", "--db", desk.db, "locations")
    assert done.returncode == 0, done.stderr
    assert "Test Clinic" in done.stdout
    assert done.stderr == ""


def test_entry_point_bad_input_is_one_plain_line_and_exit_2(desk: Desk, tmp_path: Path) -> None:
    proof = password_file(tmp_path, desk.passwords["desk"])
    done = _python("-m", "frontdesk", "--db", desk.db, "show", "999", "--as", "desk",
                   "--password-file", proof)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == "error: appointment: no appointment with id 999\n"


def test_importing_the_cli_loads_no_database_or_ui_library() -> None:
    """`frontdesk` alone opens the TUI: the command module itself must import cheaply."""
    done = _python("-c", "import sys, frontdesk.cli; print('\\n'.join(sys.modules))")
    loaded = {name.split(".")[0] for name in done.stdout.split()}
    assert "click" in loaded
    assert not loaded & {"sqlalchemy", "sqlmodel", "alembic", "psycopg", "textual", "rich",
                         "phonenumbers"}
