"""Private files: the modes the settings give frontdesk's files, and the warning about a
database that others can read.

Owner-only unless ``[storage] shared_group`` names a group this user belongs to (then that
group may read and write too, on purpose: several OS users sharing one database over SSH). A
database file (or its ``-wal``, ``-shm``, ``-journal``) that is wider than that is never
changed behind the person's back: :func:`database_warnings` names it and says how to fix it.
PostgreSQL keeps no files of ours: nothing to say.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from frontdesk.db.files import (
    PRIVATE,
    SQLITE_SIDE_FILES,
    Exposure,
    FileModes,
    exposure,
    group_name,
    set_mode,
)
from frontdesk.db.files import make_folders as make_folders  # for the exports' folder
from frontdesk.db.light import plain_sqlite_path
from frontdesk.domain.settings import Settings, StorageSettings
from frontdesk.services.errors import InvalidInput


def check_shared_group(storage: StorageSettings) -> tuple[FileModes, str]:
    """The modes ``storage`` asks for, and why not when it cannot have them ("": it can).

    A group that does not exist, or that this user is not in (root may use any), leaves the
    files owner-only.
    """
    name = storage.shared_group
    if not name:
        return PRIVATE, ""
    import grp

    try:
        gid = grp.getgrnam(name).gr_gid
    except KeyError:
        return PRIVATE, f"there is no group {name!r} on this computer; files stay private"
    if os.geteuid() != 0 and gid != os.getegid() and gid not in os.getgroups():
        return PRIVATE, f"you are not in the group {name!r}; files stay private"
    return FileModes(gid=gid, group=name), ""


def file_modes(settings: Settings) -> FileModes:
    """How frontdesk makes its files and folders under ``settings``."""
    return check_shared_group(settings.storage)[0]


def sqlite_file(db: str) -> Path | None:
    """The SQLite database file ``db`` names; None for PostgreSQL or an in-memory database."""
    plain = plain_sqlite_path(db)
    if plain is not None:  # the common case, read without loading SQLAlchemy
        return plain
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from frontdesk.db.engine import normalise_url

    try:
        url = make_url(normalise_url(db))
    except (ArgumentError, ValueError):
        return None
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database or "")


def database_warnings(db: str, settings: Settings) -> tuple[str, ...]:
    """One plain line when the database's files can be read or changed by others beyond the
    settings, naming the files and the commands that fix them; nothing otherwise."""
    database = sqlite_file(db)
    if database is None:
        return ()
    modes = file_modes(settings)
    candidates = [database, *(Path(f"{database}{side}") for side in SQLITE_SIDE_FILES)]
    found = [e for e in (exposure(path, modes) for path in candidates) if e is not None]
    if not found:
        return ()
    reads, writes = (any(e.extra & bits for e in found) for bits in (0o044, 0o022))
    can = "read and change" if reads and writes else "read" if reads else "change"
    files = _quoted(database) + "*"  # SQLite's -wal, -shm and -journal too
    if modes.gid is None:
        return (f"other users on this computer can {can} the database {database} "
                f"({_modes(found, database, group=False)}); to keep its patient data private: "
                f"chmod 600 {files}",)
    return (f"users outside the group {modes.group} can {can} the database {database} "
            f"({_modes(found, database, group=True)}); to share it with that group only: "
            f"chgrp {modes.group} {files} && chmod 660 {files}",)


def _modes(found: list[Exposure], database: Path, *, group: bool) -> str:
    """The database file's mode when SQLite's files beside it share it, else each file's."""
    def one(e: Exposure) -> str:
        return f"mode {e.mode:04o}" + (f" group {e.group}" if group else "")

    if found[0].path == database and len({one(e) for e in found}) == 1:
        return one(found[0])
    return ", ".join(f"{e.path.name} {one(e)}" for e in found)


def _quoted(path: Path) -> str:
    import shlex

    return shlex.quote(str(path))


@dataclass
class Staged:
    """A file written in full (and synced) as a private temporary file beside its place, not
    yet in it: :meth:`publish` moves it into place, :meth:`discard` removes it."""

    part: Path
    target: Path
    field: str = "output"

    def publish(self) -> None:
        try:
            os.replace(self.part, self.target)
        except OSError as exc:
            self.discard()
            raise InvalidInput(self.field, f"cannot write {self.target}: "
                                           f"{exc.strerror or type(exc).__name__}") from None

    def discard(self) -> None:
        self.part.unlink(missing_ok=True)


def part_prefix(target: Path) -> str:
    """The start of the name of a temporary file written for ``target``:
    ``.Patient.ndjson.`` (then random letters and ``.part``)."""
    return f".{Path(target).name}."


@contextmanager
def staged_file(path: Path, modes: FileModes = PRIVATE, *, field: str = "output"
                ) -> Iterator[tuple[BinaryIO, Staged]]:
    """A private temporary file beside ``path`` to write (0600; with ``modes`` from the
    shared-group setting, 0660), and the :class:`Staged` that moves it into place later.

    An error inside the block (an interruption too) removes the temporary file. Problems are
    told as :class:`InvalidInput` on ``field``, naming ``path`` (never the temporary name).
    """
    target = Path(path)
    if target.is_dir():
        raise InvalidInput(field, f"{target} is a folder; give a file name")
    folder = target.parent
    if not folder.is_dir():
        raise InvalidInput(field, f"folder {folder} does not exist")
    import tempfile

    try:
        handle, name = tempfile.mkstemp(prefix=part_prefix(target), suffix=".part", dir=folder)
    except OSError as exc:
        raise InvalidInput(field, f"cannot write {target}: "
                                  f"{(exc.strerror or type(exc).__name__).lower()}") from None
    staged = Staged(Path(name), target, field)
    try:
        with os.fdopen(handle, "wb") as out:
            set_mode(out.fileno(), modes.file, modes.gid)
            yield out, staged
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        staged.discard()
        raise


@contextmanager
def private_file(path: Path, modes: FileModes = PRIVATE, *, field: str = "output"
                 ) -> Iterator[BinaryIO]:
    """A file to write ``path`` through, readable by its owner only (0600; with ``modes`` from
    the shared-group setting, by that group too).

    What is written goes into a private temporary file beside ``path`` (made 0600), which
    replaces ``path`` once the block ends without an error: a file that was there with wider
    permissions is replaced, not reused, so the contents are never readable by others, not even
    for a moment, and never half written. An error inside the block leaves ``path`` as it was.
    """
    with staged_file(path, modes, field=field) as (out, staged):
        yield out
    staged.publish()


def folder_problem(folder: Path) -> str:
    """Why private files should not be written into ``folder`` ("" when nothing is wrong):
    another user owns it, or others may change what is in it (group- or world-writable
    without the sticky bit), so they could swap or remove a file while it is written."""
    try:
        found = os.stat(folder)
    except OSError:
        return ""  # not there: the caller makes it, or says so
    if found.st_uid != os.geteuid():
        import pwd

        try:
            owner = pwd.getpwuid(found.st_uid).pw_name
        except KeyError:
            owner = str(found.st_uid)
        return f"{folder} belongs to another user ({owner})"
    mode = stat.S_IMODE(found.st_mode)
    if mode & 0o022 and not mode & stat.S_ISVTX:
        who = "other users" if mode & 0o002 else f"the group {group_name(found.st_gid)}"
        return (f"{who} can change what is in {folder} (mode {mode:04o}); "
                f"use a folder of your own (chmod go-w {_quoted(folder)})")
    return ""


def others_can_read(fd: int) -> bool:
    """Whether the open regular file ``fd`` can be read by its group or other users (a pipe
    cannot: it is nobody else's). Secrets files must not be."""
    mode = os.fstat(fd).st_mode
    return stat.S_ISREG(mode) and bool(mode & 0o077)


def read_secret_file(path: Path, *, what: str) -> str:
    """The text of the secrets file ``path`` (``what`` names it in a message): refused when
    others can read it, is missing or is not UTF-8 — a message that never quotes its text."""
    try:
        with open(path, encoding="utf-8") as handle:
            if others_can_read(handle.fileno()):
                raise SecretFileError(f"{what} {path} can be read by other users: "
                                      "chmod 600 it first")
            return handle.read()
    except OSError as exc:
        raise SecretFileError(f"cannot read {what} {path}: "
                              f"{exc.strerror or type(exc).__name__}") from None
    except UnicodeDecodeError:
        raise SecretFileError(f"{what} {path} is not UTF-8 text") from None


class SecretFileError(Exception):
    """A secrets file that cannot be used; the message says which and why."""
