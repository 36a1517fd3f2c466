"""``frontdesk practice apply|export`` on the command line: the README's way from an empty
database to the first booking, a wrong file reported line by line (exit 2), the export written
owner-only."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

from click.testing import Result

from frontdesk.cli.errors import EXIT_INPUT, EXIT_PAYER
from tests.cli.conftest import Desk, assert_clean, invoke
from tests.conftest import FrozenClock
from tests.practice_file import CLINIC

BOSS = "Correct-Horse-Battery-9"
DANA = "Desk-Password-2027"


def _setup(tmp_path: Path, clock: FrozenClock) -> tuple[str, Path, dict[str, str]]:
    db = str(tmp_path / "practice.db")
    file = tmp_path / "practice.toml"
    file.write_text(CLINIC, encoding="utf-8")
    up = invoke("--db", db, "db", "upgrade", clock=clock)
    assert up.exit_code == 0, up.stderr
    first = invoke("--db", db, "staff", "add", "boss", "--name", "Bo Boss", "--role", "admin",
                   "--password-stdin", clock=clock, input=f"{BOSS}\n")
    assert first.exit_code == 0, first.stderr
    return db, file, {"boss": BOSS, "dana": DANA}


def test_from_an_empty_database_to_the_first_booking(tmp_path: Path,
                                                     clock: FrozenClock) -> None:
    db, file, known = _setup(tmp_path, clock)

    def run(*args: str, **kwargs: Any) -> Result:
        result = invoke("--db", db, *args, clock=clock, passwords=known, **kwargs)
        assert_clean(result)
        assert result.exit_code == 0, (args, result.stderr)
        return result

    dry = run("practice", "apply", str(file), "--dry-run", "--as", "boss")
    assert "locations: 2 added\n  + Prairie North\n  + Prairie South\n" in dry.stdout
    assert "  + dana (role receptionist, password not set)" in dry.stdout
    assert dry.stdout.endswith("Dry run: nothing was changed.\n")
    done = run("practice", "apply", str(file), "--as", "boss")
    assert "Applied " in done.stdout
    again = run("practice", "apply", str(file), "--as", "boss")
    assert again.stdout == "Nothing to change.\n"
    listed = run("staff", "list")
    assert "NO PASSWORD" in listed.stdout
    run("staff", "reset-password", "dana", "--password-stdin", "--as", "boss",
        input=f"{DANA}\n")
    added = run("patients", "add", "--name", "Casey Testcase", "--dob", "1970-05-17",
                "--phone", "918-555-0142", "--payer", "okc", "--as", "dana", "--json")
    patient = json.loads(added.stdout)["id"]
    slots = run("slots", "--visit-type", "new-patient", "--from", "2027-03-15", "--json")
    first = json.loads(slots.stdout)[0]
    booked = run("book", "--patient", str(patient), "--visit-type", "new-patient",
                 "--provider", str(first["provider_id"]), "--location",
                 str(first["location_id"]), "--start", first["start"], "--as", "dana")
    assert "Prairie" in booked.stdout


def test_a_wrong_file_is_reported_line_by_line_and_nothing_is_written(
        tmp_path: Path, clock: FrozenClock) -> None:
    db, file, known = _setup(tmp_path, clock)
    file.write_text(CLINIC.replace('kind = "procedure" }', 'kind = "surgery" }')
                    .replace('duration = 20', 'duration = "20"')
                    .replace('"follow-up", "facet-diagnostic"]', '"follow-up", "facet"]'),
                    encoding="utf-8")
    result = invoke("--db", db, "practice", "apply", str(file), "--as", "boss", clock=clock,
                    passwords=known)
    assert_clean(result)
    assert result.exit_code == EXIT_INPUT
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{file}:14: kind 'surgery' is not one of exam, procedure, massage",
        f"{file}:38: duration must be a whole number, got text",
        f"{file}:56: visit type 'facet' is not in [[visit_types]]",
        "error: 3 problems in the practice file; nothing was changed",
    ]
    listed = invoke("--db", db, "locations", clock=clock)
    assert "Prairie" not in listed.stdout


def test_a_syntax_error_is_reported_before_anyone_is_asked_who(tmp_path: Path,
                                                               clock: FrozenClock) -> None:
    file = tmp_path / "broken.toml"
    file.write_text('[practice]\nname = "Clinic\n', encoding="utf-8")
    result = invoke("--db", str(tmp_path / "x.db"), "practice", "apply", str(file),
                    clock=clock)
    assert result.exit_code == EXIT_INPUT
    assert result.stderr.startswith(f"{file}:2: not valid TOML: ")


def test_export_goes_to_stdout_or_to_a_file_only_its_owner_reads(tmp_path: Path,
                                                                clock: FrozenClock) -> None:
    db, file, known = _setup(tmp_path, clock)
    invoke("--db", db, "practice", "apply", str(file), "--as", "boss", clock=clock,
           passwords=known)
    shown = invoke("--db", db, "practice", "export", "--as", "boss", clock=clock,
                   passwords=known)
    assert shown.exit_code == 0, shown.stderr
    assert '[[providers]]\nname = "Dr. Robin Quill"' in shown.stdout
    target = tmp_path / "out.toml"
    written = invoke("--db", db, "practice", "export", str(target), "--as", "boss",
                     clock=clock, passwords=known)
    assert written.exit_code == 0, written.stderr
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_text(encoding="utf-8") == shown.stdout
    back = invoke("--db", db, "practice", "apply", str(target), "--as", "boss", clock=clock,
                  passwords=known)
    assert back.stdout == "Nothing to change.\n"


def test_a_receptionist_may_not_apply_the_file(desk: Desk, tmp_path: Path) -> None:
    file = tmp_path / "practice.toml"
    file.write_text(CLINIC, encoding="utf-8")
    before = desk.state()
    result = desk.run("practice", "apply", str(file), "--as", "desk")
    assert result.exit_code == EXIT_PAYER
    assert result.stderr == "error: setting up the practice from its file needs an admin\n"
    assert desk.state() == before


def test_retiring_a_provider_with_visits_ahead_lists_them_and_changes_nothing(
        tmp_path: Path, clock: FrozenClock) -> None:
    db, file, known = _setup(tmp_path, clock)
    invoke("--db", db, "practice", "apply", str(file), "--as", "boss", clock=clock,
           passwords=known)
    invoke("--db", db, "staff", "reset-password", "dana", "--password-stdin", "--as", "boss",
           clock=clock, passwords=known, input=f"{DANA}\n")
    added = invoke("--db", db, "patients", "add", "--name", "Casey Testcase", "--dob",
                   "1970-05-17", "--phone", "918-555-0142", "--as", "dana", "--json",
                   clock=clock, passwords=known)
    patient = json.loads(added.stdout)["id"]
    booked = invoke("--db", db, "book", "--patient", str(patient), "--visit-type",
                    "new-patient", "--provider", "Lee Marsh", "--location", "Prairie South",
                    "--start", "2027-03-15T09:00", "--as", "dana", "--json", clock=clock,
                    passwords=known)
    assert booked.exit_code == 0, booked.stderr
    visit = json.loads(booked.stdout)["id"]
    file.write_text(CLINIC[:CLINIC.index('[[providers]]\nname = "Lee Marsh"')]
                    + CLINIC[CLINIC.index("[[staff]]"):], encoding="utf-8")
    result = invoke("--db", db, "practice", "apply", str(file), "--as", "boss", clock=clock,
                    passwords=known)
    assert_clean(result)
    assert result.exit_code == EXIT_INPUT
    assert result.stderr.splitlines() == [
        "Visits ahead that need what the file retires or changes:",
        f"  #{visit}  Mon 2027-03-15 09:00  Lee Marsh  Prairie South  — provider Lee Marsh "
        "is retired",
        "error: the file retires or changes what 1 visit ahead still needs; move or cancel it "
        "first; nothing was changed",
    ]
    providers = invoke("--db", db, "providers", clock=clock)
    assert "Lee Marsh" in providers.stdout


def test_only_a_regular_file_of_sane_size_is_read(tmp_path: Path, clock: FrozenClock) -> None:
    from frontdesk.cli.practice import MAX_BYTES

    db = str(tmp_path / "x.db")
    endless = invoke("--db", db, "practice", "apply", "/dev/zero", clock=clock)
    assert_clean(endless)
    assert endless.exit_code == EXIT_INPUT
    assert endless.stderr == ("error: /dev/zero: not a regular file; give the practice file "
                              "itself\n")
    huge = tmp_path / "huge.toml"
    huge.write_bytes(b"# " + b"x" * MAX_BYTES + b"\n")
    big = invoke("--db", db, "practice", "apply", str(huge), clock=clock)
    assert big.exit_code == EXIT_INPUT
    assert big.stderr == (f"error: {huge}: larger than 5 MB; a practice file is far "
                          "smaller\n")


def test_a_dry_run_lists_the_visits_the_new_hours_leave_out(tmp_path: Path,
                                                           clock: FrozenClock) -> None:
    db, file, known = _setup(tmp_path, clock)
    invoke("--db", db, "practice", "apply", str(file), "--as", "boss", clock=clock,
           passwords=known)
    invoke("--db", db, "staff", "reset-password", "dana", "--password-stdin", "--as", "boss",
           clock=clock, passwords=known, input=f"{DANA}\n")
    added = invoke("--db", db, "patients", "add", "--name", "Casey Testcase", "--dob",
                   "1970-05-17", "--phone", "918-555-0142", "--as", "dana", "--json",
                   clock=clock, passwords=known)
    patient = json.loads(added.stdout)["id"]
    booked = invoke("--db", db, "book", "--patient", str(patient), "--visit-type",
                    "new-patient", "--provider", "Lee Marsh", "--location", "Prairie South",
                    "--start", "2027-03-15T09:00", "--as", "dana", "--json", clock=clock,
                    passwords=known)
    visit = json.loads(booked.stdout)["id"]
    file.write_text(CLINIC.replace('"Prairie South" = "Mon,Wed,Fri 09:00-15:00"',
                                   '"Prairie South" = "Wed,Fri 09:00-15:00"'), encoding="utf-8")
    dry = invoke("--db", db, "practice", "apply", str(file), "--dry-run", "--as", "boss",
                 clock=clock, passwords=known)
    assert_clean(dry)
    assert dry.exit_code == 0, dry.stderr
    assert dry.stdout.splitlines()[-3:] == [
        "Dry run: nothing was changed.",
        "1 visit(s) ahead to look at (would be kept and marked for a scheduler):",
        f"  #{visit}  Mon 2027-03-15 09:00  Lee Marsh  Prairie South  — outside the "
        "provider's hours since the practice file of 2027-03-10: find a new time"]
