"""frontdesk over SSH, for real: a throwaway sshd on loopback (deploy/ssh/test-sshd.sh), a key
login through ``ssh -tt`` inside tmux, the calendar, a resize, and the app ending with the
connection — a killed client, and a client whose network vanished (sshd's ClientAlive).

Needs root (the script runs sshd and adds the OS user ``fdsched``, kept between runs), plus
tmux and the OpenSSH client and server, installed with apt-get when missing."""

from __future__ import annotations

import json
import os
import pwd
import re
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from frontdesk.services.demo.content import demo_password

SCRIPT = Path(__file__).resolve().parents[2] / "deploy" / "ssh" / "test-sshd.sh"
USER = "fdsched"  # the script's default OS user, mapped to the demo scheduler "sam"
BOARD = "Tulsa Midtown"  # the demo practice's first location, on the all-locations board
FOOTER = "f2 Call"  # the key bar on the board's last line
# sshd_config: ClientAliveInterval 5, ClientAliveCountMax 2 -> about 15 s; slack for a slow box.
VANISHED_LIMIT_S = 35.0


def _run(*args: str, timeout: float = 180) -> str:
    done = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{args} failed ({done.returncode}):\n{done.stdout}{done.stderr}"
    return done.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_for(what: str, check: Callable[[], bool], timeout: float,
              detail: Callable[[], str] = lambda: "") -> float:
    """Poll ``check`` until true; the seconds it took. Fails with ``detail()`` on timeout."""
    start = time.monotonic()
    while not check():
        if time.monotonic() - start > timeout:
            pytest.fail(f"{what}: not within {timeout:.0f} s\n{detail()}")
        time.sleep(0.2)
    return time.monotonic() - start


@dataclass(frozen=True)
class SshServer:
    state: Path
    port: int
    launcher: str  # the frontdesk path ForceCommand runs: how its processes are recognised
    uid: int

    def frontdesk_pids(self) -> set[int]:
        """Running frontdesk processes of the test user (zombies have no cmdline)."""
        found: set[int] = set()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                if entry.stat().st_uid != self.uid:
                    continue
                argv = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:  # gone meanwhile
                continue
            if len(argv) > 1 and argv[1] == self.launcher.encode():  # python <launcher>
                found.add(int(entry.name))
        return found


def _ensure_tools() -> None:
    missing = [tool for tool in ("ssh", "tmux") if shutil.which(tool) is None]
    if missing:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        packages = ["openssh-client" if tool == "ssh" else tool for tool in missing]
        subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", *packages],
                       env=env, check=False, timeout=300)
    still = [tool for tool in ("ssh", "tmux") if shutil.which(tool) is None]
    assert not still, f"missing {still}: apt-get install openssh-client tmux"


@pytest.fixture(scope="module")
def ssh_server() -> Iterator[SshServer]:
    if os.geteuid() != 0:
        pytest.fail("tests/deploy/test_ssh.py needs root: it starts sshd and adds an OS user")
    _ensure_tools()
    # Not tmp_path: pytest's base temp dir is 0700 root, which the test user cannot traverse.
    state = Path(tempfile.mkdtemp(prefix="frontdesk-ssh-", dir="/tmp"))
    state.chmod(0o755)
    port = _free_port()
    server: SshServer | None = None
    try:
        out = _run(str(SCRIPT), "start", str(state), str(port))
        match = re.search(rf"frontdesk for {USER}: (\S+)", out)
        assert match, out
        server = SshServer(state, port, match.group(1), pwd.getpwnam(USER).pw_uid)
        yield server
        assert not server.frontdesk_pids(), "a frontdesk outlived its test"
    finally:
        subprocess.run([str(SCRIPT), "stop", str(state)], check=False, timeout=30)
        for pid in server.frontdesk_pids() if server else ():
            os.kill(pid, signal.SIGKILL)  # only after a failure
        shutil.rmtree(state, ignore_errors=True)


class Terminal:
    """A tmux session of its own (own server socket) running one ssh client."""

    def __init__(self, server: SshServer, port: int) -> None:
        self.socket = f"fd-ssh-{uuid.uuid4().hex[:10]}"
        command = (
            f"COLORTERM=truecolor ssh -tt -i {server.state / 'client_key'} -p {port}"
            " -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o SendEnv=COLORTERM"
            f" {USER}@127.0.0.1"
        )
        self.tmux("new-session", "-d", "-s", "fd", "-x", "100", "-y", "30", command)

    def tmux(self, *args: str) -> str:
        return _run("tmux", "-L", self.socket, *args, timeout=30)

    def screen(self) -> list[str]:
        return self.tmux("capture-pane", "-p", "-t", "fd").split("\n")[:-1]

    def client_pid(self) -> int:
        return int(self.tmux("display-message", "-p", "-t", "fd", "#{pane_pid}").strip())

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True,
                       check=False, timeout=30)


@pytest.fixture
def ssh_terminal(ssh_server: SshServer) -> Iterator[Callable[[int], Terminal]]:
    opened: list[Terminal] = []
    before = ssh_server.frontdesk_pids()

    def open_terminal(port: int) -> Terminal:
        opened.append(Terminal(ssh_server, port))
        return opened[-1]

    yield open_terminal
    for terminal in opened:
        terminal.close()
    for pid in ssh_server.frontdesk_pids() - before:  # after a failure: leave nothing running
        os.kill(pid, signal.SIGKILL)


def _sign_in(server: SshServer, terminal: Terminal) -> int:
    """Wait for the board (os_users signs fdsched in as sam: no sign-in screen); its pid."""
    before = server.frontdesk_pids()
    _wait_for("the calendar over SSH", lambda: BOARD in "\n".join(terminal.screen()), 60,
              lambda: "\n".join(terminal.screen()) + _log(server))
    new = server.frontdesk_pids() - before
    assert len(new) == 1, f"expected one new frontdesk process for {USER}, got {new}"
    return new.pop()


def _log(server: SshServer) -> str:
    log = server.state / "sshd.log"
    return "\n--- sshd.log ---\n" + (log.read_text() if log.exists() else "(none)")


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def test_ssh_login_shows_calendar_resizes_and_ends_with_killed_client(
    ssh_server: SshServer, ssh_terminal: Callable[[int], Terminal]
) -> None:
    terminal = ssh_terminal(ssh_server.port)
    pid = _sign_in(ssh_server, terminal)
    screen = terminal.screen()
    assert "All locations" in screen[0], screen
    assert "Sign in" not in "\n".join(screen)
    environ = dict(
        item.split("=", 1)
        for item in Path(f"/proc/{pid}/environ").read_text().split("\0") if "=" in item
    )
    assert environ.get("TERM", "").startswith(("tmux", "screen")), environ.get("TERM")
    assert environ.get("COLORTERM") == "truecolor"  # SendEnv / AcceptEnv COLORTERM
    assert environ.get("SSH_CONNECTION")
    assert environ["FRONTDESK_DATA_DIR"] == str(ssh_server.state / "data")

    # 100x30: the key bar on row 30. 80x24: the app redraws with it on row 24.
    _wait_for("the key bar on row 30", lambda: FOOTER in terminal.screen()[29], 20,
              lambda: "\n".join(terminal.screen()))
    terminal.tmux("resize-window", "-t", "fd", "-x", "80", "-y", "24")

    def redrawn() -> bool:
        rows = terminal.screen()
        return len(rows) == 24 and FOOTER in rows[23] and BOARD in "\n".join(rows)

    _wait_for("a redraw at 80x24", redrawn, 20, lambda: "\n".join(terminal.screen()))
    assert all(len(row) <= 80 for row in terminal.screen())

    # The client dies without a word: sshd sees the connection close and hangs up the app.
    os.kill(terminal.client_pid(), signal.SIGKILL)
    took = _wait_for("frontdesk ending after the ssh client was killed",
                     lambda: not _alive(pid), 10, lambda: _log(ssh_server))
    print(f"frontdesk ended {took:.1f} s after the client was killed")

    # The OS user was signed in as sam by [signin] os_users, and it is in the audit log.
    proof = ssh_server.state / "maria-password"  # the manager reads the trail, proven
    proof.touch(mode=0o600)
    proof.write_text(demo_password("maria") + "\n")
    audit = json.loads(_run(ssh_server.launcher, "--db", str(ssh_server.state / "data" /
                                                              "frontdesk.db"),
                            "audit", "--as", "maria", "--password-file", str(proof),
                            "--action", "staff.sign_in", "--json"))
    assert [(e["staff"], e["summary"]) for e in audit] == [("sam", "sign-in over SSH")], audit


class Blackhole:
    """A TCP relay to sshd that can go silent without closing anything, like a dropped
    network: sshd then only learns of it from unanswered ClientAlive messages."""

    def __init__(self, target: int) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.listener.getsockname()[1]
        self.target = target
        self.silent = threading.Event()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        self.listener.settimeout(0.2)
        while not self.stop.is_set():
            try:
                client, _ = self.listener.accept()
            except TimeoutError:
                continue
            upstream = socket.create_connection(("127.0.0.1", self.target))
            self._relay(client, upstream)
            client.close()
            upstream.close()

    def _relay(self, client: socket.socket, upstream: socket.socket) -> None:
        peer = {client: upstream, upstream: client}
        while not self.stop.is_set():
            readable, _, _ = select.select(list(peer), [], [], 0.2)
            for sock in readable:
                data = sock.recv(65536)
                if not data:
                    return
                if not self.silent.is_set():
                    peer[sock].sendall(data)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(5)
        self.listener.close()


def test_ssh_vanished_client_is_noticed_and_the_app_ends(
    ssh_server: SshServer, ssh_terminal: Callable[[int], Terminal]
) -> None:
    relay = Blackhole(ssh_server.port)
    try:
        terminal = ssh_terminal(relay.port)
        pid = _sign_in(ssh_server, terminal)
        relay.silent.set()  # the network is gone; the client process still runs
        took = _wait_for("frontdesk ending after the client vanished (ClientAlive)",
                         lambda: not _alive(pid), VANISHED_LIMIT_S, lambda: _log(ssh_server))
        assert "Timeout, client not responding" in _log(ssh_server)
        print(f"frontdesk ended {took:.1f} s after the client went silent")
    finally:
        relay.close()
