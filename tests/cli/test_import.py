"""``frontdesk import patients|appointments`` on the command line: exit codes, what is shown,
the owner-only report file checked line by line, and who may import. Synthetic names only."""

from __future__ import annotations

import io
import os
import stat
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import Desk, assert_clean

PATIENTS = [
    "id,first_name,last_name,dob,phone,payer",
    "P1,Avery,Quill,1961-04-02,918-555-0101,Medicare",
    "P2,Blake,Rowan,1975-02-30,918-555-0102,",
    "P3,Cory,Sable,1980-03-04,918-555-0103,Medcare",
    "P4,Dana,Tarn,1990-01-01,918-555-0104,",
]


def write(folder: Path, lines: list[str], name: str = "patients.csv") -> Path:
    path = folder / name
    path.write_text("\n".join(lines) + "\n")
    return path


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_bad_row_stops_the_import_with_exit_2_and_a_private_report(
        desk: Desk, tmp_path: Path, umask_022: None) -> None:
    before = desk.state()
    report = tmp_path / "report.txt"
    result = desk.run("import", "patients", str(write(tmp_path, PATIENTS)), "--report",
                      str(report), "--as", "mgr")
    assert_clean(result)
    assert result.exit_code == 2
    assert result.stdout.splitlines() == [
        "nothing imported: 2 bad row(s); fix them and run it again, or give --skip-bad to "
        "import the good rows.",
        "rows read: 4; imported: 0; bad: 2; already imported: 0; possible duplicates: 0",
        "  line 3: dob: '1975-02-30' is not a date on the calendar",
        "  line 4: payer: 'Medcare' is not in the practice's payer list; did you mean "
        "Medicare Part B (Novitas)?",
        f"Report: {report}",
    ]
    assert result.stderr == ("error: 2 bad row(s): nothing imported (--skip-bad imports the "
                             "good rows)\n")
    assert desk.state() == before
    assert mode(report) == 0o600
    lines = report.read_text().splitlines()
    assert lines[0] == f"frontdesk import patients: {tmp_path / 'patients.csv'}"
    assert lines[1] == "at 2027-03-10 09:00 (America/Chicago) by mgr"
    assert lines[2:] == [
        "",
        "nothing imported: 2 bad row(s); fix them and run it again, or give --skip-bad to "
        "import the good rows.",
        "rows read: 4; imported: 0; bad: 2; already imported: 0; possible duplicates: 0",
        "",
        "values read as the practice's (theirs → ours: check them):",
        "payer: 'Medicare' → Medicare Part B (Novitas)",
        "",
        "bad rows (nothing is imported while there are any; --skip-bad imports the rest):",
        "line 3: dob: '1975-02-30' is not a date on the calendar",
        "line 4: payer: 'Medcare' is not in the practice's payer list; did you mean "
        "Medicare Part B (Novitas)?",
    ]


def test_skip_bad_imports_the_rest_and_running_it_again_is_safe(
        desk: Desk, tmp_path: Path) -> None:
    path = write(tmp_path, PATIENTS)
    report = tmp_path / "report.txt"
    first = desk.run("import", "patients", str(path), "--skip-bad", "--report", str(report),
                     "--as", "mgr")
    assert first.exit_code == 0, first.output
    assert first.stdout.splitlines()[0] == "imported 2 patients, skipped 2 bad row(s)."
    assert desk.state()["patient"] == 4
    kept = report.read_text()
    refused = desk.run("import", "patients", str(path), "--skip-bad", "--report", str(report),
                       "--as", "mgr")
    assert refused.exit_code == 2
    assert refused.stderr == (f"error: report: {report} already exists; give another name, "
                              "or --force to replace it\n")
    assert report.read_text() == kept
    again = desk.run("import", "patients", str(path), "--skip-bad", "--report", str(report),
                     "--force", "--as", "mgr")
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines()[0] == "imported 0 patients, skipped 2 bad row(s)."
    assert desk.state()["patient"] == 4
    text = report.read_text()
    assert "already imported (skipped):\nline 2: id P1 is already patient 3\n" \
           "line 5: id P4 is already patient 4\n" in text


def test_a_dry_run_writes_only_the_report(desk: Desk, tmp_path: Path) -> None:
    before = desk.state()
    report = tmp_path / "dry.txt"
    result = desk.run("import", "patients", str(write(tmp_path, PATIENTS[:2])), "--dry-run",
                      "--report", str(report), "--as", "mgr")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == ("dry run, nothing written: 1 patient would be "
                                             "imported.")
    assert desk.state() == before
    assert report.exists()


def test_the_report_goes_to_the_reports_folder_by_default(
        desk: Desk, tmp_path: Path, umask_022: None) -> None:
    result = desk.run("import", "patients", str(write(tmp_path, PATIENTS[:2])), "--as", "mgr")
    assert result.exit_code == 0, result.output
    folder = Path(os.environ["FRONTDESK_DATA_DIR"]) / "reports"
    report = folder / "import-patients-20270310-090000.txt"
    assert result.stdout.splitlines()[-1] == f"Report: {report}"
    assert mode(report) == 0o600
    assert mode(folder) == 0o700


def test_a_header_mapping_on_the_command_line(desk: Desk, tmp_path: Path) -> None:
    lines = ["Chart,Given,Family,Birth,Phone", "M1,Gale,Hollis,1972-08-09,918-555-0131"]
    result = desk.run("import", "patients", str(write(tmp_path, lines)), "--map",
                      "Given=first_name", "--map", "Family=last_name", "--map", "Birth=dob",
                      "--map", "chart=id", "--report", str(tmp_path / "r.txt"), "--as", "mgr")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "imported 1 patient."
    wrong = desk.run("import", "patients", str(write(tmp_path, lines)), "--map", "Given=first",
                     "--as", "mgr")
    assert wrong.exit_code == 2
    assert wrong.stderr.startswith("error: map: 'first' is not a column frontdesk reads")


@pytest.mark.parametrize("who", ["desk", "sched"])
def test_only_a_manager_or_admin_may_import(desk: Desk, tmp_path: Path, who: str) -> None:
    before = desk.state()
    report = tmp_path / "report.txt"
    result = desk.run("import", "patients", str(write(tmp_path, PATIENTS[:2])), "--report",
                      str(report), "--as", who)
    assert_clean(result)
    assert result.exit_code == 6
    assert result.stderr == ("error: importing patients and visits from another system needs "
                             "a manager or admin\n")
    assert desk.state() == before
    assert not report.exists()


def test_visits_from_a_calendar_file(desk: Desk, tmp_path: Path) -> None:
    write(tmp_path, PATIENTS[:2])
    assert desk.run("import", "patients", str(tmp_path / "patients.csv"), "--report",
                    str(tmp_path / "p.txt"), "--as", "boss").exit_code == 0
    calendar = "\r\n".join([
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Old system//EN",
        "BEGIN:VEVENT", "UID:V1", "DTSTART;TZID=America/Chicago:20270315T090000",
        "DTEND;TZID=America/Chicago:20270315T092000", "SUMMARY:Follow-up",
        "LOCATION:Test Clinic", "ORGANIZER;CN=Dr. Avery Able:mailto:able@example.org",
        "DESCRIPTION:Patient-Id: P1", "END:VEVENT",
        "BEGIN:VEVENT", "UID:V2", "DTSTART;TZID=America/Chicago:20270315T190000",
        "SUMMARY:Follow-up", "LOCATION:Test Clinic", "X-FRONTDESK-PROVIDER:Avery Able",
        "X-FRONTDESK-PATIENT-ID:P1", "END:VEVENT",
        "END:VCALENDAR", ""])
    path = tmp_path / "old.ics"
    path.write_text(calendar)
    report = tmp_path / "visits.txt"
    result = desk.run("import", "appointments", str(path), "--report", str(report),
                      "--as", "mgr")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:3] == [
        "imported 2 visits.",
        "rows read: 2; imported: 2; bad: 0; already imported: 0; history: 0; for a "
        "scheduler: 2; callbacks: 0",
        "2 visit(s) for a scheduler to look at (in the report).",
    ]
    assert report.read_text().splitlines()[-3:] == [
        "for a scheduler (imported, to look at):",
        "line 4: this would be a first visit for this patient: a first visit is the "
        "new-patient evaluation, unless a physician ordered this visit (then say so: ordered "
        "by the physician) (imported) (appointment 3)",
        "line 13: outside Dr. Avery Able's hours at Test Clinic (imported) (appointment 4)",
    ]
    assert desk.state()["appointment"] == 4


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_progress_bar_only_for_a_long_file_on_a_terminal(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from frontdesk.cli.imports import BAR_FROM, _Bar

    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    short = _Bar()
    short(250, BAR_FROM - 1)
    short.close()
    assert terminal.getvalue() == ""
    long = _Bar()
    for _ in range(4):
        long(250, BAR_FROM)
    long(BAR_FROM - 1000, BAR_FROM)
    long.close()
    assert "Checking rows" in terminal.getvalue()
    assert "100%" in terminal.getvalue()
    piped = io.StringIO()
    monkeypatch.setattr(sys, "stderr", piped)
    quiet = _Bar()
    quiet(250, BAR_FROM * 10)
    quiet.close()
    assert piped.getvalue() == ""


def test_a_broken_calendar_never_reaches_the_terminal_raw(desk: Desk, tmp_path: Path) -> None:
    path = tmp_path / "old.ics"
    path.write_text("BEGIN:VCALENDAR\r\nFOO\x1b]0;pwned\x07\r\nEND:VCALENDAR\r\n")
    result = desk.run("import", "appointments", str(path), "--report",
                      str(tmp_path / "r.txt"), "--as", "mgr")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: file: old.ics is not an iCalendar file: ")
    assert "\x1b" not in result.output
    assert "\x07" not in result.output
    broken = tmp_path / "broken.ics"
    broken.write_text("\r\n".join([
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:x", "BEGIN:VEVENT", "UID:X1",
        "DTSTART:2027garbage", "SUMMARY:Follow-up", "LOCATION:Test Clinic",
        "X-FRONTDESK-PROVIDER:Dr. Avery Able", "X-FRONTDESK-PATIENT-ID:P1", "END:VEVENT",
        "END:VCALENDAR", ""]))
    result = desk.run("import", "appointments", str(broken), "--report",
                      str(tmp_path / "b.txt"), "--as", "mgr")
    assert result.exit_code == 2, result.output
    assert "line 4: DTSTART is not a date and time" in result.stdout


def test_the_report_never_replaces_the_input_nor_follows_a_link(
        desk: Desk, tmp_path: Path) -> None:
    path = write(tmp_path, PATIENTS[:2])
    kept = path.read_text()
    for flags in ((), ("--force",)):
        same = desk.run("import", "patients", str(path), "--report", str(path), *flags,
                        "--as", "mgr")
        assert same.exit_code == 2
        assert "cannot be written over the file being imported" in same.stderr
        assert path.read_text() == kept
    link = tmp_path / "link.txt"
    link.symlink_to(path)
    via = desk.run("import", "patients", str(path), "--report", str(link), "--force",
                   "--as", "mgr")
    assert via.exit_code == 2
    assert path.read_text() == kept
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("kept\n")
    dangling = tmp_path / "dangling.txt"
    dangling.symlink_to(tmp_path / "nowhere.txt")
    other = tmp_path / "other.txt"
    other.symlink_to(elsewhere)
    for target in (dangling, other):
        refused = desk.run("import", "patients", str(path), "--dry-run", "--report",
                           str(target), "--as", "mgr")
        assert refused.exit_code == 2
        assert "already exists" in refused.stderr
    assert not (tmp_path / "nowhere.txt").exists()
    forced = desk.run("import", "patients", str(path), "--dry-run", "--report", str(other),
                      "--force", "--as", "mgr")
    assert forced.exit_code == 0, forced.output
    assert elsewhere.read_text() == "kept\n"  # the link was replaced, not followed
    assert not other.is_symlink()
    assert mode(other) == 0o600


def test_a_device_is_not_read(desk: Desk, tmp_path: Path) -> None:
    result = desk.run("import", "patients", "/dev/zero", "--report", str(tmp_path / "r.txt"),
                      "--as", "mgr")
    assert result.exit_code == 2
    assert result.stderr == "error: file: /dev/zero is not a regular file (a device or a pipe?)\n"
