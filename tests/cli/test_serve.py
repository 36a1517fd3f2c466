"""`frontdesk serve`: loopback unless told otherwise, and what each browser session runs.

Nothing here listens on a port: the server's serve() is replaced; tests/deploy/test_browser.py
serves for real, and tests/deploy/test_serve_secrets.py on PostgreSQL with a password.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from frontdesk.services.paths import demo_db
from frontdesk.web.server import FrontDeskServer, SupervisedAppService, hand_over, is_loopback
from tests.cli.conftest import assert_clean, invoke

SECRET_URL = "postgresql+psycopg://frontdesk_app:s3cret-Pa55@db.example.org/frontdesk"


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[FrontDeskServer]:
    """Servers that would have served (their serve() does nothing)."""
    started: list[FrontDeskServer] = []
    monkeypatch.setattr(FrontDeskServer, "serve",
                        lambda self, debug=False: started.append(self))
    return started


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "desk.example.org"])
def test_a_host_other_machines_can_reach_is_refused_without_allow_remote(
        host: str, tmp_path: Path, served: list[FrontDeskServer]) -> None:
    result = invoke("--db", str(tmp_path / "f.db"), "serve", "--host", host)
    assert result.exit_code == 2
    assert_clean(result)
    assert "--allow-remote" in result.stderr
    assert result.stderr.count("\n") == 1  # one plain line
    assert not served
    assert not (tmp_path / "f.db").exists()  # refused before anything was opened


def test_allow_remote_serves_with_a_warning_about_the_proxy(
        tmp_path: Path, served: list[FrontDeskServer]) -> None:
    db = str(tmp_path / "f.db")
    result = invoke("--db", db, "serve", "--host", "0.0.0.0", "--port", "8123",
                    "--allow-remote")
    assert result.exit_code == 0, result.output
    assert_clean(result)
    assert "warning:" in result.stderr
    assert "TLS" in result.stderr
    assert "authentication" in result.stderr
    [server] = served
    assert (server.host, server.port) == ("0.0.0.0", 8123)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_loopback_serves_without_a_warning(host: str, tmp_path: Path,
                                           served: list[FrontDeskServer]) -> None:
    result = invoke("--db", str(tmp_path / "f.db"), "serve", "--host", host)
    assert result.exit_code == 0, result.output
    assert "warning" not in result.stderr
    assert len(served) == 1
    assert is_loopback(host)


def test_each_session_runs_this_frontdesk_on_the_same_database(
        tmp_path: Path, served: list[FrontDeskServer]) -> None:
    db = str(tmp_path / "f.db")
    result = invoke("--db", db, "--theme", "textual-light", "serve")
    assert result.exit_code == 0, result.output
    [server] = served
    assert server.argv == [sys.executable, "-m", "frontdesk", "--theme", "textual-light"]
    assert server.database == db  # handed over through a pipe, not on the command line
    assert (server.host, server.port) == ("127.0.0.1", 8000)
    assert (tmp_path / "f.db").exists()  # opened and migrated before serving


def test_demo_is_passed_on(tmp_path: Path, served: list[FrontDeskServer]) -> None:
    result = invoke("--demo", "serve")
    assert result.exit_code == 0, result.output
    [server] = served
    assert server.argv[3:] == ["--demo"]
    assert server.database == demo_db()


def test_the_database_in_the_environment_is_served_and_kept_out_of_the_apps_environment(
        tmp_path: Path, served: list[FrontDeskServer], monkeypatch: pytest.MonkeyPatch) -> None:
    db = str(tmp_path / "f.db")
    monkeypatch.setenv("FRONTDESK_DB", db)
    result = invoke("serve")
    assert result.exit_code == 0, result.output
    [server] = served
    assert server.database == db
    assert server.argv == [sys.executable, "-m", "frontdesk"]
    service = SupervisedAppService(server.argv, database=db, write_bytes=None, write_str=None,
                                   close=None, download_manager=None)  # type: ignore[arg-type]
    assert "FRONTDESK_DB" not in service._build_environment()


def test_an_app_process_reads_its_database_from_a_pipe_not_its_command_line(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The app process as the server starts it, standing in for frontdesk: it prints what its
    --db-fd pipe holds, and the command line it was given."""
    monkeypatch.setenv("FRONTDESK_DB", SECRET_URL)
    show = ("import os, sys; fd = int(sys.argv[sys.argv.index('--db-fd') + 1]); "
            "print(os.read(fd, 4096).decode()); print(repr(sys.argv)); "
            "print('FRONTDESK_DB' in os.environ)")
    service = SupervisedAppService([sys.executable, "-c", show], database=SECRET_URL,
                                   write_bytes=None, write_str=None, close=None,
                                   download_manager=None)  # type: ignore[arg-type]

    async def run() -> bytes:
        process = await service._open_app_process()
        out, _ = await process.communicate()
        return out

    before = set(os.listdir("/proc/self/fd"))
    database, argv, in_environment = asyncio.run(run()).decode().splitlines()
    assert database == SECRET_URL
    assert "s3cret" not in argv
    assert "--db-fd" in argv
    assert in_environment == "False"
    assert set(os.listdir("/proc/self/fd")) <= before  # the server kept no end of the pipe


def test_the_root_command_reads_the_database_from_the_descriptor(tmp_path: Path) -> None:
    db = str(tmp_path / "handed.db")
    result = invoke("--db-fd", str(hand_over(db)), "db", "upgrade")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{db}: upgraded from an empty database")


@pytest.mark.parametrize(("args", "says"), [
    (["--db", "x.db", "--db-fd", "0"], "not both"),
    (["--db-fd", "987"], "cannot read descriptor 987"),
])
def test_a_bad_descriptor_is_refused_plainly(args: list[str], says: str) -> None:
    result = invoke(*args, "locations")
    assert result.exit_code == 2
    assert_clean(result)
    assert says in result.stderr


def test_an_empty_descriptor_is_refused_plainly() -> None:
    read_end, write_end = os.pipe()
    os.close(write_end)
    result = invoke("--db-fd", str(read_end), "locations")
    assert result.exit_code == 2
    assert "holds no database" in result.stderr


def test_a_database_too_long_to_hand_over_is_refused(served: list[FrontDeskServer]) -> None:
    result = invoke("--db", "postgresql+psycopg://u@h/" + "d" * 5000, "serve")
    assert result.exit_code == 2
    assert_clean(result)
    assert "longer than" in result.stderr
    assert not served


@pytest.mark.parametrize(("args", "says"), [
    (["--port", "0"], "--port"),
    (["--port", "http"], "--port"),
    (["--public-url", "desk.example.org"], "--public-url"),
])
def test_bad_options_are_refused_plainly(args: list[str], says: str, tmp_path: Path,
                                         served: list[FrontDeskServer]) -> None:
    result = invoke("--db", str(tmp_path / "f.db"), "serve", *args)
    assert result.exit_code == 2
    assert_clean(result)
    assert says in result.stderr
    assert not served


def test_a_bad_theme_is_refused(tmp_path: Path, served: list[FrontDeskServer]) -> None:
    result = invoke("--db", str(tmp_path / "f.db"), "--theme", "nope", "serve")
    assert result.exit_code == 2
    assert "no theme" in result.stderr
    assert not served


def test_a_browser_session_is_never_taken_for_an_ssh_login(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Started from an SSH login, the server must not pass SSH_CONNECTION on: the app would
    sign the browser in as the server's OS user ([signin] os_users)."""
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.9 50000 10.0.0.1 22")
    monkeypatch.setenv("SSH_TTY", "/dev/pts/3")
    monkeypatch.setenv("SSH_CLIENT", "10.0.0.9 50000 22")
    service = SupervisedAppService(["frontdesk"], write_bytes=None, write_str=None,
                                   close=None, download_manager=None)  # type: ignore[arg-type]
    env = service._build_environment(100, 30)
    assert not {"SSH_CONNECTION", "SSH_TTY", "SSH_CLIENT"} & env.keys()
    assert env["TEXTUAL_DRIVER"] == "frontdesk.web.driver:FrontDeskWebDriver"
    assert (env["COLUMNS"], env["ROWS"]) == ("100", "30")
