"""Real receivers on loopback for the reminder tests: an SMTP server (aiosmtpd) and an HTTP
endpoint (http.server in a thread), each keeping what it was handed; and a practice's reminder
settings that point at them."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller

from frontdesk.domain.reminders import ReminderSettings, SmsSettings, SmtpSettings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class MailBox:
    """What the SMTP server was handed (whole DATA), and how it answers. ``hold``: while set,
    the server waits inside DATA (before answering) until it is cleared."""

    messages: list[EmailMessage] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)
    entered: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    hold: bool = False
    answers: list[str] = field(default_factory=list)  # answers to give first, e.g. "451 ..."

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        self.recipients.append(list(envelope.rcpt_tos))
        self.entered.set()
        if self.hold:
            while not self.release.is_set():
                await asyncio.sleep(0.02)
        if self.answers:
            return self.answers.pop(0)
        return "250 Message accepted for delivery"


@contextmanager
def smtp_server(box: MailBox | None = None) -> Iterator[tuple[MailBox, int]]:
    box = box or MailBox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        box.release.set()
        controller.stop()


@dataclass
class Inbox:
    """What the HTTP endpoint was sent: (headers, JSON body) per request; ``statuses`` are
    the answers to give first (then 200); ``delay`` seconds before answering."""

    requests: list[tuple[dict[str, str], dict[str, Any]]] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    delay: float = 0.0
    entered: threading.Event = field(default_factory=threading.Event)


@contextmanager
def http_server(given: Inbox | None = None) -> Iterator[tuple[Inbox, str]]:
    inbox = given or Inbox()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length))
            inbox.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
            inbox.entered.set()
            if inbox.delay:
                threading.Event().wait(inbox.delay)
            status = inbox.statuses.pop(0) if inbox.statuses else 200
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"ok": true}')
            except OSError:  # the sender is gone (killed): nobody to answer
                pass

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield inbox, f"http://127.0.0.1:{server.server_address[1]}/sms"
    finally:
        server.shutdown()
        server.server_close()


def email_settings(port: int, **kw: Any) -> ReminderSettings:
    """Email at 48 h and 2 h before the visit through the loopback server; no texts."""
    smtp = SmtpSettings(host="127.0.0.1", port=port, security="none",
                        sender="Test Practice <reminders@test.example>", timeout_s=5)
    return replace(ReminderSettings(), smtp=smtp, sms_before=(), **kw)


def sms_settings(*, url: str = "", command: tuple[str, ...] = (),
                 **kw: Any) -> ReminderSettings:
    """Texts at 24 h before the visit; no email."""
    return replace(ReminderSettings(), email_before=(), sms_before=(24 * 60,),
                   sms=SmsSettings(url=url, command=command, timeout_s=5), **kw)


Wait = Callable[[], bool]


def wait_for(check: Wait, timeout: float = 20.0) -> None:
    done = threading.Event()
    for _ in range(int(timeout / 0.05)):
        if check():
            return
        done.wait(0.05)
    raise AssertionError("timed out waiting")
