"""Reminders: the practice's setup (when, what wording, through which server), the wording's
placeholders, and which outbox rows a visit should have. Pure: no network, no SQL.

The wording carries no clinical detail by default: the packaged templates name the practice,
the day, the time, when to arrive and the place — never the visit type or the provider. A
practice that wants them writes ``{visit}`` or ``{provider}`` into its own template.

Secrets are never settings values: the SMTP password and the SMS endpoint's headers (its token)
are read from files whose paths the settings give.
"""

from __future__ import annotations

import ipaddress
import math
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, TypeVar

T = TypeVar("T")

EMAIL = "email"
SMS = "sms"
CHANNELS = (EMAIL, SMS)

#: outbox statuses
PENDING, SENDING, SENT, FAILED, UNSURE, SKIPPED = (
    "pending", "sending", "sent", "failed", "unsure", "skipped")
STATUSES = (PENDING, SENDING, SENT, FAILED, UNSURE, SKIPPED)

#: what the templates may name; the last two only when the practice writes them in
PLACEHOLDERS = ("first_name", "practice", "date", "time", "arrive_by", "location", "address",
                "practice_phone", "visit", "provider")

DEFAULT_SUBJECT = "Reminder: your appointment at {practice} on {date}"
DEFAULT_EMAIL_BODY = (
    "Hello {first_name},\n\n"
    "This is a reminder of your appointment at {practice} on {date} at {time}.\n"
    "Please arrive by {arrive_by}.\n\n"
    "Where: {location}, {address}\n\n"
    "To change or cancel it, please call us at {practice_phone}.\n\n"
    "{practice}\n")
DEFAULT_SMS_BODY = ("{practice}: reminder of your appointment on {date} at {time} "
                    "(arrive by {arrive_by}), {location}. To change it call {practice_phone}.")


@dataclass(frozen=True, slots=True)
class Templates:
    subject: str = DEFAULT_SUBJECT
    email_body: str = DEFAULT_EMAIL_BODY
    sms_body: str = DEFAULT_SMS_BODY


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """The practice's mail server. ``security``: starttls | ssl | none (none only on the
    server's own machine). The password is read from ``password_file``, never stored here."""

    host: str = ""
    port: int = 587
    security: str = "starttls"
    username: str = ""
    password_file: str = ""
    sender: str = ""  # the From address ("from" in the file)
    timeout_s: int = 30


@dataclass(frozen=True, slots=True)
class SmsSettings:
    """The text-message sender: a ``command`` (argv, no shell; the message on stdin; ``{to}``
    in an argument is the number, also in $FRONTDESK_SMS_TO) or an HTTP ``url`` (a JSON POST of
    ``to`` and ``body`` with an Idempotency-Key header; more headers, e.g. the token, from
    ``headers_file``: ``Name: value`` lines)."""

    command: tuple[str, ...] = ()
    url: str = ""
    headers_file: str = ""
    timeout_s: int = 20


@dataclass(frozen=True, slots=True)
class ReminderSettings:
    #: minutes before the visit, per channel (the file says "48h", "2h", "90m")
    email_before: tuple[int, ...] = (48 * 60, 2 * 60)
    sms_before: tuple[int, ...] = (24 * 60,)
    arrive_early_min: int = 15  # {arrive_by}: this long before the start
    max_attempts: int = 5  # tries before a reminder is failed
    retry_min: int = 5  # the first retry waits this long; each next one twice as long
    claim_timeout_min: int = 15  # a row "sending" longer than this: its sender is gone
    poll_s: int = 30  # how often the background sender looks for due reminders
    templates: Templates = Templates()
    smtp: SmtpSettings = SmtpSettings()
    sms: SmsSettings = SmsSettings()

    def offsets(self, channel: str) -> tuple[int, ...]:
        """The channel's offsets, or none when nothing is set up to send on it."""
        if channel == EMAIL:
            return self.email_before if self.smtp.host and self.smtp.sender else ()
        if channel == SMS:
            return self.sms_before if self.sms.command or self.sms.url else ()
        return ()

    @property
    def horizon(self) -> timedelta:
        """How far ahead planning looks: a day past the longest offset of a channel set up
        to send (so the day's outbox shows tomorrow's reminders before they fall due); zero
        when no channel is set up."""
        longest = max((m for c in CHANNELS for m in self.offsets(c)), default=0)
        return timedelta(minutes=longest, days=1) if longest else timedelta(0)

    def backoff(self, attempts: int) -> timedelta:
        """The wait after the ``attempts``-th failed try: 5, 10, 20 ... minutes, at most 6 h."""
        return timedelta(minutes=min(self.retry_min * 2 ** max(attempts - 1, 0), 360))


# -- parsing the [reminders] table ---------------------------------------------------------

_DURATION = re.compile(r"^\s*(\d{1,4})\s*([hm])\s*$")
_INTS: dict[str, tuple[int, int]] = {
    "arrive_early_min": (0, 240), "max_attempts": (1, 20), "retry_min": (1, 240),
    "claim_timeout_min": (2, 24 * 60), "poll_s": (1, 3600),
    "port": (1, 65535), "timeout_s": (1, 600),
}
_SECURITY = ("starttls", "ssl", "none")
_HEADER = re.compile(r"^[A-Za-z0-9-]{1,64}$")


def parse_reminders(raw: Any) -> tuple[ReminderSettings, list[tuple[str, str]]]:
    """The ``[reminders]`` table (with ``[reminders.templates]``, ``[reminders.smtp]`` and
    ``[reminders.sms]``): the settings and the (key, reason) of each value left at default."""
    problems: list[tuple[str, str]] = []
    result = ReminderSettings()
    if raw is None:
        return result, problems
    if not isinstance(raw, Mapping):
        return result, [("reminders", "must be a table")]
    result = _parsed(raw, problems)
    if result.smtp.security == "none" and result.smtp.host and not loopback(result.smtp.host):
        problems.append(("reminders.smtp.security",
                         "none (no encryption) only for a mail server on this machine "
                         "(localhost, 127.0.0.1 or ::1): starttls is used"))
        result = replace(result, smtp=replace(result.smtp, security="starttls"))
    needed = min_claim_timeout(result)
    if result.claim_timeout_min < needed:
        problems.append(("reminders.claim_timeout_min",
                         f"must be at least {needed} minutes (10 times the longest timeout_s) "
                         f"so a slow send is not taken for a dead sender: {needed} is used"))
        result = replace(result, claim_timeout_min=needed)
    return result, problems


def min_claim_timeout(settings: ReminderSettings) -> int:
    """The shortest claim timeout that a whole send can never outlast: ten times the longest
    network time limit (an SMTP dialogue waits up to ``timeout_s`` at each of its steps)."""
    longest = max(settings.smtp.timeout_s, settings.sms.timeout_s)
    return max(2, math.ceil(10 * longest / 60))


def loopback(host: str) -> bool:
    """Whether ``host`` is this machine: localhost or a loopback address."""
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _parsed(raw: Mapping[str, Any], problems: list[tuple[str, str]]) -> ReminderSettings:
    result = ReminderSettings()
    for key, value in raw.items():
        full = f"reminders.{key}"
        if key in ("email_before", "sms_before"):
            minutes = _durations(full, value, problems)
            if minutes is not None:
                result = _with(result, key, minutes)
        elif key in ("arrive_early_min", "max_attempts", "retry_min", "claim_timeout_min",
                     "poll_s"):
            number = _int(full, key, value, problems)
            if number is not None:
                result = _with(result, key, number)
        elif key == "templates":
            result = replace(result, templates=_templates(value, problems))
        elif key == "smtp":
            result = replace(result, smtp=_smtp(value, problems))
        elif key == "sms":
            result = replace(result, sms=_sms(value, problems))
        else:
            problems.append((full, "unknown setting"))
    return result


def _with(settings: T, key: str, value: Any) -> T:
    changes: dict[str, Any] = {key: value}
    return replace(settings, **changes)  # type: ignore[type-var]


#: what the practice file's [reminders] may set: the practice's choices. Where things are on
#: the sender's machine (the password and headers files, the SMS command), where its secrets
#: are sent (the mail server, its security and sign-in name; the SMS endpoint) and how the
#: sender runs (claim_timeout_min, poll_s) stay in settings.toml: a practice file is stored
#: in the database, and must not be able to send the sender's password elsewhere.
MACHINE_ONLY = {"": ("claim_timeout_min", "poll_s"),
                "smtp": ("host", "port", "security", "username", "password_file", "password"),
                "sms": ("url", "command", "headers_file", "token", "headers")}


def practice_file_problems(raw: Any) -> list[tuple[str, str]]:
    """The problems of a practice file's ``[reminders]`` table: as the settings file's, and
    no secret or machine setting (those belong in settings.toml)."""
    if not isinstance(raw, Mapping):
        return [("reminders", "must be a table")]
    _settings, problems = parse_reminders(raw)
    # the claim timeout is settings.toml's: checked against the timeouts where it is set
    problems = [p for p in problems if p[0] != "reminders.claim_timeout_min"]
    for sub, keys in MACHINE_ONLY.items():
        table = raw.get(sub, {}) if sub else raw
        for key in keys:
            if isinstance(table, Mapping) and key in table:
                full = ".".join(p for p in ("reminders", sub, key) if p)
                problems = [p for p in problems if p[0] != full]
                why = ("belongs in settings.toml on the sender's machine, not in the "
                       "practice file")
                if key in _WHERE_SECRETS_GO:
                    why += (": the sender's password or token is sent to the server it names"
                            if sub == "sms" or key == "host" else
                            ": it decides how the sender's password is sent")
                problems.append((full, why))
    return problems


_WHERE_SECRETS_GO = ("host", "port", "security", "username", "url")


def layered_reminders(file_table: Mapping[str, Any], practice: Mapping[str, Any]
                      ) -> dict[str, Any]:
    """The practice file's ``[reminders]`` laid key by key over the settings file's (its
    sub-tables too); what only the settings file may set is always the settings file's."""
    out: dict[str, Any] = {k: dict(v) if isinstance(v, Mapping) else v
                           for k, v in file_table.items()}
    for key, value in practice.items():
        if key in MACHINE_ONLY[""]:
            continue
        if isinstance(value, Mapping):
            below = out.get(key)
            merged = dict(below) if isinstance(below, Mapping) else {}
            merged.update({k: v for k, v in value.items() if k not in MACHINE_ONLY.get(key, ())})
            out[key] = merged
        else:
            out[key] = value
    return out


def _durations(full: str, value: Any, problems: list[tuple[str, str]]) -> tuple[int, ...] | None:
    example = 'must be a list of times before the visit, e.g. ["48h", "2h"] or ["90m"]'
    if not isinstance(value, list):
        problems.append((full, example))
        return None
    out: list[int] = []
    for item in value:
        found = _DURATION.match(item) if isinstance(item, str) else None
        if found is None:
            problems.append((full, example))
            return None
        minutes = int(found[1]) * (60 if found[2] == "h" else 1)
        if not 10 <= minutes <= 14 * 24 * 60:
            problems.append((full, "each time must be between 10 minutes and 14 days"))
            return None
        out.append(minutes)
    return tuple(sorted(set(out), reverse=True))


def _int(full: str, key: str, value: Any, problems: list[tuple[str, str]]) -> int | None:
    low, high = _INTS[key]
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append((full, f"must be a whole number, got {str(value)[:40]!r}"))
        return None
    if not low <= value <= high:
        problems.append((full, f"must be between {low} and {high}"))
        return None
    return value


def _text(full: str, value: Any, problems: list[tuple[str, str]], *,
          limit: int = 300) -> str | None:
    if not isinstance(value, str) or len(value) > limit:
        problems.append((full, f"must be text of at most {limit} characters"))
        return None
    return value.strip()


def _table(full: str, value: Any, problems: list[tuple[str, str]]) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        problems.append((full, "must be a table"))
        return {}
    return value


def _templates(value: Any, problems: list[tuple[str, str]]) -> Templates:
    result = Templates()
    for key, text in _table("reminders.templates", value, problems).items():
        full = f"reminders.templates.{key}"
        if key not in ("subject", "email_body", "sms_body"):
            problems.append((full, "unknown setting (subject, email_body, sms_body)"))
            continue
        limit = 200 if key == "subject" else (2000 if key == "email_body" else 480)
        if not isinstance(text, str) or not text.strip() or len(text) > limit:
            problems.append((full, f"must be non-empty text of at most {limit} characters"))
            continue
        bad = template_problem(text)
        if bad is not None:
            problems.append((full, bad))
            continue
        if key == "subject" and ("\n" in text.strip() or "\r" in text):
            problems.append((full, "must be one line"))
            continue
        result = replace(result, **{key: text if key == "email_body" else text.strip()})
    return result


def _smtp(value: Any, problems: list[tuple[str, str]]) -> SmtpSettings:
    result = SmtpSettings()
    for key, item in _table("reminders.smtp", value, problems).items():
        full = f"reminders.smtp.{key}"
        if key in ("port", "timeout_s"):
            number = _int(full, key, item, problems)
            if number is not None:
                result = _with(result, key, number)
        elif key == "security":
            if item not in _SECURITY:
                problems.append((full, f"must be one of {', '.join(_SECURITY)}"))
            else:
                result = replace(result, security=item)
        elif key in ("host", "username", "password_file", "from"):
            text = _text(full, item, problems)
            if text is None:
                continue
            if key == "from" and "@" not in text:
                problems.append((full, "must be an email address, e.g. "
                                       "\"Practice <reminders@example.org>\""))
                continue
            if key == "password_file" and text and not text.startswith("/"):
                problems.append((full, "must be an absolute path"))
                continue
            result = _with(result, "sender" if key == "from" else key, text)
        elif key == "password":
            problems.append((full, "a password is never a setting: put it in a file only "
                                   "the sender's user can read and give password_file"))
        else:
            problems.append((full, "unknown setting"))
    return result


def _sms(value: Any, problems: list[tuple[str, str]]) -> SmsSettings:
    result = SmsSettings()
    for key, item in _table("reminders.sms", value, problems).items():
        full = f"reminders.sms.{key}"
        if key == "command":
            if not isinstance(item, list) or not item or not all(
                    isinstance(a, str) and a for a in item) or not item[0].startswith("/"):
                problems.append((full, 'must be a list: an absolute program path and its '
                                       'arguments, e.g. ["/usr/local/bin/send-sms", "{to}"]'))
                continue
            result = replace(result, command=tuple(item))
        elif key == "url":
            text = _text(full, item, problems, limit=500)
            if text is not None and not re.match(r"^https?://[^\s]+$", text):
                problems.append((full, "must be an http:// or https:// address"))
                continue
            if text is not None:
                result = replace(result, url=text)
        elif key == "headers_file":
            text = _text(full, item, problems)
            if text is not None and not text.startswith("/"):
                problems.append((full, "must be an absolute path"))
                continue
            if text is not None:
                result = replace(result, headers_file=text)
        elif key == "timeout_s":
            number = _int(full, key, item, problems)
            if number is not None:
                result = replace(result, timeout_s=number)
        elif key in ("token", "headers"):
            problems.append((full, "a token is never a setting: put the headers in a file "
                                   "and give headers_file"))
        else:
            problems.append((full, "unknown setting"))
    if result.command and result.url:
        problems.append(("reminders.sms", "give a command or a url, not both: the command "
                                          "is used"))
        result = replace(result, url="")
    return result


def template_problem(text: str) -> str | None:
    """Why ``text`` cannot be a template (None: it can): only plain ``{name}`` placeholders
    from :data:`PLACEHOLDERS` — no attribute or index look-ups, no conversions."""
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError as exc:
        return f"not a valid template ({exc}); write {{{{ and }}}} for a literal brace"
    for _literal, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in PLACEHOLDERS or spec or conversion:
            return (f"{{{name[:30]}}} is not a placeholder; use "
                    + " ".join(f"{{{p}}}" for p in PLACEHOLDERS))
    return None


def render(template: str, values: Mapping[str, str]) -> str:
    """``template`` with its placeholders filled (a template checked by
    :func:`template_problem`; an unknown name is left as written)."""
    out: list[str] = []
    for literal, name, _spec, _conversion in string.Formatter().parse(template):
        out.append(literal)
        if name is not None:
            out.append(values.get(name, "{" + name + "}"))
    return "".join(out)


def parse_headers(text: str) -> tuple[dict[str, str], str | None]:
    """``Name: value`` lines (blank lines and ``#`` comments skipped): the headers, or the
    problem (its line number, never the value: it may be a token)."""
    headers: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        name, sep, value = stripped.partition(":")
        if not sep or not _HEADER.match(name.strip()) or any(c in value for c in "\r\n"):
            return {}, f"line {number} is not 'Name: value'"
        headers[name.strip()] = value.strip()
    return headers, None


# -- which rows a visit should have --------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Wanted:
    channel: str
    before_min: int
    visit_starts_at: datetime
    due_at: datetime


@dataclass(frozen=True, slots=True)
class Reach:
    """How a patient may be reached: the consent and the address on each channel."""

    email_consent: bool = False
    email: str = ""
    sms_consent: bool = False
    mobile: str = ""

    def may(self, channel: str) -> bool:
        if channel == EMAIL:
            return self.email_consent and "@" in self.email
        if channel == SMS:
            return self.sms_consent and bool(self.mobile)
        return False


def wanted(settings: ReminderSettings, *, starts_at: datetime, reach: Reach,
           now: datetime) -> list[Wanted]:
    """The reminders a visit starting at ``starts_at`` should have: one per offset of each
    channel the patient agreed to, none once the visit has begun. A time already past (a visit
    booked late) is left out when a later one of the channel is still ahead; when all are
    past, only the one nearest the visit is made — never two reminders at once."""
    if starts_at <= now:
        return []
    out: list[Wanted] = []
    for channel in CHANNELS:
        if not reach.may(channel):
            continue
        times = [(m, starts_at - timedelta(minutes=m)) for m in settings.offsets(channel)]
        ahead = [(m, due) for m, due in times if due > now]
        past = sorted((m, due) for m, due in times if due <= now)
        for minutes, due in ahead or past[:1]:
            out.append(Wanted(channel, minutes, starts_at, due))
    return out


def stale_reason(*, status: str, starts_at: datetime, made_for: datetime, reach: Reach,
                 channel: str, now: datetime) -> str | None:
    """Why a reminder made for a visit starting at ``made_for`` must not be sent now (None: it
    may): the visit was cancelled or moved, has begun, or the consent or address is gone.
    The words never name the patient."""
    if status not in ("booked", "confirmed"):
        return f"visit {status.replace('_', ' ')}"
    if starts_at != made_for:
        return "visit moved"
    if starts_at <= now:
        return "visit has begun"
    if not reach.may(channel):
        return "no consent or no address" if channel == EMAIL else "no consent or no mobile"
    return None
