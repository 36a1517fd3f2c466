"""`frontdesk serve` end to end, in Debian's chromium driven by Playwright.

A manager opens the page, signs in as maria, sees the calendar; the page loads nothing from
anywhere but the server; a browser killed mid-session leaves no app process behind; stopping
the server leaves nothing at all.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

CHROMIUM = "/usr/bin/chromium"
USER, PASSWORD = "maria", "maria-demo-2027"


def ensure_chromium() -> None:
    """Debian's chromium (never a browser Playwright downloads)."""
    if Path(CHROMIUM).exists():
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "--no-install-recommends", "chromium"]
    if subprocess.run(install, env=env, capture_output=True).returncode != 0:
        subprocess.run(["apt-get", "update"], env=env, capture_output=True, check=True)
        subprocess.run(install, env=env, capture_output=True, check=True)
    assert Path(CHROMIUM).exists()


def wait_for(what: str, check: Callable[[], object], timeout: float, every: float = 0.2,
             nap: Callable[[float], object] = time.sleep) -> object:
    """Poll ``check`` until it is true. While a browser runs, ``nap`` must let Playwright
    deliver its events (its sync API only does so inside its own calls)."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        nap(every)


def launch(pw: Playwright) -> Browser:
    """Debian's chromium, headless (as root it needs --no-sandbox)."""
    return pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                              args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def processes() -> dict[int, tuple[int, list[str]]]:
    """pid -> (parent pid, argv) for every live (non-zombie) process."""
    found: dict[int, tuple[int, list[str]]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] == "Z":
            continue
        found[int(entry.name)] = (int(fields[1]), [a.decode(errors="replace") for a in argv if a])
    return found


def descendants(root: int) -> set[int]:
    table = processes()
    found, frontier = set(), {root}
    while frontier:
        frontier = {pid for pid, (ppid, _) in table.items() if ppid in frontier} - found
        found |= frontier
    return found


def using(db: Path) -> set[int]:
    """Every live process serving ``db``: the server and each app. An app gets its database
    through a pipe, not its command line, so they are known by the data folder they inherit
    from the server's environment (``data`` beside the database: see ``served``)."""
    marker = f"FRONTDESK_DATA_DIR={db.parent / 'data'}".encode()
    found = set()
    for pid in processes():
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if marker in environ:
            found.add(pid)
    return found


def signed_in(db: Path, username: str) -> bool:
    with sqlite3.connect(db) as conn:
        row = conn.execute(
            "SELECT count(*) FROM audit_event a JOIN staff s ON s.id = a.staff_id "
            "WHERE a.action = 'staff.sign_in' AND s.username = ?", (username,)).fetchone()
    return bool(row[0])


class Screen:
    """What the app sends to the page (ANSI text over the websocket), to wait on."""

    def __init__(self, page: Page) -> None:
        self.frames: list[bytes] = []
        self.page = page
        page.on("websocket", lambda ws: ws.on("framereceived", self._received))

    def _received(self, payload: str | bytes) -> None:
        self.frames.append(payload if isinstance(payload, bytes) else payload.encode())

    def mark(self) -> int:
        return len(self.frames)

    def wait(self, text: str, since: int = 0, timeout: float = 20) -> None:
        wait_for(f"the app to draw {text!r}",
                 lambda: text in b"".join(self.frames[since:]).decode(errors="replace"),
                 timeout, nap=lambda seconds: self.page.wait_for_timeout(seconds * 1000))


def settled(page: Page, timeout: float) -> bytes:
    """Poll screenshots until two in a row are the same."""
    shots = [b""]

    def still() -> bool:
        shots.append(page.screenshot())
        return shots[-1] == shots[-2]

    wait_for("the page to settle", still, timeout, every=0.3)
    return shots[-1]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int, Path, Path]]:
    ensure_chromium()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FRONTDESK_", "SSH_"))}
    env |= {"FRONTDESK_DATA_DIR": str(tmp_path / "data"),  # what using() looks for
            "FRONTDESK_CONFIG_DIR": str(tmp_path / "config")}
    db = tmp_path / "demo.db"
    subprocess.run([sys.executable, "-m", "frontdesk", "--db", str(db), "db", "seed-demo"],
                   env=env, check=True, capture_output=True, timeout=60)
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "frontdesk", "--db", str(db), "serve", "--port", str(port)],
            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        def listening() -> bool:
            assert server.poll() is None, log.read_text()
            with socket.socket() as s:
                return s.connect_ex(("127.0.0.1", port)) == 0

        wait_for("the server to listen", listening, 20)
        yield server, port, db, log
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(5)
        for pid in using(db):  # nothing may outlive the test, whatever failed
            os.kill(pid, signal.SIGKILL)


def test_a_manager_signs_in_from_a_browser_and_nothing_outlives_it(
        served: tuple[subprocess.Popen[bytes], int, Path, Path], tmp_path: Path) -> None:
    server, port, db, log = served
    started = time.monotonic()
    requests: list[str] = []
    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.on("request", lambda r: requests.append(r.url))
            screen = Screen(page)
            page.goto(f"http://127.0.0.1:{port}/")
            apps = wait_for("the session's app process",
                            lambda: using(db) - {server.pid}, 20)
            # The sign-in box with the cursor in its username field ("U" drawn apart).
            screen.wait("sername", timeout=30)
            sign_in_shot = page.screenshot()

            # Each key waits for its effect: keys typed before the focus moves would land in
            # the wrong field.
            page.focus("textarea")  # xterm's input; a click could land on a field
            mark = screen.mark()
            page.keyboard.type(USER)
            screen.wait(USER, since=mark)
            mark = screen.mark()
            page.keyboard.press("Enter")
            screen.wait("assword", since=mark)  # the cursor moved into the password field
            mark = screen.mark()
            page.keyboard.type(PASSWORD)
            screen.wait("•" * 3, since=mark)  # shown masked
            page.keyboard.press("Enter")
            try:
                wait_for("maria's sign-in in the audit trail", lambda: signed_in(db, USER), 30)
            finally:
                page.screenshot(path=tmp_path / "after-sign-in.png")
            screen.wait("All locations")  # the today board
            mark = screen.mark()
            page.keyboard.press("w")  # the week view: this week's appointments, any day
            screen.wait("Week of", since=mark)
            settled(page, 20)
            board_shot = page.screenshot(path=tmp_path / "week.png")
            # A week of appointments draws far more than the sign-in box on an empty screen.
            assert len(board_shot) > 2 * len(sign_in_shot), (len(board_shot), len(sign_in_shot))

            for url in requests:
                parts = urlsplit(url)
                assert parts.scheme in ("http", "ws"), url
                assert parts.hostname == "127.0.0.1", url

            # Kill the browser abruptly: SIGKILL its whole process group.
            chromiums = [pid for pid in descendants(os.getpid())
                         if (argv := processes().get(pid, (0, []))[1])
                         and argv[0].endswith("chromium")
                         and not any(a.startswith("--type=") for a in argv)]
            assert len(chromiums) == 1, chromiums
            os.killpg(os.getpgid(chromiums[0]), signal.SIGKILL)
            wait_for("the app process to end after the browser died",
                     lambda: not (using(db) - {server.pid}), 10)
            assert not set(apps) & using(db)
        finally:
            with contextlib.suppress(Exception):  # it was killed: Playwright may know
                browser.close()

    assert server.poll() is None, "the server must survive a browser's death"
    server.send_signal(signal.SIGTERM)
    server.wait(15)
    wait_for("nothing of the server to remain", lambda: not using(db), 10)
    text = log.read_text()
    assert "Traceback" not in text, text
    assert time.monotonic() - started < 75


def test_stopping_the_server_ends_every_session(
        served: tuple[subprocess.Popen[bytes], int, Path, Path]) -> None:
    server, port, db, _ = served
    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            pages = [browser.new_page() for _ in range(2)]
            for page in pages:
                page.goto(f"http://127.0.0.1:{port}/")
            wait_for("two app processes", lambda: len(using(db) - {server.pid}) == 2, 30)
            apps = using(db) - {server.pid}
            server.send_signal(signal.SIGINT)  # Ctrl+C
            server.wait(15)
            wait_for("every app process to end", lambda: not (using(db) & apps), 10)
        finally:
            browser.close()


def test_a_killed_server_leaves_no_app_behind(
        served: tuple[subprocess.Popen[bytes], int, Path, Path]) -> None:
    """The server dies without a word (SIGKILL): each app sees its input end and exits."""
    server, port, db, _ = served
    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            page = browser.new_page()
            screen = Screen(page)
            page.goto(f"http://127.0.0.1:{port}/")
            screen.wait("sername", timeout=30)  # the app is up and drawing
            apps = using(db) - {server.pid}
            assert apps
            server.kill()
            server.wait(5)
            wait_for("the orphaned app to exit", lambda: not (using(db) & apps), 10)
        finally:
            browser.close()
