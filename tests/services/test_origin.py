"""Where a person acts from is read from the process, never from environment variables: the
real OS user from the uid, an SSH login from an sshd ancestor running as root."""

from __future__ import annotations

import os
import pwd
from pathlib import Path

import pytest

from frontdesk.services.origin import (
    WEB_DRIVER,
    app_origin,
    cli_origin,
    over_ssh,
    real_os_user,
)


def fake_proc(tmp_path: Path, *processes: tuple[int, str, int, int]) -> Path:
    """A /proc with (pid, name, real uid, parent pid) processes."""
    for pid, name, uid, parent in processes:
        folder = tmp_path / str(pid)
        folder.mkdir()
        (folder / "status").write_text(
            f"Name:\t{name}\nUmask:\t0022\nState:\tS (sleeping)\nPid:\t{pid}\n"
            f"PPid:\t{parent}\nUid:\t{uid}\t{uid}\t{uid}\t{uid}\n")
    return tmp_path


def test_a_login_under_the_system_sshd_is_ssh(tmp_path: Path) -> None:
    proc = fake_proc(tmp_path, (900, "sshd", 0, 1), (950, "sshd", 1000, 900),
                     (951, "bash", 1000, 950), (990, "python3", 1000, 951))
    assert over_ssh(990, proc=proc)


def test_openssh_9_8_sessions_run_in_sshd_session(tmp_path: Path) -> None:
    proc = fake_proc(tmp_path, (900, "sshd-session", 0, 1), (951, "bash", 1000, 900),
                     (990, "python3", 1000, 951))
    assert over_ssh(990, proc=proc)


def test_a_program_a_user_names_sshd_is_not_an_ssh_login(tmp_path: Path) -> None:
    proc = fake_proc(tmp_path, (700, "login", 0, 1), (950, "sshd", 1000, 700),
                     (951, "bash", 1000, 950), (990, "python3", 1000, 951))
    assert not over_ssh(990, proc=proc)


def test_a_local_terminal_or_an_unreadable_process_tree_is_not_ssh(tmp_path: Path) -> None:
    proc = fake_proc(tmp_path, (700, "login", 0, 1), (951, "bash", 1000, 700),
                     (990, "python3", 1000, 951))
    assert not over_ssh(990, proc=proc)
    assert not over_ssh(12345, proc=proc)  # gone


def test_the_os_user_is_the_real_uid_whatever_the_environment_says(
        monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.setenv(name, "someone-else")
    assert real_os_user() == pwd.getpwuid(os.getuid()).pw_name
    assert cli_origin().os_user == real_os_user()


def test_ssh_variables_do_not_make_an_ssh_login() -> None:
    faked = {"SSH_CONNECTION": "10.0.0.5 51234 10.0.0.1 22", "SSH_TTY": "/dev/pts/3"}
    expected = "ssh" if over_ssh() else "app"  # what this test process really is
    assert app_origin(faked).channel == expected
    assert app_origin({**faked, "TEXTUAL_DRIVER": WEB_DRIVER}).channel == "browser"
    assert app_origin({}).os_user == real_os_user()


def test_the_browser_channel_is_the_driver_frontdesk_serve_starts_its_apps_with() -> None:
    from frontdesk.web.server import DRIVER

    assert WEB_DRIVER == DRIVER
