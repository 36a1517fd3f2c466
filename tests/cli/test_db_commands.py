"""`frontdesk db upgrade | seed-demo | backup`, and which database the TUI is opened on."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from frontdesk.db import migrate
from frontdesk.services import paths
from frontdesk.services.demo.activity import RETURNING
from tests.cli.conftest import Desk, assert_clean, invoke
from tests.conftest import FrozenClock


def _count(db: Path, table: str) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


# --------------------------------------------------------------------------- upgrade


def test_upgrade_migrates_a_new_file_then_reports_it_is_current(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    head = migrate.head_revision()
    first = invoke("--db", str(db), "db", "upgrade")
    assert_clean(first)
    assert first.exit_code == 0, first.stderr
    assert first.stdout == f"{db}: upgraded from an empty database to {head}\n"
    assert _count(db, "alembic_version") == 1
    again = invoke("--db", str(db), "db", "upgrade", "--json")
    assert json.loads(again.stdout) == {"database": str(db), "before": head, "revision": head,
                                        "upgraded": False}


def test_upgrade_on_postgresql_hides_the_password(pg_url: str) -> None:
    url = pg_url.replace("postgres@", "postgres:hunter2@", 1)
    result = invoke("--db", url, "db", "upgrade")
    assert result.exit_code == 0, result.stderr
    assert "hunter2" not in result.stdout
    assert result.stdout.endswith(f"already at revision {migrate.head_revision()} (newest)\n")


# --------------------------------------------------------------------------- seed-demo


def test_seed_demo_goes_to_the_demo_database_by_default(clock: FrozenClock) -> None:
    result = invoke("db", "seed-demo", clock=clock)
    assert_clean(result)
    assert result.exit_code == 0, result.stderr
    demo = Path(paths.demo_db())
    assert result.stdout.startswith(f"seeded the demo practice into {demo}\n")
    assert f"  patients: {200 + RETURNING}\n" in result.stdout
    assert _count(demo, "patient") == 200 + RETURNING
    assert not Path(paths.default_db()).exists()  # the practice's own database is untouched


def test_seed_demo_into_a_chosen_empty_database_json(tmp_path: Path,
                                                     clock: FrozenClock) -> None:
    db = tmp_path / "trial.db"
    result = invoke("--db", str(db), "db", "seed-demo", "--json", clock=clock)
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["locations"] == 5
    assert summary["appointments"] == _count(db, "appointment")
    assert summary["first_day"] < "2027-03-10" < summary["last_day"]


def test_seed_demo_refuses_a_database_with_a_practice(desk: Desk) -> None:
    before = desk.state()
    result = desk.run("db", "seed-demo")
    assert_clean(result)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: db: this database already has a practice")
    assert desk.state() == before


# --------------------------------------------------------------------------- backup


def test_backup_copies_the_database_privately(desk: Desk, tmp_path: Path) -> None:
    (tmp_path / "backups").mkdir()
    target = tmp_path / "backups" / "copy.db"
    result = desk.run("db", "backup", str(target), "--as", "boss")
    assert_clean(result)
    assert result.exit_code == 0, result.stderr
    size = target.stat().st_size
    assert result.stdout == f"backed up {desk.db} to {target} ({size:,} bytes)\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert _count(target, "patient") == 2
    with sqlite3.connect(target) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert [p.name for p in target.parent.iterdir()] == ["copy.db"]  # no temp file left


def test_backup_is_one_consistent_snapshot_while_others_write(desk: Desk, tmp_path: Path) -> None:
    committed = sqlite3.connect(desk.db, isolation_level=None)
    pending = sqlite3.connect(desk.db, isolation_level=None, check_same_thread=False)
    copy = tmp_path / "live.db"

    def roll_back_once_copied() -> None:
        """The writer gives up only after the copy is in place: the backup's own audit event
        waits for it, as it would for any writer."""
        for _ in range(600):
            if copy.exists():
                break
            time.sleep(0.05)
        pending.execute("ROLLBACK")

    try:
        committed.execute("INSERT INTO staff (name, username, role, active) "
                          "VALUES ('Sky Other', 'other', 'scheduler', 1)")  # still in the WAL
        pending.execute("BEGIN IMMEDIATE")
        pending.execute("DELETE FROM patient WHERE id = 2")  # never committed
        writer = threading.Thread(target=roll_back_once_copied)
        writer.start()
        result = desk.run("db", "backup", str(copy), "--json", "--as", "boss")
        writer.join()
        assert result.exit_code == 0, result.stderr
        assert json.loads(result.stdout)["bytes"] == copy.stat().st_size
    finally:
        pending.close()
        committed.close()
    assert _count(tmp_path / "live.db", "staff") == 5
    assert _count(tmp_path / "live.db", "patient") == 2


def test_a_backup_holds_every_patient_so_only_a_proven_admin_makes_one(
        desk: Desk, tmp_path: Path) -> None:
    target = tmp_path / "copy.db"
    before = desk.state()
    refused = desk.run("db", "backup", str(target), "--as", "mgr")
    assert refused.exit_code == 6
    assert refused.stderr == "error: backing up the database needs an admin\n"
    unproven = desk.run("db", "backup", str(target))
    assert unproven.exit_code == 6
    assert not target.exists()
    assert desk.state() == before
    made = desk.run("db", "backup", str(target), "--as", "boss")
    assert made.exit_code == 0, made.stderr
    trail = json.loads(desk.run("audit", "--as", "boss", "--action", "database.",
                                "--json").stdout)
    assert [(e["staff"], e["summary"]) for e in trail] == [
        ("boss", f"backed up the whole database ({target.stat().st_size:,} bytes)")]


def test_backup_refuses_to_overwrite_without_force(desk: Desk, tmp_path: Path) -> None:
    target = tmp_path / "old.db"
    target.write_bytes(b"yesterday's backup")
    target.chmod(0o644)
    refused = desk.run("db", "backup", str(target), "--as", "boss")
    assert_clean(refused)
    assert refused.exit_code == 2
    assert refused.stderr == f"error: path: {target} already exists; add --force to replace it\n"
    assert target.read_bytes() == b"yesterday's backup"
    forced = desk.run("db", "backup", str(target), "--force", "--as", "boss")
    assert forced.exit_code == 0, forced.stderr
    assert _count(target, "patient") == 2
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("missing/dir/copy.db", "error: path: folder"),
        (".", "Invalid value for 'PATH'"),
        ("frontdesk.db", "error: path: is the database itself"),  # the fixture's file
    ],
)
def test_backup_to_a_bad_path_exits_2_even_with_force(desk: Desk, tmp_path: Path, where: str,
                                                      expected: str) -> None:
    assert Path(desk.db) == tmp_path / "frontdesk.db"
    before = desk.state()
    result = desk.run("db", "backup", str(tmp_path / where), "--force", "--as", "boss")
    assert_clean(result)
    assert result.exit_code == 2
    assert expected in result.stderr
    assert desk.state() == before
    assert not list(tmp_path.glob(".*.part"))


def test_backup_of_a_missing_database_does_not_create_it(tmp_path: Path) -> None:
    source = tmp_path / "none.db"
    result = invoke("--db", str(source), "db", "backup", str(tmp_path / "copy.db"))
    assert result.exit_code == 2
    assert result.stderr == f"error: db: no SQLite database file at {source}\n"
    assert list(tmp_path.iterdir()) == []


def test_backup_of_a_file_that_is_not_a_database_exits_1(tmp_path: Path) -> None:
    source = tmp_path / "notes.db"
    source.write_text("shopping list", encoding="utf-8")
    result = invoke("--db", str(source), "db", "backup", str(tmp_path / "copy.db"))
    assert_clean(result)
    assert result.exit_code == 1
    assert result.stderr.endswith(f"{source}: file is not a database\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.db"]


def test_backup_of_postgresql_points_to_pg_dump(pg_url: str, tmp_path: Path) -> None:
    result = invoke("--db", pg_url, "db", "backup", str(tmp_path / "x.dump"))
    assert result.exit_code == 2
    assert "use pg_dump" in result.stderr
    assert not (tmp_path / "x.dump").exists()


# --------------------------------------------------------------------------- the TUI


@dataclass
class FakeApp:
    return_code: int | None = 0
    ran: bool = False

    def run(self) -> None:
        self.ran = True


@dataclass
class AppRecorder:
    app: FakeApp = field(default_factory=FakeApp)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def __call__(self, db: str, **kwargs: Any) -> FakeApp:
        self.calls.append((db, kwargs))
        return self.app


def started(tui: AppRecorder) -> list[tuple[str, dict[str, Any]]]:
    """The apps opened, with what they were given, less the caller pop's: no number to pop
    (a plain start), and a private directory to listen in (checked in the caller-pop tests)."""
    out = []
    for db, kwargs in tui.calls:
        assert kwargs.pop("pop") is None
        assert kwargs.pop("listen") is not None
        out.append((db, kwargs))
    return out


@pytest.fixture
def tui(monkeypatch: pytest.MonkeyPatch) -> AppRecorder:
    from frontdesk.ui import app

    recorder = AppRecorder()
    monkeypatch.setattr(app, "make_app", recorder)
    return recorder


def test_no_command_opens_the_app_on_the_default_database(tui: AppRecorder,
                                                         clock: FrozenClock) -> None:
    result = invoke(clock=clock)
    assert result.exit_code == 0
    assert started(tui) == [(paths.default_db(), {"demo": False, "clock": clock, "theme": None,
        "passwords_apart": True})]
    assert tui.app.ran


def test_theme_is_passed_to_the_app(tui: AppRecorder, clock: FrozenClock,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    assert invoke("--theme", "ansi-dark", clock=clock).exit_code == 0
    monkeypatch.setenv("FRONTDESK_THEME", "textual-light")
    assert invoke(clock=clock).exit_code == 0
    assert [kwargs["theme"] for _, kwargs in tui.calls] == ["ansi-dark", "textual-light"]


def test_demo_opens_the_separate_demo_database(tui: AppRecorder,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRONTDESK_DB", "postgresql+psycopg://desk@clinic/practice")
    assert invoke("--demo").exit_code == 0
    assert started(tui) == [(paths.demo_db(), {"demo": True, "clock": None, "theme": None,
        "passwords_apart": True})]
    assert paths.demo_db() != paths.default_db()


def test_demo_with_an_explicit_db_uses_it(tui: AppRecorder, tmp_path: Path) -> None:
    chosen = str(tmp_path / "trial.db")
    assert invoke("--db", chosen, "--demo").exit_code == 0
    assert started(tui) == [(chosen, {"demo": True, "clock": None, "theme": None,
        "passwords_apart": True})]


@pytest.mark.parametrize("use_env", [False, True])
def test_db_option_or_environment_chooses_the_database(
    tui: AppRecorder, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, use_env: bool
) -> None:
    chosen = str(tmp_path / "practice.db")
    if use_env:
        monkeypatch.setenv("FRONTDESK_DB", chosen)
        assert invoke().exit_code == 0
    else:
        assert invoke("--db", chosen).exit_code == 0
    assert started(tui) == [(chosen, {"demo": False, "clock": None, "theme": None,
        "passwords_apart": True})]


def test_the_apps_exit_code_is_passed_on(tui: AppRecorder) -> None:
    tui.app.return_code = 1
    assert invoke().exit_code == 1


def test_frozen_clock_reaches_the_services(desk: Desk, clock: FrozenClock) -> None:
    """The same Runtime object carries the clock to every command (here: today's date)."""
    clock.now = datetime.fromisoformat("2027-03-12T15:00:00+00:00")
    result = desk.run("appointments", "--as", "desk")
    assert result.stdout == "No appointments on Fri Mar 12 2027.\n"
    assert os.environ.get("FRONTDESK_NOW") is None
