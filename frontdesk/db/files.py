"""frontdesk's own files on disk: made for their owner alone, or for one shared group.

The database, SQLite's ``-wal``/``-shm``/``-journal`` beside it and the exported reports hold
patient details, so they are made owner-only (files 0600, folders 0700) or, under the
``[storage] shared_group`` setting, for that group as well (files 0660, folders 2770: the
set-group-ID bit makes what is created inside, SQLite's own files included, take the group).
The modes are set exactly once a file or folder is made, never left to the umask. SQLite makes
its ``-wal``, ``-shm`` and ``-journal`` with the database file's mode, so creating the database
file first is enough for those.

A file or folder that is already there is never changed: :func:`exposure` says what is wider
than it should be, and the caller tells the person.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class FileModes:
    """How new files and folders are made: ``gid`` None for their owner alone."""

    gid: int | None = None
    group: str = ""  # the shared group's name, for messages

    @property
    def folder(self) -> int:
        return 0o700 if self.gid is None else 0o2770

    @property
    def file(self) -> int:
        return 0o600 if self.gid is None else 0o660


PRIVATE = FileModes()

#: What SQLite keeps beside a database file.
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


def set_mode(fd: int, mode: int, gid: int | None = None) -> None:
    """Give the open file or folder ``fd`` exactly ``mode`` (and group ``gid``)."""
    if gid is not None:
        os.fchown(fd, -1, gid)  # before the mode: a change of group can clear set-group-ID
    os.fchmod(fd, mode)


def make_folders(path: Path, modes: FileModes = PRIVATE) -> None:
    """Make ``path`` and each missing folder above it with ``modes.folder``.

    Folders already there are left as they are.
    """
    missing: list[Path] = []
    here = Path(os.path.abspath(path))
    while not os.path.lexists(here) and here.parent != here:
        missing.append(here)
        here = here.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=modes.folder & 0o777)  # the umask can only narrow it
        except FileExistsError:
            continue  # made meanwhile by someone else: theirs
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        try:
            set_mode(fd, modes.folder, modes.gid)
        finally:
            os.close(fd)


def create_file(path: Path, modes: FileModes = PRIVATE) -> bool:
    """Make ``path`` an empty file with ``modes.file``, unless something is there already.

    True when this call made it.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                     0o600)
    except FileExistsError:
        return False
    try:
        set_mode(fd, modes.file, modes.gid)
    finally:
        os.close(fd)
    return True


@dataclass(frozen=True, slots=True)
class Exposure:
    """A file others can read or change beyond what the modes allow."""

    path: Path
    mode: int  # its permission bits
    extra: int  # those of them the modes do not allow
    group: str  # its group's name (or number)


def exposure(path: Path, modes: FileModes = PRIVATE) -> Exposure | None:
    """What is wider than ``modes`` allow in ``path``'s permissions; None when nothing is (or
    when there is no such file)."""
    try:
        found = os.stat(path)
    except OSError:  # not there (or not ours to look at): nothing to say
        return None
    mode = stat.S_IMODE(found.st_mode)
    allowed = 0o700 if modes.gid is None or found.st_gid != modes.gid else 0o770
    extra = mode & 0o077 & ~allowed
    if not extra:
        return None
    return Exposure(Path(path), mode, extra, group_name(found.st_gid))


def group_name(gid: int) -> str:
    import grp

    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)
