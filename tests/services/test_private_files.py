"""Private files under umask 022: the data and settings folders 0700, the database and SQLite's
files beside it 0600, exports 0600 — or, with ``[storage] shared_group``, that group's too
(2770 and 0660). A database others can read is named, never silently changed."""

from __future__ import annotations

import grp
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from frontdesk.db.engine import make_engine
from frontdesk.db.files import Exposure, FileModes, exposure, make_folders
from frontdesk.domain.settings import Settings, StorageSettings
from frontdesk.services import files
from frontdesk.services.config import load_settings
from frontdesk.services.context import Context, open_context
from frontdesk.services.report import export

pytestmark = pytest.mark.usefixtures("umask_022")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def shared(group: str) -> Settings:
    return Settings(storage=StorageSettings(shared_group=group))


@pytest.fixture
def opened(tmp_path: Path) -> Iterator[Context]:
    """A new database in a data folder that does not exist yet, left open (so SQLite's -wal
    and -shm are there)."""
    ctx = open_context(str(tmp_path / "home" / "data" / "frontdesk.db"))
    with ctx.engine.connect() as conn:
        conn.execute(text("SELECT 1"))
        yield ctx
    ctx.engine.dispose()


def test_a_new_database_its_wal_and_shm_and_its_folders_are_owner_only(
        opened: Context, tmp_path: Path) -> None:
    db = tmp_path / "home" / "data" / "frontdesk.db"
    assert mode(tmp_path / "home") == 0o700  # every folder frontdesk made on the way
    assert mode(db.parent) == 0o700
    assert {name: mode(db.parent / name) for name in os.listdir(db.parent)} == {
        "frontdesk.db": 0o600, "frontdesk.db-wal": 0o600, "frontdesk.db-shm": 0o600}
    assert files.database_warnings(str(db), Settings()) == ()


def test_a_rollback_journal_is_owner_only_too(tmp_path: Path) -> None:
    db = tmp_path / "journal.db"
    engine = make_engine(db)
    raw = engine.raw_connection()  # the DBAPI connection: no BEGIN of SQLAlchemy's in the way
    try:
        raw.execute("PRAGMA journal_mode=DELETE")
        raw.execute("BEGIN IMMEDIATE")
        raw.execute("CREATE TABLE t (x)")
        assert mode(Path(f"{db}-journal")) == 0o600
        raw.execute("ROLLBACK")
    finally:
        raw.close()
        engine.dispose()


def test_with_a_shared_group_the_folder_is_setgid_and_the_files_group_writable(
        tmp_path: Path, own_group: str) -> None:
    db = tmp_path / "shared" / "frontdesk.db"
    ctx = open_context(str(db), settings=shared(own_group))
    try:
        with ctx.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            gid = grp.getgrnam(own_group).gr_gid
            assert mode(db.parent) == 0o2770
            for path in (db.parent, db, Path(f"{db}-wal"), Path(f"{db}-shm")):
                assert path.stat().st_gid == gid
            assert [mode(p) for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm"))] == [0o660] * 3
            assert files.database_warnings(str(db), shared(own_group)) == ()
    finally:
        ctx.engine.dispose()


def test_a_database_others_can_read_is_named_with_the_fix_and_left_as_it_is(
        tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    db.touch()
    db.chmod(0o644)
    open_context(str(db)).engine.dispose()
    assert mode(db) == 0o644  # never changed behind the person's back
    [warning] = files.database_warnings(str(db), Settings())
    assert warning == (f"other users on this computer can read the database {db} (mode 0644); "
                       f"to keep its patient data private: chmod 600 {db}*")


def test_a_leftover_wal_others_can_change_is_named_by_itself(tmp_path: Path) -> None:
    db = tmp_path / "frontdesk.db"
    engine = make_engine(db)
    engine.connect().close()
    engine.dispose()
    assert mode(db) == 0o600
    wal = Path(f"{db}-wal")
    wal.touch()
    wal.chmod(0o666)
    [warning] = files.database_warnings(str(db), Settings())
    assert "can read and change the database" in warning
    assert "(frontdesk.db-wal mode 0666)" in warning


def test_a_group_readable_database_is_fine_only_under_the_shared_group(
        tmp_path: Path, own_group: str) -> None:
    db = tmp_path / "frontdesk.db"
    db.touch()
    db.chmod(0o660)
    assert files.database_warnings(str(db), shared(own_group)) == ()
    assert "other users on this computer can read and change" in files.database_warnings(
        str(db), Settings())[0]
    db.chmod(0o664)
    [warning] = files.database_warnings(str(db), shared(own_group))
    assert warning.startswith(f"users outside the group {own_group} can read the database")
    assert f"chgrp {own_group} {db}* && chmod 660 {db}*" in warning


def test_a_group_other_than_the_shared_one_counts_as_others(
        tmp_path: Path, own_group: str) -> None:
    path = tmp_path / "frontdesk.db"
    path.touch()
    path.chmod(0o640)  # readable by this process's own group ...
    elsewhere = FileModes(gid=os.getegid() + 1, group="frontdesk")  # ... not the shared one
    assert exposure(path, elsewhere) == Exposure(path, 0o640, 0o040, own_group)
    assert exposure(path, FileModes(gid=os.getegid(), group=own_group)) is None


def test_postgresql_and_memory_have_no_files_to_warn_about() -> None:
    for db in ("postgresql+psycopg://frontdesk:s3cret@db.example/frontdesk", ":memory:"):
        assert files.database_warnings(db, Settings()) == ()


def test_a_group_that_does_not_exist_keeps_the_files_private(tmp_path: Path) -> None:
    modes, reason = files.check_shared_group(StorageSettings(shared_group="no-such-group-x"))
    assert modes == FileModes()
    assert reason == "there is no group 'no-such-group-x' on this computer; files stay private"
    path = tmp_path / "settings.toml"
    path.write_text('[storage]\nshared_group = "no-such-group-x"\n', encoding="utf-8")
    assert load_settings(path).problems == (f"{path}: storage.shared_group: {reason}",)


def test_a_group_this_user_is_not_in_keeps_the_files_private(
        monkeypatch: pytest.MonkeyPatch) -> None:
    mine = {os.getegid(), *os.getgroups()}
    other = next(g for g in grp.getgrall() if g.gr_gid not in mine)
    monkeypatch.setattr(os, "geteuid", lambda: 4242)  # not root: root may use any group
    modes, reason = files.check_shared_group(StorageSettings(shared_group=other.gr_name))
    assert modes == FileModes()
    assert reason == f"you are not in the group {other.gr_name!r}; files stay private"


def test_the_first_run_makes_the_settings_folder_owner_only(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "config" / "frontdesk"
    monkeypatch.setenv("FRONTDESK_CONFIG_DIR", str(folder))
    assert load_settings().problems == ()
    assert mode(folder) == 0o700
    assert mode(folder.parent) == 0o700


def test_an_existing_folder_keeps_its_mode(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir(mode=0o755)
    make_folders(folder / "reports")
    assert (mode(folder), mode(folder / "reports")) == (0o755, 0o700)


def test_exports_are_owner_only_or_the_shared_group_s(tmp_path: Path, own_group: str) -> None:
    private = tmp_path / "private.csv"
    export.write_private(private, "a,b\n")
    assert mode(private) == 0o600
    modes = files.file_modes(shared(own_group))
    make_folders(tmp_path / "reports", modes)
    report = tmp_path / "reports" / "daily.csv"
    export.write_private(report, "a,b\n", modes)
    assert (mode(report.parent), mode(report)) == (0o2770, 0o660)
    assert report.stat().st_gid == modes.gid
