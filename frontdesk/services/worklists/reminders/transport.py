"""Sending one reminder: an email through the practice's SMTP server, a text message through a
command or an HTTP endpoint. Each says what came of it as an :class:`Outcome` whose detail
names no patient (a status code, an exit code, the kind of an error — never a server's text,
which may quote the address).

Where it cannot be known whether the message went out — the connection broke after the email
was being handed over but before the server answered, the HTTP request was sent but no answer
came, or the SMS command was killed at its time limit — the outcome is ``unsure``: never tried
again by itself. Whatever goes wrong before anything was handed to the network is a retry or a
failure with its reason. A secrets file that cannot be read is ``config``: the setup is wrong,
not the delivery, so it never counts as a try.
"""

from __future__ import annotations

import contextlib
import http.client
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
from email.utils import formatdate, parseaddr
from pathlib import Path

from frontdesk.domain import reminders as r
from frontdesk.domain.reminders import ReminderSettings
from frontdesk.services.files import SecretFileError, read_secret_file
from frontdesk.services.worklists.reminders.letter import Letter
from frontdesk.services.worklists.reminders.outbox import Outcome

RETRY, FAILED, SENT, UNSURE, CONFIG = "retry", r.FAILED, r.SENT, r.UNSURE, "config"


def send(settings: ReminderSettings, letter: Letter) -> Outcome:
    if letter.channel == r.EMAIL:
        return send_email(settings, letter)
    if settings.sms.command:
        return send_command(settings, letter)
    if settings.sms.url:
        return send_http(settings, letter)
    return Outcome(CONFIG, "no text-message sender set up")


# -- the setup -------------------------------------------------------------------------------

def smtp_password(settings: ReminderSettings) -> str:
    """The first line of the SMTP password file ('' when none is given)."""
    if not settings.smtp.password_file:
        return ""
    text = read_secret_file(Path(settings.smtp.password_file),
                            what="the SMTP password file")
    lines = text.splitlines()
    if not lines or not lines[0]:
        raise SecretFileError(f"the SMTP password file {settings.smtp.password_file} "
                              "is empty")
    return lines[0]


def sms_headers(settings: ReminderSettings) -> dict[str, str]:
    """The extra headers (the token) of the SMS endpoint ({} when no file is given)."""
    if not settings.sms.headers_file:
        return {}
    text = read_secret_file(Path(settings.sms.headers_file), what="the SMS headers file")
    extra, problem = r.parse_headers(text)
    if problem is not None:
        raise SecretFileError(f"the SMS headers file {settings.sms.headers_file}: {problem}")
    return extra


def setup_problems(settings: ReminderSettings) -> list[str]:
    """What keeps the sender from working at all, checked before it starts: the secrets files
    (readable, private, well formed) and the SMS command (an executable program)."""
    problems: list[str] = []
    if settings.offsets(r.EMAIL):
        try:
            smtp_password(settings)
        except SecretFileError as exc:
            problems.append(str(exc))
    if settings.offsets(r.SMS):
        if settings.sms.command:
            program = settings.sms.command[0]
            if not (os.path.isfile(program) and os.access(program, os.X_OK)):
                problems.append(f"the text-message command {program} is not a program this "
                                "user can run")
        else:
            try:
                sms_headers(settings)
            except SecretFileError as exc:
                problems.append(str(exc))
    return problems


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


def plain_address(to: str) -> bool:
    """Whether ``to`` is a bare ASCII address an SMTP envelope carries as it is."""
    return bool(to) and to.isascii() and parseaddr(to)[1] == to and to.count("@") == 1 \
        and not any(c in to for c in "<>()[],;:\\\" \r\n\t")


def send_email(settings: ReminderSettings, letter: Letter) -> Outcome:
    smtp = settings.smtp
    if not plain_address(letter.to):
        return Outcome(FAILED, "the patient's email address cannot be used (not a plain "
                               "ASCII address): correct it in the patient record")
    try:
        password = smtp_password(settings)
    except SecretFileError:
        return Outcome(CONFIG, "cannot use the SMTP password file")
    try:
        data = email_message(settings, letter).as_bytes()
    except Exception as exc:  # nothing went out: the message could not be made
        return Outcome(FAILED, f"cannot make the message ({type(exc).__name__})")
    try:
        if smtp.security == "ssl":
            server: smtplib.SMTP = smtplib.SMTP_SSL(
                smtp.host, smtp.port, timeout=smtp.timeout_s,
                context=ssl.create_default_context())
        else:
            server = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_s)
    except Exception as exc:  # nothing handed over yet
        return Outcome(RETRY, f"cannot reach the mail server ({type(exc).__name__})")
    try:
        return _converse(server, smtp.security, smtp.username, password, smtp.sender,
                         letter.to, data)
    finally:
        with contextlib.suppress(OSError):
            server.close()


def _converse(server: smtplib.SMTP, security: str, username: str, password: str,
              sender: str, to: str, data: bytes) -> Outcome:
    """The SMTP dialogue, step by step, so a failure is known to have happened before the
    message was handed over (try again, or failed) or after (unsure)."""
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
    except Exception as exc:  # e.g. a value the dialogue cannot encode: nothing handed over
        return Outcome(FAILED, f"cannot talk to the mail server ({type(exc).__name__})")
    # from here on the message is on its way: a break leaves it unknown
    try:
        stuffed = re.sub(rb"(?m)^\.", b"..", data)
        if not stuffed.endswith(b"\r\n"):
            stuffed += b"\r\n"
        server.send(stuffed + b".\r\n")
        code, _ = server.getreply()
    except Exception as exc:
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
    return parseaddr(sender)[1] or sender


# -- text messages ---------------------------------------------------------------------------

#: what the SMS command inherits of the sender's environment (nothing else: the sender's may
#: hold the database's address and password)
COMMAND_ENV = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ")


def send_command(settings: ReminderSettings, letter: Letter) -> Outcome:
    """Run the practice's command (no shell): the message on stdin, the number in ``{to}``
    arguments and $FRONTDESK_SMS_TO, the message id in $FRONTDESK_MESSAGE_ID. Exit 0: sent.
    Its environment is only :data:`COMMAND_ENV` and those two."""
    argv = [a.replace("{to}", letter.to) for a in settings.sms.command]
    env = {k: os.environ[k] for k in COMMAND_ENV if k in os.environ}
    env.setdefault("PATH", os.defpath)
    env.update({"FRONTDESK_SMS_TO": letter.to, "FRONTDESK_MESSAGE_ID": letter.message_id})
    try:
        done = subprocess.run(argv, input=letter.body.encode(), env=env, check=False,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              timeout=settings.sms.timeout_s)
    except subprocess.TimeoutExpired:
        return Outcome(UNSURE, f"the text-message command ran over {settings.sms.timeout_s} s "
                               "and was stopped")
    except OSError as exc:
        return Outcome(RETRY, f"cannot run the text-message command ({type(exc).__name__})")
    except ValueError as exc:  # e.g. a NUL in an argument: it never ran
        return Outcome(FAILED, f"cannot run the text-message command ({type(exc).__name__})")
    if done.returncode == 0:
        return Outcome(SENT, "command exited 0")
    return Outcome(RETRY, f"command exited {done.returncode}")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is never followed: it would resend the token to wherever it points."""

    def redirect_request(self, req: urllib.request.Request, fp: object, code: int, msg: str,
                         headers: object, newurl: str) -> None:
        return None


def send_http(settings: ReminderSettings, letter: Letter) -> Outcome:
    """POST ``{"to", "body"}`` as JSON with the Idempotency-Key: 2xx sent; 408, 429 and 5xx
    (and no connection) tried again; a redirect (never followed) and any other 4xx failed at
    once; no answer after the request was sent unsure (it may have gone out)."""
    headers = {"Content-Type": "application/json", "Idempotency-Key": letter.message_id,
               "User-Agent": "frontdesk-reminders"}
    try:
        headers.update(sms_headers(settings))
    except SecretFileError:
        return Outcome(CONFIG, "cannot use the SMS headers file")
    body = json.dumps({"to": letter.to, "body": letter.body}).encode()
    opener = urllib.request.build_opener(_NoRedirects)
    try:
        request = urllib.request.Request(settings.sms.url, data=body, headers=headers,
                                         method="POST")
        with opener.open(request, timeout=settings.sms.timeout_s) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except urllib.error.URLError as exc:  # no connection, or the request not sent
        return Outcome(RETRY, f"SMS endpoint not reachable ({type(exc.reason).__name__})")
    except (OSError, http.client.HTTPException) as exc:  # sent, but no (whole) answer
        return Outcome(UNSURE, f"SMS endpoint did not answer after the request was sent "
                               f"({type(exc).__name__}): it may have gone out")
    except ValueError as exc:  # a header or address that cannot be written: not sent
        return Outcome(FAILED, f"cannot make the request ({type(exc).__name__})")
    if 200 <= status < 300:
        return Outcome(SENT, f"HTTP {status}")
    if 300 <= status < 400:
        return Outcome(FAILED, f"HTTP {status}: the SMS endpoint redirected, and a redirect is "
                               "never followed (set url to the address it points to)")
    if status in (408, 429) or status >= 500:
        return Outcome(RETRY, f"HTTP {status}")
    return Outcome(FAILED, f"HTTP {status}")
