"""Sending one reminder: an email through the practice's SMTP server, a text message through a
command or an HTTP endpoint. Each says what came of it as an :class:`Outcome` whose detail
names no patient (a status code, an exit code, the kind of an error — never a server's text,
which may quote the address).

Where it cannot be known whether the message went out — the connection broke after the whole
email was handed over but before the server answered, or the SMS command was killed at its
time limit — the outcome is ``unsure``: never tried again by itself.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import smtplib
import ssl
import subprocess
import urllib.error
import urllib.request
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import formatdate
from pathlib import Path

from frontdesk.domain import reminders as r
from frontdesk.domain.reminders import ReminderSettings
from frontdesk.services.worklists.reminders.letter import Letter
from frontdesk.services.worklists.reminders.outbox import Outcome

RETRY, FAILED, SENT, UNSURE = "retry", r.FAILED, r.SENT, r.UNSURE


def send(settings: ReminderSettings, letter: Letter) -> Outcome:
    if letter.channel == r.EMAIL:
        return send_email(settings, letter)
    if settings.sms.command:
        return send_command(settings, letter)
    if settings.sms.url:
        return send_http(settings, letter)
    return Outcome(RETRY, "no text-message sender set up")


# -- email -----------------------------------------------------------------------------------

def email_message(settings: ReminderSettings, letter: Letter) -> EmailMessage:
    # 7-bit: a name with an accent is encoded, never sent as raw 8-bit to a server that may
    # not take it (the dialogue asks for no 8BITMIME)
    message = EmailMessage(policy=SMTP_POLICY.clone(cte_type="7bit"))
    message["Subject"] = letter.subject
    message["From"] = settings.smtp.sender
    message["To"] = letter.to
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = letter.message_id
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(letter.body)
    if letter.ics:
        message.add_attachment(letter.ics, maintype="text", subtype="calendar",
                               filename="appointment.ics", params={"method": "PUBLISH"})
    return message


def send_email(settings: ReminderSettings, letter: Letter) -> Outcome:
    smtp = settings.smtp
    password = ""
    if smtp.password_file:
        try:
            password = Path(smtp.password_file).read_text(encoding="utf-8").splitlines()[0]
        except (OSError, UnicodeDecodeError, IndexError):
            return Outcome(RETRY, "cannot read the SMTP password_file")
    data = email_message(settings, letter).as_bytes()
    try:
        if smtp.security == "ssl":
            server: smtplib.SMTP = smtplib.SMTP_SSL(
                smtp.host, smtp.port, timeout=smtp.timeout_s,
                context=ssl.create_default_context())
        else:
            server = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_s)
    except (OSError, smtplib.SMTPException) as exc:
        return Outcome(RETRY, f"cannot reach the mail server ({type(exc).__name__})")
    try:
        return _converse(server, smtp.security, smtp.username, password, smtp.sender,
                         letter.to, data)
    finally:
        with contextlib.suppress(OSError):
            server.close()


def _converse(server: smtplib.SMTP, security: str, username: str, password: str,
              sender: str, to: str, data: bytes) -> Outcome:
    """The SMTP dialogue, step by step, so a broken connection is known to have happened
    before the message was handed over (try again) or after (unsure)."""
    try:
        server.ehlo()
        if security == "starttls":
            server.starttls(context=ssl.create_default_context())
            server.ehlo()
        if username:
            server.login(username, password)
        code, _ = server.mail(_address(sender))
        if code != 250:
            return _refused("sender", code)
        code, _ = server.rcpt(to)
        if code not in (250, 251):
            return _refused("recipient", code)
        code, _ = server.docmd("DATA")
        if code != 354:
            return _refused("message", code)
    except smtplib.SMTPAuthenticationError as exc:
        return Outcome(RETRY, f"mail server refused the sign-in ({exc.smtp_code})")
    except smtplib.SMTPResponseException as exc:
        return _refused("message", exc.smtp_code)
    except (OSError, smtplib.SMTPException) as exc:
        return Outcome(RETRY, f"mail server connection failed ({type(exc).__name__})")
    # from here on the message is on its way: a break leaves it unknown
    try:
        stuffed = re.sub(rb"(?m)^\.", b"..", data)
        if not stuffed.endswith(b"\r\n"):
            stuffed += b"\r\n"
        server.send(stuffed + b".\r\n")
        code, _ = server.getreply()
    except (OSError, smtplib.SMTPException) as exc:
        return Outcome(UNSURE, f"connection lost after the message was handed over "
                               f"({type(exc).__name__})")
    if code == 250:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            server.quit()
        return Outcome(SENT, "mail server accepted (250)")
    return _refused("message", code)


def _refused(what: str, code: int) -> Outcome:
    kind = FAILED if 500 <= code < 600 else RETRY
    return Outcome(kind, f"mail server refused the {what} ({code})")


def _address(sender: str) -> str:
    from email.utils import parseaddr

    return parseaddr(sender)[1] or sender


# -- text messages ---------------------------------------------------------------------------

def send_command(settings: ReminderSettings, letter: Letter) -> Outcome:
    """Run the practice's command (no shell): the message on stdin, the number in ``{to}``
    arguments and $FRONTDESK_SMS_TO, the message id in $FRONTDESK_MESSAGE_ID. Exit 0: sent."""
    argv = [a.replace("{to}", letter.to) for a in settings.sms.command]
    env = {**os.environ, "FRONTDESK_SMS_TO": letter.to,
           "FRONTDESK_MESSAGE_ID": letter.message_id}
    try:
        done = subprocess.run(argv, input=letter.body.encode(), env=env, check=False,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              timeout=settings.sms.timeout_s)
    except subprocess.TimeoutExpired:
        return Outcome(UNSURE, f"the text-message command ran over {settings.sms.timeout_s} s "
                               "and was stopped")
    except OSError as exc:
        return Outcome(RETRY, f"cannot run the text-message command ({type(exc).__name__})")
    if done.returncode == 0:
        return Outcome(SENT, "command exited 0")
    return Outcome(RETRY, f"command exited {done.returncode}")


def send_http(settings: ReminderSettings, letter: Letter) -> Outcome:
    """POST ``{"to", "body"}`` as JSON with the Idempotency-Key: 2xx sent; 408, 429 and 5xx
    (and no answer) tried again; any other 4xx failed at once."""
    headers = {"Content-Type": "application/json", "Idempotency-Key": letter.message_id,
               "User-Agent": "frontdesk-reminders"}
    if settings.sms.headers_file:
        try:
            text = Path(settings.sms.headers_file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return Outcome(RETRY, "cannot read the SMS headers_file")
        extra, problem = r.parse_headers(text)
        if problem is not None:
            return Outcome(RETRY, f"SMS headers_file: {problem}")
        headers.update(extra)
    body = json.dumps({"to": letter.to, "body": letter.body}).encode()
    request = urllib.request.Request(settings.sms.url, data=body, headers=headers,
                                     method="POST")
    try:
        with urllib.request.urlopen(request, timeout=settings.sms.timeout_s) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except (urllib.error.URLError, OSError) as exc:
        return Outcome(RETRY, f"SMS endpoint not answering ({type(exc).__name__})")
    if 200 <= status < 300:
        return Outcome(SENT, f"HTTP {status}")
    if status in (408, 429) or status >= 500:
        return Outcome(RETRY, f"HTTP {status}")
    return Outcome(FAILED, f"HTTP {status}")
