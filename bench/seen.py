"""What a person sees, timed from outside the process: the real programs in tmux at 80x24.

    .venv/bin/python -m bench.seen [--runs 5] [--presses 20]    (or bench.run --only seen)

Every figure is wall time from just before the program is spawned (``time.monotonic``) to
the moment ``tmux capture-pane`` shows the wanted text, polled every few milliseconds. "Taking
keys" means the screen is there AND a key sent to it is answered on screen: a character typed
into the sign-in form's username is echoed; ``→`` on the board shows the next day. A bare
Textual app (one ``Static`` that shows the last key pressed) runs interleaved with frontdesk,
run by run, so the targets are ratios that hold on any machine.

(1) ``frontdesk --demo`` → the sign-in form taking keys; (2) ``frontdesk --demo`` → today's
board taking keys, signed in by the SSH OS-user mapping; (3) a key → the screen settled (its
text stops changing for ``SETTLE_MS``; the figure is the last change) for ``→`` on the board,
the day view and the week view; (4) whole CLI commands (wall time of the process); (5) peak
memory (VmHWM) of the app at the board after a password sign-in; (6) the bare app's start →
on screen and taking keys.

The demo database and the settings live in a private directory (``FRONTDESK_DATA_DIR``,
``FRONTDESK_CONFIG_DIR``, and XDG_* beside them). The SSH sign-in trusts only an ancestor
process named ``sshd`` running as root (``services/origin.py``): run as root, the
benchmark starts the app under a shell reached through a symlink named ``sshd``, which is what
an SSH login looks like to the app; otherwise (2) and (3) are skipped.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import frontdesk as frontdesk_pkg
from bench.figures import Figure

ROOT = Path(__file__).resolve().parent.parent
WIDTH, HEIGHT = 80, 24
POLL_S = 0.003
SETTLE_MS = 250.0
TIMEOUT_S = 30.0
SETTLE_BEFORE_KEYS = 2.0  # seconds after the board is drawn before (3) presses its keys
USER, PASSWORD = "rita", "rita-demo-2027"  # the demo's published receptionist account

Screen = str
Check = Callable[[Screen], bool]

SIGN_IN_FORM = re.compile(r"frontdesk · sign in")
BOARD_TODAY = re.compile(r"^ \w{3} \d{1,2} \w{3} \d{4} \(today\) · All locations", re.M)
BOARD_DAY = re.compile(r"^ (\w{3} \d{1,2} \w{3} \d{4})(?: \(today\))? · All locations", re.M)
BARE_READY = "bare textual app"


# --------------------------------------------------------------------------- screen matching


def sign_in_ready(screen: Screen) -> bool:
    return bool(SIGN_IN_FORM.search(screen)) and "Username" in screen


def username_echoed(screen: Screen, char: str) -> bool:
    """The sign-in form's username field shows ``char`` typed (the label gives way to it)."""
    return bool(re.search(rf"│  {re.escape(char)}+ +│", screen)) and "Password" in screen


def board_ready(screen: Screen) -> bool:
    """Today's board, its rows read (the summary line of visits is drawn)."""
    return bool(BOARD_TODAY.search(screen)) and " visits · " in screen


def board_day(screen: Screen) -> str | None:
    """The day the board shows, e.g. ``Mon 7 Dec 2026``; None when it is not the board."""
    found = BOARD_DAY.search(screen)
    return found.group(1) if found else None


def bare_answered(screen: Screen, key: str) -> bool:
    return f"key: {key}" in screen


# --------------------------------------------------------------------------- tmux


@dataclass
class Tmux:
    """A private tmux server (its own socket), kept up by an idle session so that each
    program's spawn is a new session on a running server, as for the bare app."""

    socket: str
    sessions: int = 0
    env: dict[str, str] = field(default_factory=dict)

    def run(self, *args: str) -> str:
        done = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True,
                              text=True, check=False)
        return done.stdout

    def start_server(self) -> None:
        self.run("new-session", "-d", "-s", "idle", "-x", str(WIDTH), "-y", str(HEIGHT),
                 "sleep 100000")

    def spawn(self, command: str) -> str:
        self.sessions += 1
        name = f"s{self.sessions}"
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in self.env.items())
        self.run("new-session", "-d", "-s", name, "-x", str(WIDTH), "-y", str(HEIGHT),
                 "-c", str(ROOT), f"env {exports} {command}")
        return name

    def screen(self, name: str) -> Screen:
        return self.run("capture-pane", "-p", "-t", name)

    def keys(self, name: str, *keys: str) -> None:
        self.run("send-keys", "-t", name, *keys)

    def kill(self, name: str) -> None:
        self.run("kill-session", "-t", name)

    def pane_pid(self, name: str) -> int:
        return int(self.run("display-message", "-p", "-t", name, "#{pane_pid}").strip())

    def stop(self) -> None:
        socket = self.run("display-message", "-p", "-t", "idle", "#{socket_path}").strip()
        self.run("kill-server")
        if socket:  # tmux leaves its socket file behind when killed
            Path(socket).unlink(missing_ok=True)


def wait_for(tmux: Tmux, name: str, check: Check, *, timeout: float = TIMEOUT_S) -> float:
    """Poll the pane until ``check`` holds; the monotonic time it was first seen."""
    limit = time.monotonic() + timeout
    while True:
        screen = tmux.screen(name)
        seen = time.monotonic()
        if check(screen):
            return seen
        if seen > limit:
            raise TimeoutError(f"{name}: not seen in {timeout:.0f} s; screen:\n{screen}")
        time.sleep(POLL_S)


def settled(tmux: Tmux, name: str, before: Screen, sent: float) -> float:
    """Milliseconds from ``sent`` to the last change of the screen text, once it has not
    changed for SETTLE_MS after its first change."""
    limit = sent + TIMEOUT_S
    last, last_change = before, None
    while True:
        screen = tmux.screen(name)
        now = time.monotonic()
        if screen != last:
            last, last_change = screen, now
        elif last_change is not None and (now - last_change) * 1000 >= SETTLE_MS:
            return (last_change - sent) * 1000
        if now > limit:
            raise TimeoutError(f"{name}: the screen did not change")
        time.sleep(POLL_S)


def peak_rss_mib(pid: int) -> float:
    """VmHWM of ``pid`` or of its frontdesk descendant (the pane may run a shell)."""
    for candidate in [pid, *_descendants(pid)]:
        status = Path(f"/proc/{candidate}/status").read_text()
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if fields["Name"].strip() in ("frontdesk", "python", "python3"):
            return int(fields["VmHWM"].split()[0]) / 1024
    raise LookupError(f"no app process under pid {pid}")


def _descendants(pid: int) -> list[int]:
    out: list[int] = []
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return out
    for child in map(int, children):
        out.extend([child, *_descendants(child)])
    return out


# --------------------------------------------------------------------------- the runs


@dataclass
class Setup:
    tmux: Tmux
    frontdesk: str
    python: str
    ssh_shell: str | None  # a shell reached through a symlink named sshd (root only)
    env: dict[str, str]


def setup(base: Path) -> Setup:
    data, config, bin_dir = base / "data", base / "config", base / "bin"
    for folder in (data, config, bin_dir):
        folder.mkdir(parents=True, exist_ok=True)
    user = _os_user()
    (config / "settings.toml").write_text(f'[signin]\nos_users = {{ {user} = "{USER}" }}\n')
    env = {"FRONTDESK_DATA_DIR": str(data), "FRONTDESK_CONFIG_DIR": str(config),
           "XDG_DATA_HOME": str(base / "xdg-data"), "XDG_CONFIG_HOME": str(base / "xdg-config"),
           "TERM": "xterm-256color", "COLORTERM": "truecolor"}
    ssh_shell = None
    bash = shutil.which("bash")
    if os.getuid() == 0 and bash:
        ssh_shell = str(bin_dir / "sshd")
        if not Path(ssh_shell).exists():
            Path(ssh_shell).symlink_to(bash)
    # what an install has (pip compiles the modules; an editable checkout with
    # PYTHONDONTWRITEBYTECODE set would compile them again on every start)
    package = str(Path(frontdesk_pkg.__file__).parent)
    subprocess.run([sys.executable, "-m", "compileall", "-q", package], check=True)
    tmux = Tmux(f"frontdesk-seen-{os.getpid()}", env=env)
    tmux.start_server()
    frontdesk = str(Path(sys.executable).with_name("frontdesk"))
    return Setup(tmux, frontdesk, sys.executable, ssh_shell, env)


def _os_user() -> str:
    import pwd

    return pwd.getpwuid(os.getuid()).pw_name


def seed(s: Setup) -> None:
    """Open the demo once so that it is seeded (not timed), and once more warm: signed in each
    time, since the form is on screen before the database is open (and seeded)."""
    for _ in range(2):
        name = s.tmux.spawn(f"{s.frontdesk} --demo")
        wait_for(s.tmux, name, sign_in_ready, timeout=180)
        s.tmux.keys(name, USER, "Enter")
        time.sleep(0.3)
        s.tmux.keys(name, PASSWORD, "Enter")
        wait_for(s.tmux, name, board_ready, timeout=180)
        s.tmux.kill(name)


def start_sign_in(s: Setup) -> float:
    began = time.monotonic()
    name = s.tmux.spawn(f"{s.frontdesk} --demo")
    try:
        wait_for(s.tmux, name, sign_in_ready)
        s.tmux.keys(name, "z")
        seen = wait_for(s.tmux, name, lambda screen: username_echoed(screen, "z"))
    finally:
        s.tmux.kill(name)
    return (seen - began) * 1000


def _ssh_command(s: Setup, command: str) -> str:
    assert s.ssh_shell is not None
    return f"{s.ssh_shell} -c {shlex.quote(command + '; true')}"


def start_board(s: Setup) -> float:
    began = time.monotonic()
    name = s.tmux.spawn(_ssh_command(s, f"{s.frontdesk} --demo"))
    try:
        wait_for(s.tmux, name, board_ready)
        today = board_day(s.tmux.screen(name))
        s.tmux.keys(name, "Right")
        seen = wait_for(s.tmux, name, lambda screen: board_day(screen) not in (None, today))
    finally:
        s.tmux.kill(name)
    return (seen - began) * 1000


def start_bare(s: Setup) -> float:
    began = time.monotonic()
    name = s.tmux.spawn(f"{s.python} -m bench.seen --bare")
    try:
        wait_for(s.tmux, name, lambda screen: BARE_READY in screen)
        s.tmux.keys(name, "z")
        seen = wait_for(s.tmux, name, lambda screen: bare_answered(screen, "z"))
    finally:
        s.tmux.kill(name)
    return (seen - began) * 1000


VIEWS = ("board", "day view", "week view")


def presses(s: Setup, *, n: int, views: Sequence[str] = VIEWS) -> dict[str, list[float]]:
    """→ on the board, the day view and the week view (signed in by the SSH mapping), once
    the app has settled: the board shows before the database stack has loaded, which it does
    when the keys have been left alone for a moment (start-up is (2)'s to measure)."""
    out: dict[str, list[float]] = {view: [] for view in views}
    name = s.tmux.spawn(_ssh_command(s, f"{s.frontdesk} --demo"))
    try:
        wait_for(s.tmux, name, board_ready)
        time.sleep(SETTLE_BEFORE_KEYS)
        for view, opener in (("board", None), ("day view", "d"), ("week view", "w")):
            if view not in out:
                break  # each view is opened from the one before it
            if opener:
                before = s.tmux.screen(name)
                s.tmux.keys(name, opener)
                settled(s.tmux, name, before, time.monotonic())
            keys = ["Right"] * n if view != "week view" else (
                (["Right"] * 5 + ["Left"] * 5) * (n // 10 + 1))[:n]
            for i, key in enumerate(["Right", "Left", *keys]):  # two unrecorded
                before = s.tmux.screen(name)
                sent = time.monotonic()
                s.tmux.keys(name, key)
                took = settled(s.tmux, name, before, sent)
                if i >= 2:
                    out[view].append(took)
    finally:
        s.tmux.kill(name)
    return out


def memory_after_password(s: Setup) -> float:
    name = s.tmux.spawn(f"{s.frontdesk} --demo")
    try:
        wait_for(s.tmux, name, sign_in_ready)
        s.tmux.keys(name, USER, "Enter")
        time.sleep(0.3)
        s.tmux.keys(name, PASSWORD, "Enter")
        wait_for(s.tmux, name, board_ready)
        time.sleep(1.0)
        return peak_rss_mib(s.tmux.pane_pid(name))
    finally:
        s.tmux.kill(name)


def memory_ssh(s: Setup) -> float:
    name = s.tmux.spawn(_ssh_command(s, f"{s.frontdesk} --demo"))
    try:
        wait_for(s.tmux, name, board_ready)
        time.sleep(1.0)
        return peak_rss_mib(s.tmux.pane_pid(name))
    finally:
        s.tmux.kill(name)


def memory_bare(s: Setup) -> float:
    name = s.tmux.spawn(f"{s.python} -m bench.seen --bare")
    try:
        wait_for(s.tmux, name, lambda screen: BARE_READY in screen)
        time.sleep(0.5)
        return peak_rss_mib(s.tmux.pane_pid(name))
    finally:
        s.tmux.kill(name)


CLI = {
    "appointments --date today": ["appointments", "--date", "today"],
    "slots --visit-type follow-up": ["slots", "--visit-type", "follow-up"],
    "patients find ash": ["patients", "find", "ash"],
}


def cli_command(s: Setup, args: Sequence[str]) -> float:
    env = {**os.environ, **s.env}
    began = time.monotonic()
    done = subprocess.run([s.frontdesk, "--demo", *args], env=env, capture_output=True,
                          check=False, timeout=120)
    took = (time.monotonic() - began) * 1000
    if done.returncode != 0:
        raise RuntimeError(f"frontdesk {' '.join(args)}: exit {done.returncode}: "
                           f"{done.stderr.decode()[-300:]}")
    return took


# --------------------------------------------------------------------------- measure


@dataclass
class Seen:
    figures: list[Figure]
    notes: list[str]
    verdicts: dict[str, str]  # by figure name, where the target is not a plain p95 limit

    def missed(self) -> list[str]:
        return [f.name for f in self.figures
                if self.verdicts.get(f.name, f.verdict) == "MISSED"]


def measure(*, runs: int, presses_n: int) -> Seen:
    with tempfile.TemporaryDirectory(prefix="frontdesk-seen-") as tmp:
        s = setup(Path(tmp))
        try:
            return _measure(s, runs=runs, presses_n=presses_n)
        finally:
            s.tmux.stop()


def _measure(s: Setup, *, runs: int, presses_n: int) -> Seen:
    print("  seeding the demo database ...", flush=True)
    seed(s)
    starts: dict[str, list[float]] = {"bare": [], "sign-in": [], "board": []}
    cli: dict[str, list[float]] = {label: [] for label in CLI}
    steps: list[tuple[str, Callable[[Setup], float]]] = [
        ("bare", start_bare), ("sign-in", start_sign_in)]
    if s.ssh_shell:
        steps.append(("board", start_board))
    for run in range(runs):
        order = steps if run % 2 == 0 else steps[::-1]
        for which, step in order:
            starts[which].append(step(s))
        for label, args in CLI.items():
            cli[label].append(cli_command(s, args))
        print(f"  run {run + 1}/{runs}: " + ", ".join(
            f"{k} {v[-1]:.0f} ms" for k, v in starts.items() if v), flush=True)
    memory = [memory_after_password(s) for _ in range(max(1, min(runs, 3)))]
    ssh_memory = [memory_ssh(s) for _ in range(max(1, min(runs, 3)))] if s.ssh_shell else []
    bare_memory = [memory_bare(s) for _ in range(max(1, min(runs, 3)))]
    keys = presses(s, n=presses_n) if s.ssh_shell else {}

    bare = Figure("bare Textual app: start → on screen, taking keys", tuple(starts["bare"]))
    base = bare.pct(50)
    figures = [bare]
    verdicts: dict[str, str] = {}

    def ratio(name: str, samples: Sequence[float], times: float) -> Figure:
        figure = Figure(name, tuple(samples), f"p50 <= {times:g}x bare p50")
        verdicts[name] = "ok" if figure.pct(50) <= times * base else "MISSED"
        return figure

    figures.append(ratio("frontdesk --demo: start → sign-in form taking keys",
                         starts["sign-in"], 1.5))
    if starts["board"]:
        figures.append(ratio("frontdesk --demo: start → board taking keys (SSH mapping)",
                             starts["board"], 2))
    for view, samples in keys.items():
        name = f"{view} → next screen settled (80x24, tmux)"
        if view == "week view":
            figures.append(Figure(name, tuple(samples)))
            continue
        figure = Figure(name, tuple(samples), "p50 <= 50, p95 <= 100 ms")
        verdicts[name] = "ok" if figure.pct(50) <= 50 and figure.pct(95) <= 100 else "MISSED"
        figures.append(figure)
    for label, samples in cli.items():
        figures.append(ratio(f"frontdesk --demo {label} (whole command)", samples, 1.5))
    figures.append(Figure("peak memory (VmHWM) at the board after a password sign-in",
                          tuple(memory), "<= 100 MiB", 100.0, unit="MiB"))
    if ssh_memory:
        figures.append(Figure("peak memory (VmHWM) at the board, SSH mapping (no password)",
                              tuple(ssh_memory), unit="MiB"))
    figures.append(Figure("peak memory (VmHWM), bare Textual app", tuple(bare_memory),
                          unit="MiB"))

    notes = [
        f"ratios to the bare app's p50 ({base:.0f} ms): sign-in form "
        f"{figures[1].pct(50) / base:.2f}x (target <= 1.5x)"
        + (f", board {figures[2].pct(50) / base:.2f}x (target <= 2x)" if starts["board"]
           else "")
        + "; CLI commands " + ", ".join(
            f"{label.split()[0]} {Figure('', tuple(v)).pct(50) / base:.2f}x"
            for label, v in cli.items()) + " (target <= 1.5x).",
        f"settled = the last change of the screen text once it has not changed for "
        f"{SETTLE_MS:.0f} ms; tmux capture-pane polled every ~{POLL_S * 1000:.0f} ms "
        "(each poll is a tmux client process, which shares the CPU with the app).",
        f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f} at the end of the run "
        "(it includes the benchmark's own polling and whatever else runs on the machine).",
    ]
    if not s.ssh_shell:
        notes.append("(2) and (3) skipped: the SSH sign-in needs an sshd ancestor running "
                     "as root, which the benchmark can stand in for only when run as root.")
    return Seen(figures, notes, verdicts)


def measure_keys(*, presses_n: int, views: Sequence[str]) -> dict[str, list[float]]:
    """Part (3) alone: a key → the screen settled, for ``views`` (root only)."""
    with tempfile.TemporaryDirectory(prefix="frontdesk-seen-") as tmp:
        s = setup(Path(tmp))
        try:
            if not s.ssh_shell:
                raise RuntimeError("part (3) needs root (the SSH sign-in's sshd ancestor)")
            seed(s)
            return presses(s, n=presses_n, views=views)
        finally:
            s.tmux.stop()


def seen_table(figures: Sequence[Figure], verdicts: dict[str, str] | None = None) -> str:
    verdicts = verdicts or {}
    lines = ["| measurement | n | p50 | p95 | max | target | |",
             "|---|---:|---:|---:|---:|---|---|"]
    for f in figures:
        u = f" {f.unit}"
        lines.append(f"| {f.name} | {f.n} | {f.pct(50):.0f}{u} | {f.pct(95):.0f}{u} | "
                     f"{max(f.samples):.0f}{u} | {f.target} | "
                     f"{verdicts.get(f.name, f.verdict)} |")
    return "\n".join(lines)


DOC = ROOT / "docs" / "benchmarks.md"
DOC_START, DOC_END = "<!-- bench:seen:start -->", "<!-- bench:seen:end -->"


def write_doc(result: Seen, *, runs: int) -> bool:
    """The figures between the seen markers of docs/benchmarks.md; False without markers."""
    text = DOC.read_text()
    if DOC_START not in text or DOC_END not in text:
        return False
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
    body = "\n".join([
        DOC_START,
        f"Run {stamp} UTC, {runs} interleaved runs (`python -m bench.run --only seen "
        f"--runs {runs}`):",
        "",
        seen_table(result.figures, result.verdicts),
        "",
        *[f"- {note}" for note in result.notes],
        DOC_END,
    ])
    head, _, rest = text.partition(DOC_START)
    _, _, tail = rest.partition(DOC_END)
    DOC.write_text(head + body + tail)
    return True


# --------------------------------------------------------------------------- the bare app


def bare_app() -> None:
    from textual.app import App, ComposeResult
    from textual.events import Key
    from textual.widgets import Static

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Static(BARE_READY, id="bare")

        def on_key(self, event: Key) -> None:
            self.query_one("#bare", Static).update(f"{BARE_READY} · key: {event.key}")

    Bare().run()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.seen", description=__doc__.split(
        "\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="start-ups per program")
    parser.add_argument("--presses", type=int, default=20, help="key presses per view")
    parser.add_argument("--no-doc", action="store_true", help="do not touch docs/benchmarks.md")
    parser.add_argument("--keys", nargs="?", const=VIEWS[-1], choices=VIEWS, default=None,
                        help="only part (3), a key → the screen settled, for the views up to "
                        "this one (default all three); prints every sample")
    parser.add_argument("--bare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.bare:
        bare_app()
        return 0
    if not shutil.which("tmux"):
        print("tmux is not installed: nothing measured")
        return 2
    if args.keys:
        views = VIEWS[:VIEWS.index(args.keys) + 1]
        keys = measure_keys(presses_n=args.presses, views=views)
        for view, samples in keys.items():
            f = Figure(view, tuple(samples))
            print(f"{view}: p50 {f.pct(50):.0f} ms, p95 {f.pct(95):.0f} ms, "
                  f"max {max(samples):.0f} ms; " + " ".join(f"{x:.0f}" for x in samples))
        print(f"load average {os.getloadavg()[0]:.2f}")
        return 0
    result = measure(runs=args.runs, presses_n=args.presses)
    print(seen_table(result.figures, result.verdicts))
    for note in result.notes:
        print(f"- {note}")
    if not args.no_doc and write_doc(result, runs=args.runs):
        print("\nWritten to docs/benchmarks.md")
    return 1 if result.missed() else 0


if __name__ == "__main__":
    sys.exit(main())
