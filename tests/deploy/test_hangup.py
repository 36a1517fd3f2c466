"""A hung-up terminal ends the app even when it was started with SIGHUP ignored (under nohup or
a wrapper): otherwise a dropped SSH session would leave frontdesk running with nobody there."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import termios
import time
from pathlib import Path

FRONTDESK = [sys.executable, "-m", "frontdesk"]


def _on_its_own_terminal() -> None:
    """In the child: a new session whose controlling terminal is the pty on stdin, and SIGHUP
    ignored, as nohup leaves it."""
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)


def _screen_shows(master: int, text: bytes, timeout: float) -> bool:
    seen = b""
    end = time.monotonic() + timeout
    os.set_blocking(master, False)
    while time.monotonic() < end:
        try:
            seen += os.read(master, 65536)
        except BlockingIOError:
            time.sleep(0.1)
        if text in seen:
            return True
    return False


def test_closing_the_terminal_ends_the_app_even_with_sighup_ignored(tmp_path: Path) -> None:
    db = tmp_path / "practice.db"
    subprocess.run([*FRONTDESK, "--db", str(db), "db", "upgrade"], check=True,
                   capture_output=True, timeout=120)
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, b"\x18\x00\x50\x00\x00\x00\x00\x00")  # 24 x 80
    env = os.environ | {"TERM": "xterm-256color", "FRONTDESK_DATA_DIR": str(tmp_path)}
    app = subprocess.Popen([*FRONTDESK, "--db", str(db)], stdin=slave, stdout=slave,
                           stderr=slave, env=env, preexec_fn=_on_its_own_terminal)
    os.close(slave)
    try:
        assert _screen_shows(master, b"sign in", timeout=60), "the sign-in screen never drew"
        os.close(master)  # the terminal goes away, as when sshd loses the client
        app.wait(timeout=10)  # ends, rather than spinning on end-of-input
    finally:
        if app.poll() is None:
            app.kill()
            app.wait()
