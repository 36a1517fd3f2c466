"""``frontdesk call --from``: a number that is not one is refused and nothing opens; a running
app of the same user is handed the number; with none (or ``--new``) the app opens with it."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from frontdesk.cli import call, tui
from frontdesk.services.pop.channel import Listener, database_tag
from tests.cli.conftest import Desk, assert_clean


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[dict[str, Any]]:
    """What would have opened the app (the app itself needs a terminal)."""
    monkeypatch.setenv("FRONTDESK_RUNTIME_DIR", str(tmp_path / "run"))
    monkeypatch.setattr(call, "has_terminal", lambda: True)
    monkeypatch.setattr(call, "in_ssh_login", lambda: False)
    seen: list[dict[str, Any]] = []
    monkeypatch.setattr(tui, "run_app", lambda ctx, runtime, **kw: seen.append(
        {"db": runtime.target(), **kw}))
    return seen


@pytest.fixture
def on_db() -> str | None:
    """The database the running app is on (None: the desk's)."""
    return None


@pytest.fixture
def running(tmp_path: Path, desk: Desk, on_db: str | None) -> Iterator[list[str]]:
    """A running app of this user, listening on its channel (its loop in a thread)."""
    got: list[str] = []
    loop = asyncio.new_event_loop()
    listener = Listener(tmp_path / "run", lambda n: got.append(n) or "held",
                        database=database_tag(on_db or desk.db))
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(listener.start(), loop).result(5)
    yield got
    loop.call_soon_threadsafe(listener.close)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)
    loop.close()


@pytest.mark.parametrize("number", ["anonymous", "555-0199", "12", "918-555-0177; id"])
def test_a_number_that_is_not_one_is_refused_and_nothing_opens(
        desk: Desk, opened: list[dict[str, Any]], number: str) -> None:
    result = desk.run("call", "--from", number)
    assert_clean(result)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: phone: ")
    assert number not in result.stderr
    assert opened == []


def test_with_no_app_running_the_app_opens_on_the_number(
        desk: Desk, opened: list[dict[str, Any]]) -> None:
    result = desk.run("call", "--from", "(918) 555-0111")
    assert_clean(result)
    assert result.exit_code == 0
    assert opened == [{"db": desk.db, "theme": None, "pop": "+19185550111"}]


def test_a_running_app_is_handed_the_number(desk: Desk, opened: list[dict[str, Any]],
                                            running: list[str]) -> None:
    result = desk.run("call", "--from", "918-555-0111")
    assert_clean(result)
    assert result.exit_code == 0
    assert result.stdout == ("Call from (918) 555-0111 handed to your running frontdesk: it "
                             "opens once someone has signed in.\n")
    assert running == ["+19185550111"]
    assert opened == []


def test_new_opens_another_app_all_the_same(desk: Desk, opened: list[dict[str, Any]],
                                            running: list[str]) -> None:
    result = desk.run("--theme", "ansi-dark", "call", "--from", "+19185550111", "--new")
    assert result.exit_code == 0
    assert running == []
    assert opened == [{"db": desk.db, "theme": "ansi-dark", "pop": "+19185550111"}]


def test_with_no_app_running_and_no_terminal_nothing_opens(
        desk: Desk, opened: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(call, "has_terminal", lambda: False)
    result = desk.run("call", "--from", "918-555-0111")
    assert_clean(result)
    assert result.exit_code == 1
    assert "no frontdesk of yours is running to take the call" in result.stderr
    assert opened == []


@pytest.mark.parametrize("on_db", [str(Path("/tmp") / "frontdesk-demo.db")])
def test_an_app_on_another_database_is_not_handed_the_number(
        desk: Desk, opened: list[dict[str, Any]], running: list[str]) -> None:
    result = desk.run("call", "--from", "918-555-0111")
    assert result.exit_code == 0
    assert running == []  # the demo app never hears of the caller
    assert opened == [{"db": desk.db, "theme": None, "pop": "+19185550111"}]


def test_in_an_ssh_login_no_app_opens_unless_new_is_given(
        desk: Desk, opened: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> None:
    """The phone server's key logs in as the desk's user: with no app running it must not get
    the desk's app (signed in by the SSH login's OS user) on a terminal of its own."""
    monkeypatch.setattr(call, "in_ssh_login", lambda: True)
    result = desk.run("call", "--from", "918-555-0111")
    assert_clean(result)
    assert result.exit_code == 1
    assert "this is an SSH login" in result.stderr
    assert "--new" in result.stderr
    assert opened == []
    result = desk.run("call", "--from", "918-555-0111", "--new")
    assert result.exit_code == 0
    assert opened == [{"db": desk.db, "theme": None, "pop": "+19185550111"}]


def test_in_an_ssh_login_a_running_app_is_handed_the_number(
        desk: Desk, opened: list[dict[str, Any]], running: list[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(call, "in_ssh_login", lambda: True)
    result = desk.run("call", "--from", "918-555-0111")
    assert result.exit_code == 0
    assert running == ["+19185550111"]
