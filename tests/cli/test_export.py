"""`frontdesk export fhir` and `frontdesk export ics`: files written owner-only, progress on
standard error, bad input (exit 2) and a receptionist refused (exit 6) with nothing written."""

from __future__ import annotations

import json
import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fhir.resources.R4B.appointment import Appointment as FhirAppointment
from icalendar import Calendar

from frontdesk.db.engine import make_engine
from frontdesk.services.context import Context
from tests.cli.conftest import Desk, assert_clean
from tests.exports import add_visit

FRIDAY_BEFORE = datetime(2027, 3, 12, 15, tzinfo=UTC)  # 09:00 CST in Tulsa
MONDAY_AFTER = datetime(2027, 3, 15, 14, tzinfo=UTC)  # 09:00 CDT


@pytest.fixture
def dst_desk(desk: Desk) -> Desk:
    """The tiny practice with Dr. Able's visits at 09:00 on the Friday before and the Monday
    after the clocks go forward."""
    engine = make_engine(desk.db)
    try:
        ctx = Context(engine=engine, clock=desk.clock)
        add_visit(ctx, desk.practice, FRIDAY_BEFORE)
        add_visit(ctx, desk.practice, MONDAY_AFTER)
    finally:
        engine.dispose()
    return desk


def test_export_fhir_writes_the_files_and_says_what(dst_desk: Desk, tmp_path: Path,
                                                    umask_022: None) -> None:
    folder = tmp_path / "fhir"
    result = dst_desk.run("export", "fhir", str(folder), "--as", "mgr")
    assert_clean(result)
    assert result.exit_code == 0, result.output
    assert f"wrote FHIR R4 files to {folder}" in result.stdout
    assert "Appointment: 4" in result.stdout
    assert "Appointment: 4 written" in result.stderr  # the progress line
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    for path in folder.iterdir():
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    lines = (folder / "Appointment.ndjson").read_text().splitlines()
    assert len(lines) == 4
    starts = sorted(str(FhirAppointment.model_validate_json(line).start) for line in lines)
    assert "2027-03-15 14:00:00+00:00" in starts


def test_export_fhir_json_and_since(dst_desk: Desk, tmp_path: Path) -> None:
    result = dst_desk.run("export", "fhir", str(tmp_path / "f"), "--since", "2027-03-01",
                          "--quiet", "--json", "--as", "mgr")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["counts"]["Appointment"] == 2  # the two made here; not last year's
    assert doc["counts"]["Patient"] == 0
    assert doc["left_out"] == 0
    assert result.stderr == ""


def test_a_receptionist_may_not_export(dst_desk: Desk, tmp_path: Path) -> None:
    folder = tmp_path / "fhir"
    before = dst_desk.state()
    result = dst_desk.run("export", "fhir", str(folder), "--as", "desk")
    assert_clean(result)
    assert result.exit_code == 6
    assert "exporting patient data needs a manager or admin" in result.output
    assert not folder.exists()
    calendar = tmp_path / "able.ics"
    result = dst_desk.run("export", "ics", "--provider", "Able", "-o", str(calendar),
                          "--as", "desk")
    assert result.exit_code == 6
    assert not calendar.exists()
    assert dst_desk.state() == before


def test_export_ics_across_the_change_of_the_clocks(dst_desk: Desk, tmp_path: Path,
                                                    umask_022: None) -> None:
    path = tmp_path / "able.ics"
    result = dst_desk.run("export", "ics", "--provider", "Able", "--from", "2027-03-08",
                          "--to", "2027-03-19", "-o", str(path), "--as", "mgr")
    assert_clean(result)
    assert result.exit_code == 0, result.output
    assert "wrote 2 visit(s) of Dr. Avery Able" in result.stdout
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    calendar = Calendar.from_ical(path.read_bytes())
    assert [tz.tz_name for tz in calendar.timezones] == ["America/Chicago"]
    starts = sorted(e.start for e in calendar.events)
    assert [(s.hour, s.astimezone(UTC).hour) for s in starts] == [(9, 15), (9, 14)]


def test_export_ics_of_a_location_without_names_to_a_default_file(
        dst_desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = dst_desk.run("export", "ics", "--location", "Test", "--no-names", "--json",
                          "--as", "mgr")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["file"] == "test-clinic-2027-03-10.ics"
    assert (doc["from"], doc["to"], doc["events"]) == ("2027-03-10", "2027-04-07", 2)
    written = (tmp_path / doc["file"]).read_text()
    assert "Testcase" not in written


@pytest.mark.parametrize(("args", "said"), [
    ((), "give --provider or --location"),
    (("--provider", "Able", "--location", "Test"), "give --provider or --location"),
    (("--provider", "Nobody"), "no single provider"),
    (("--location", "Nowhere"), "no location"),
    (("--provider", "Able", "--from", "2027-03-10", "--to", "2027-03-01"), "before the first"),
    (("--provider", "Able", "--from", "someday"), "from"),
])
def test_export_ics_bad_input(dst_desk: Desk, tmp_path: Path, args: tuple[str, ...],
                              said: str) -> None:
    result = dst_desk.run("export", "ics", *args, "-o", str(tmp_path / "x.ics"),
                          "--as", "mgr")
    assert_clean(result)
    assert result.exit_code == 2, result.output
    assert said in result.output
    assert not (tmp_path / "x.ics").exists()


def test_export_fhir_into_a_file_is_refused(dst_desk: Desk, tmp_path: Path) -> None:
    target = tmp_path / "plain"
    target.write_text("x")
    result = dst_desk.run("export", "fhir", str(target), "--as", "mgr")
    assert result.exit_code == 2
    assert target.read_text() == "x"


def test_export_on_postgresql(pg_desk: Desk, tmp_path: Path) -> None:
    result = pg_desk.run("export", "fhir", str(tmp_path / "f"), "--quiet", "--as", "boss")
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "f" / "manifest.json").read_text())
    assert {o["type"]: o["count"] for o in manifest["output"]}["Patient"] == 2
    result = pg_desk.run("export", "ics", "--location", "Test", "-o", str(tmp_path / "c.ics"),
                         "--as", "mgr")
    assert result.exit_code == 0, result.output


def test_the_report_group_is_untouched(desk: Desk) -> None:
    result = desk.run("report", "--help")
    assert result.exit_code == 0
    assert "daily" in result.output
    assert "export" in desk.run("--help").output


def test_the_command_line_starts_without_the_export_libraries() -> None:
    """fhir.resources (pydantic models by the hundred) and icalendar load only when an export
    runs: `frontdesk --help` and every other command stay quick."""
    import subprocess
    import sys

    code = ("import sys, frontdesk.cli, frontdesk.cli.exports; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'fhir', 'fhir_core', 'icalendar', 'pydantic'}))")
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True)
    assert found.stdout.strip() == "[]"


@pytest.mark.parametrize("args", [
    ("--from", "9999-12-31"),
    ("--from", "0001-01-01", "--to", "0001-01-02"),
    ("--from", "2027-01-01", "--to", "2031-01-01"),
])
def test_export_ics_dates_beyond_reach_are_bad_input(dst_desk: Desk, tmp_path: Path,
                                                     args: tuple[str, ...]) -> None:
    result = dst_desk.run("export", "ics", "--provider", "1", *args,
                          "-o", str(tmp_path / "x.ics"), "--as", "mgr")
    assert_clean(result)
    assert result.exit_code == 2, result.output
    assert "OverflowError" not in result.output
    assert not (tmp_path / "x.ics").exists()


def test_export_fhir_into_someone_elses_folder_needs_replace(dst_desk: Desk,
                                                             tmp_path: Path) -> None:
    folder = tmp_path / "theirs"
    folder.mkdir()
    (folder / "manifest.json").write_text("{}")
    result = dst_desk.run("export", "fhir", str(folder), "--quiet", "--as", "mgr")
    assert_clean(result)
    assert result.exit_code == 2, result.output
    assert f"folder: {folder}: its manifest.json is not a frontdesk export's" in result.output
    assert (folder / "manifest.json").read_text() == "{}"
    result = dst_desk.run("export", "fhir", str(folder), "--quiet", "--replace", "--as", "mgr")
    assert result.exit_code == 0, result.output
    assert "frontdesk" in (folder / "manifest.json").read_text()


def test_export_fhir_names_dir_and_the_file_in_the_way(dst_desk: Desk, tmp_path: Path) -> None:
    folder = tmp_path / "f"
    assert dst_desk.run("export", "fhir", str(folder), "--quiet", "--as", "mgr").exit_code == 0
    (folder / "Patient.ndjson").unlink()
    (folder / "Patient.ndjson").mkdir()
    result = dst_desk.run("export", "fhir", str(folder), "--quiet", "--as", "mgr")
    assert result.exit_code == 2, result.output
    assert f"folder: {folder} holds a folder named Patient.ndjson" in result.output
    assert "output:" not in result.output


def test_export_ics_into_a_folder_others_may_change_is_refused(dst_desk: Desk,
                                                               tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)
    result = dst_desk.run("export", "ics", "--provider", "Able", "-o", str(shared / "a.ics"),
                          "--as", "mgr")
    assert result.exit_code == 2, result.output
    assert "other users can change what is in" in result.output
    assert list(shared.iterdir()) == []
