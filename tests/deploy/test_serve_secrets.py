"""`frontdesk serve` on PostgreSQL with a password in the database URL: a browser tab's app
process opens the database, yet no process's command line (which every local user can read in
`ps`) shows the password, and the app's environment does not hold it either."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

import aiohttp
import pytest

from tests.deploy.test_browser import descendants, free_port, processes, wait_for
from tests.pg_roles import owner_and_app, upgrade_and_grant

PASSWORD = f"pw-{uuid.uuid4().hex}"


def showing(secret: str) -> list[tuple[int, list[str]]]:
    """Every live process whose command line holds ``secret``."""
    return [(pid, argv) for pid, (_, argv) in processes().items()
            if any(secret in arg for arg in argv)]


async def open_tab(port: int, until: bytes, then: Callable[[], None],
                   timeout: float = 30) -> bytes:
    """Connect as a browser tab would, read what the app draws until ``until`` appears, and
    call ``then`` while the tab (and its app process) is still there."""
    drawn = b""
    url = f"http://127.0.0.1:{port}/ws?width=100&height=30"
    async with aiohttp.ClientSession() as http, http.ws_connect(url) as ws:
        async with asyncio.timeout(timeout):
            while until not in drawn:
                message = await ws.receive()
                if message.type == aiohttp.WSMsgType.BINARY:
                    drawn += message.data
                elif message.type == aiohttp.WSMsgType.TEXT:
                    drawn += message.data.encode()
                else:
                    raise AssertionError(f"the session ended: {message.type!r} {drawn[-500:]!r}")
        then()
    return drawn


@pytest.mark.postgres
def test_no_process_shows_the_database_password(tmp_path: Path) -> None:
    with owner_and_app(app_password=PASSWORD) as made:
        upgrade_and_grant(made)
        assert PASSWORD in made.app_url
        env = {k: v for k, v in os.environ.items() if not k.startswith(("FRONTDESK_", "SSH_"))}
        env |= {"FRONTDESK_DATA_DIR": str(tmp_path / "data"),
                "FRONTDESK_CONFIG_DIR": str(tmp_path / "config"),
                "FRONTDESK_DB": made.app_url}  # the server's own environment, as documented
        port = free_port()
        log = tmp_path / "serve.log"
        with log.open("wb") as out:
            server = subprocess.Popen(
                [sys.executable, "-m", "frontdesk", "serve", "--port", str(port)],
                env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            def listening() -> bool:
                assert server.poll() is None, log.read_text()
                with socket.socket() as s:
                    return s.connect_ex(("127.0.0.1", port)) == 0

            wait_for("the server to listen", listening, 30)
            seen: list[int] = []

            def while_open() -> None:
                apps = [pid for pid in descendants(server.pid)
                        if "--db-fd" in processes().get(pid, (0, []))[1]]
                assert len(apps) == 1, apps
                seen.extend(apps)
                assert showing(PASSWORD) == []
                environ = Path(f"/proc/{apps[0]}/environ").read_bytes()
                assert PASSWORD.encode() not in environ
                assert b"FRONTDESK_DATA_DIR=" in environ  # read it, really

            # The sign-in screen ("Username", its U drawn apart) comes only once the app has
            # opened the database: the URL reached it, password and all.
            drawn = asyncio.run(open_tab(port, b"sername", while_open))
            assert b"Cannot open" not in drawn
            assert seen
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(5)
        text = log.read_text()
        assert "Traceback" not in text, text
        assert PASSWORD not in text
