"""On the command line under umask 022: the first run makes private folders and a private
database; a database others can read is named on stderr, unless the shared-group setting
allows its group."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from frontdesk.services import paths
from tests.cli.conftest import Desk, assert_clean, invoke
from tests.conftest import FrozenClock

pytestmark = pytest.mark.usefixtures("umask_022")


def mode(path: Path | str) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def share_with(group: str) -> None:
    folder = paths.config_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "settings.toml").write_text(f'[storage]\nshared_group = "{group}"\n',
                                          encoding="utf-8")


def test_the_first_run_makes_the_folders_and_the_demo_database_private(
        clock: FrozenClock) -> None:
    result = invoke("--demo", "db", "seed-demo", clock=clock)
    assert_clean(result)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    data, config = paths.data_dir(), paths.config_dir()
    assert (mode(data), mode(config)) == (0o700, 0o700)
    assert {name: mode(data / name) for name in os.listdir(data)} == {"demo.db": 0o600}


def test_a_database_others_can_read_is_named_on_stderr(desk: Desk) -> None:
    os.chmod(desk.db, 0o644)
    result = desk.run("appointments", "--date", "2027-03-10", "--as", "desk")
    assert_clean(result)
    assert result.exit_code == 0
    assert result.stderr == (
        f"warning: other users on this computer can read the database {desk.db} "
        f"(mode 0644); to keep its patient data private: chmod 600 {desk.db}*\n")
    assert mode(desk.db) == 0o644  # named, not changed


def test_a_private_database_gives_no_warning(desk: Desk) -> None:
    assert mode(desk.db) == 0o600
    result = desk.run("appointments", "--date", "2027-03-10", "--as", "desk")
    assert result.exit_code == 0
    assert result.stderr == ""


def test_the_shared_group_may_read_and_write_but_nobody_else(desk: Desk, own_group: str) -> None:
    share_with(own_group)
    os.chmod(desk.db, 0o660)
    quiet = desk.run("appointments", "--date", "2027-03-10", "--as", "desk")
    assert (quiet.exit_code, quiet.stderr) == (0, "")
    os.chmod(desk.db, 0o664)
    loud = desk.run("appointments", "--date", "2027-03-10", "--as", "desk")
    assert loud.exit_code == 0
    assert loud.stderr.startswith(
        f"warning: users outside the group {own_group} can read the database {desk.db} "
        f"(mode 0664 group {own_group})")


def test_with_the_shared_group_a_new_database_is_made_for_the_group(
        tmp_path: Path, own_group: str) -> None:
    share_with(own_group)
    db = tmp_path / "practice" / "frontdesk.db"
    result = invoke("--db", str(db), "db", "upgrade")
    assert (result.exit_code, result.stderr) == (0, "")
    assert (mode(db.parent), mode(db)) == (0o2770, 0o660)


def test_a_postgresql_database_has_no_files_to_warn_about(pg_desk: Desk) -> None:
    result = pg_desk.run("appointments", "--date", "2027-03-10", "--as", "desk")
    assert (result.exit_code, result.stderr) == (0, "")
