"""`frontdesk serve`: loopback unless told otherwise, and what each browser session runs.

Nothing here listens on a port: the server's serve() is replaced; tests/deploy/test_browser.py
serves for real.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from frontdesk.web.server import FrontDeskServer, SupervisedAppService, is_loopback
from tests.cli.conftest import assert_clean, invoke


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
    assert server.argv == [sys.executable, "-m", "frontdesk", "--db", db,
                           "--theme", "textual-light"]
    assert (server.host, server.port) == ("127.0.0.1", 8000)
    assert (tmp_path / "f.db").exists()  # opened and migrated before serving


def test_demo_is_passed_on(tmp_path: Path, served: list[FrontDeskServer]) -> None:
    result = invoke("--demo", "serve")
    assert result.exit_code == 0, result.output
    [server] = served
    assert server.argv[3:] == ["--demo"]


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
