"""``frontdesk serve``: textual-serve, with the app processes kept on a short leash.

textual-serve starts one app process per browser tab. Left as it is, it:

* runs the command through ``/bin/sh`` (quoting a database path is then our problem) and
  passes its whole environment on — including ``SSH_CONNECTION`` when the server itself was
  started over SSH, which would let the ``[signin] os_users`` mapping sign a browser in as the
  OS user running the server;
* stops a session by sending "quit" and waiting, without limit, for the process to finish; an
  app that does not answer (stuck, or its pipes gone) is never killed, and the server's own
  shutdown waits on it or leaves it behind;
* links Google Fonts from its page.

Here each app runs without a shell, in its own session (its own process group), with the SSH
variables removed and a driver that exits when its input ends. Its database reaches it through
an inherited pipe (``--db-fd``), never its command line, which every local user can read in
``ps``: a PostgreSQL URL may carry a password. Ending a session asks the app to
quit, closes its input, and after a grace period sends SIGTERM and then SIGKILL to the whole
process group. Stopping the server ends every session it started the same way, and, as a last
resort once the event loop is gone, kills whatever is left.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import textual_serve
from aiohttp import WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from frontdesk.web import DB_FD_OPTION, MAX_DATABASE_BYTES

log = logging.getLogger("frontdesk.web")

DRIVER = "frontdesk.web.driver:FrontDeskWebDriver"
TEMPLATES = Path(__file__).parent / "templates"
STATICS = Path(textual_serve.__file__).parent / "static"

QUIT_GRACE_SECONDS = 2.0
"""How long an app has to quit on its own before its process group gets SIGTERM."""
TERM_GRACE_SECONDS = 2.0
"""How long after SIGTERM before SIGKILL."""

_NOT_INHERITED = ("SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY", "SSH_AUTH_SOCK", "FRONTDESK_DB")
"""A browser session is never an SSH login (see services.accounts.is_ssh); its database comes
through the pipe, so a URL the server was given in its environment stays out of the app's."""


def hand_over(database: str) -> int:
    """The read end of a new pipe holding ``database`` and then end-of-file, for an app process
    to inherit and read with ``--db-fd``. The caller closes it once the process has started."""
    data = database.encode()
    if len(data) > MAX_DATABASE_BYTES:
        raise ValueError(f"the database is longer than {MAX_DATABASE_BYTES} bytes")
    read_end, write_end = os.pipe()
    try:
        os.write(write_end, data)
    except BaseException:
        os.close(read_end)
        raise
    finally:
        os.close(write_end)
    return read_end


def is_loopback(host: str) -> bool:
    """Whether ``host`` only listens on this machine (``localhost`` or a loopback address)."""
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class SupervisedAppService(AppService):
    """One browser session's app process, which always ends when the session does."""

    def __init__(self, argv: Sequence[str], *, database: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(" ".join(argv), **kwargs)
        self.argv = list(argv)
        self.database = database
        self._stopped = False

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        environment = super()._build_environment(width=width, height=height)
        environment["TEXTUAL_DRIVER"] = DRIVER
        for name in _NOT_INHERITED:
            environment.pop(name, None)
        return environment

    async def _open_app_process(self, width: int = 80, height: int = 24) -> Any:
        environment = self._build_environment(width=width, height=height)
        argv, passed = list(self.argv), tuple[int, ...]()
        if self.database is not None:
            pipe = hand_over(self.database)
            argv, passed = [*argv, DB_FD_OPTION, str(pipe)], (pipe,)
        try:
            self._process = process = await asyncio.create_subprocess_exec(
                *argv,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env=environment,
                start_new_session=True,  # its own process group: killed as one
                pass_fds=passed,  # the same descriptor number in the app
            )
        finally:
            for fd in passed:
                os.close(fd)
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    async def stop(self) -> None:
        """Ask the app to quit, then make sure it has: SIGTERM, then SIGKILL, to its group."""
        if self._stopped:
            return
        process = self._process
        if process is None:
            return  # not started (yet): whoever is starting it stops it afterwards
        self._stopped = True
        with contextlib.suppress(Exception):
            await self._download_manager.cancel_app_downloads(
                app_service_id=self.app_service_id)
        if process.returncode is None and self._stdin is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.send_meta({"type": "quit"}), 1.0)
            with contextlib.suppress(Exception):
                self._stdin.close()  # end of input: the driver exits on it too
        if not await _exited(process, QUIT_GRACE_SECONDS):
            log.warning("app process %s did not quit; sending SIGTERM", process.pid)
            _signal_group(process, signal.SIGTERM)
            if not await _exited(process, TERM_GRACE_SECONDS):
                log.warning("app process %s ignored SIGTERM; sending SIGKILL", process.pid)
                _signal_group(process, signal.SIGKILL)
                await _exited(process, 5.0)
        task, self._task = self._task, None
        if task is not None:
            if not task.done():
                task.cancel()
            with contextlib.suppress(BaseException):
                await asyncio.wait_for(task, 2.0)

    def kill_now(self) -> None:
        """Last resort, without an event loop: SIGKILL the group if it is still there."""
        if self._process is not None:
            _signal_group(self._process, signal.SIGKILL)


async def _exited(process: asyncio.subprocess.Process, seconds: float) -> bool:
    if process.returncode is not None:
        return True
    try:
        await asyncio.wait_for(process.wait(), seconds)
    except TimeoutError:
        return False
    return True


def _signal_group(process: asyncio.subprocess.Process, signum: int) -> None:
    """Signal the process group the app leads (only while the leader is unreaped, so the group
    id cannot have been reused)."""
    if process.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signum)


class FrontDeskServer(Server):
    """textual-serve's server with supervised app processes and a page that loads nothing from
    elsewhere."""

    def __init__(self, argv: Sequence[str], *, database: str | None, host: str, port: int,
                 public_url: str | None = None) -> None:
        super().__init__(" ".join(argv), host=host, port=port, title="frontdesk",
                         public_url=public_url, statics_path=STATICS, templates_path=TEMPLATES)
        self.argv = list(argv)
        self.database = database
        self.sessions: set[SupervisedAppService] = set()
        self.closing = False

    def initialize_logging(self) -> None:
        """Plain lines on stderr: one per request and per session, no colours, no tracebacks."""
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%Y-%m-%d %H:%M:%S"))
        for name in ("aiohttp.access", "frontdesk.web", "textual-serve"):
            logger = logging.getLogger(name)
            logger.handlers[:] = [handler]
            logger.setLevel(logging.DEBUG if self.debug else logging.INFO)
            logger.propagate = False

    async def on_startup(self, app: web.Application) -> None:
        print(f"frontdesk: serving the app on {self.public_url} (Ctrl+C stops)",
              file=sys.stderr, flush=True)

    async def on_shutdown(self, app: web.Application) -> None:
        """The server is stopping: end every session it started (one still starting ends as
        soon as it has started)."""
        self.closing = True
        await asyncio.gather(*(s.stop() for s in list(self.sessions)),
                             return_exceptions=True)

    def kill_leftovers(self) -> None:
        for session in list(self.sessions):
            session.kill_now()

    def serve(self, debug: bool = False) -> None:
        try:
            super().serve(debug=debug)
        finally:
            self.kill_leftovers()

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """One browser tab: start its app, relay until either side goes, then stop the app."""
        websocket = web.WebSocketResponse(heartbeat=15)
        width = to_int(request.query.get("width", "80"), 80)
        height = to_int(request.query.get("height", "24"), 24)
        session: SupervisedAppService | None = None
        try:
            await websocket.prepare(request)
            session = SupervisedAppService(
                self.argv,
                database=self.database,
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=websocket.close,
                download_manager=self.download_manager,
                debug=self.debug,
            )
            if self.closing:
                return websocket
            self.sessions.add(session)
            await session.start(width, height)
            log.info("session started: app process %s", session.pid)
            if not self.closing:  # else on_shutdown may have come and gone while it started
                await self._relay(websocket, session)
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                await websocket.close()
        except Exception as error:  # a broken browser message must not take the server down
            log.error("session failed: %s", error)
        finally:
            if session is not None:
                await session.stop()
                self.sessions.discard(session)
                log.info("session ended: app process %s", session.pid)
        return websocket

    async def _relay(self, websocket: web.WebSocketResponse,
                     session: SupervisedAppService) -> None:
        """Browser to app. Returns when the tab goes away or the app ends."""
        app_done = session._task
        receive: asyncio.Task[Any] | None = None
        try:
            while True:
                receive = asyncio.ensure_future(websocket.receive())
                waiting: set[asyncio.Future[Any]] = {receive}
                if app_done is not None:
                    waiting.add(app_done)
                await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
                if not receive.done():
                    return  # the app ended (its output closed)
                message = receive.result()
                receive = None
                if message.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED,
                                    WSMsgType.ERROR):
                    return
                if message.type == WSMsgType.TEXT:
                    await self._dispatch(websocket, session, message.json())
        finally:
            if receive is not None and not receive.done():
                receive.cancel()
                with contextlib.suppress(BaseException):
                    await receive

    async def _dispatch(self, websocket: web.WebSocketResponse, session: SupervisedAppService,
                        envelope: Any) -> None:
        if not isinstance(envelope, list) or not envelope:
            return
        kind = envelope[0]
        data = envelope[1] if len(envelope) > 1 else None
        if kind == "stdin" and isinstance(data, str):
            await session.send_bytes(data.encode("utf-8"))
        elif kind == "resize" and isinstance(data, dict):
            await session.set_terminal_size(to_int(str(data.get("width")), 80),
                                            to_int(str(data.get("height")), 24))
        elif kind == "ping":
            await websocket.send_json(["pong", data])
        elif kind == "blur":
            await session.blur()
        elif kind == "focus":
            await session.focus()
