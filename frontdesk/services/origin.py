"""Where a person acts from, read from the process itself: the real OS user (the process's real
uid) and the channel — the command line, a browser tab of ``frontdesk serve``, an SSH login or
a local terminal.

Nothing here trusts what anyone can set: ``LOGNAME``, ``USER`` or ``SSH_CONNECTION`` are
ordinary environment variables. An SSH login is recognised by the process descending from the
system's sshd (a process named sshd running as root, which a user cannot start); a browser tab
by the web driver ``frontdesk serve`` starts its apps with (which only turns the passwordless
SSH sign-in off, so claiming it gains nothing).
"""

from __future__ import annotations

import os
import pwd
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

WEB_DRIVER = "frontdesk.web.driver:FrontDeskWebDriver"
SSHD_NAMES = frozenset({"sshd", "sshd-session"})  # OpenSSH 9.8 runs sessions in sshd-session
PROC = Path("/proc")


@dataclass(frozen=True)
class Origin:
    """Where the person acts from, recorded on every audit event: the ``channel`` (``app`` in
    a local terminal, ``ssh``, ``browser``, ``cli``) and the real OS user of the process."""

    channel: str = "app"
    os_user: str | None = None

    @property
    def stamp(self) -> tuple[str, str | None]:
        return self.channel, self.os_user


def real_os_user() -> str:
    """The user the process runs as, by its real uid (sudo and su change it; the environment
    does not)."""
    uid = os.getuid()
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:  # a uid without a passwd entry (a container): the number
        return str(uid)


def _status(pid: int, proc: Path) -> tuple[str, int, int] | None:
    """(name, real uid, parent pid) of a process, or None when it is gone or unreadable."""
    try:
        fields = dict(line.split(":", 1) for line in
                      (proc / str(pid) / "status").read_text().splitlines() if ":" in line)
        return (fields["Name"].strip(), int(fields["Uid"].split()[0]),
                int(fields["PPid"].strip()))
    except (OSError, KeyError, ValueError, IndexError):
        return None


def over_ssh(pid: int | None = None, *, proc: Path = PROC) -> bool:
    """Whether the process ``pid`` (this one by default) runs in an SSH login: one of its
    ancestors is the system's sshd, running as root."""
    seen: set[int] = set()
    current = os.getppid() if pid is None else pid
    while current > 1 and current not in seen:
        seen.add(current)
        found = _status(current, proc)
        if found is None:
            return False
        name, uid, parent = found
        if name in SSHD_NAMES and uid == 0:
            return True
        current = parent
    return False


def app_origin(environ: Mapping[str, str]) -> Origin:
    """The full-screen app's origin: a browser tab of ``frontdesk serve``, an SSH login, or a
    terminal on this machine."""
    if environ.get("TEXTUAL_DRIVER") == WEB_DRIVER:
        channel = "browser"
    elif over_ssh():
        channel = "ssh"
    else:
        channel = "app"
    return Origin(channel, real_os_user())


def cli_origin() -> Origin:
    return Origin("cli", real_os_user())
