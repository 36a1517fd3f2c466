"""What a patient record may hold, checked the same way wherever it comes from: the call
screen, ``frontdesk patients edit``, an import. Pure: no database, no Textual."""

from __future__ import annotations

import re
from types import MappingProxyType

from frontdesk.domain.imports import has_control

#: Alerts staff must see before booking or on the phone: code -> what the desk reads.
ALERTS: MappingProxyType[str, str] = MappingProxyType({
    "interpreter": "Needs an interpreter",
    "driver": "Needs a driver",
    "blood-thinners": "On blood thinners: nurse call first",
})

#: The two-letter codes of the US states, DC and the territories a US address may carry.
_STATES = ("AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE "
           "NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR VI GU AS MP")
US_STATES = frozenset(_STATES.split(" "))

_ZIP = re.compile(r"([0-9]{5})(?:-?([0-9]{4}))?", re.ASCII)  # ASCII digits: \d takes any
#: an ASCII dot-atom before the @ (what a mail server takes as it is: no quotes, no <>), a
#: domain of letters, digits and hyphens after it
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_EMAIL = re.compile(rf"^(?=[^@]{{1,64}}@){_ATEXT}(?:\.{_ATEXT})*"
                    r"@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)+$")
MAX_EMAIL = 120
MAX_ALERT_NOTE = 200


class DetailError(ValueError):
    """A value a patient record cannot hold; ``field`` names it, the message says why."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field, self.reason = field, reason


#: The reason a free-text detail holding a control character is refused.
CONTROL_REASON = ("control characters (such as tabs, line breaks, escapes or text-direction "
                  "marks) are not allowed: type plain text")


def check_plain(field: str, text: str, *, lines: bool = False) -> str:
    """``text`` unchanged, or DetailError(``field``) when it holds a C0/C1 control character,
    DEL, a bidirectional override or isolate (U+202A–U+202E, U+2066–U+2069) or a line
    separator: an escape would drive a terminal, an override would reorder what a person
    reads. ``lines``: a detail that may have been written over several lines (an address, a
    note) may hold tabs and line breaks, which become spaces. Checked before whitespace is
    tidied (str.split takes some controls for spaces). The one rule for forms and imports."""
    if has_control(text, multiline=lines):
        raise DetailError(field, CONTROL_REASON)
    return text


def check_zip(text: str) -> str:
    """``74133`` or ``74133-1234`` (a nine-digit ZIP written without the hyphen gets it);
    empty stays empty."""
    value = check_plain("zip", text).strip()
    if not value:
        return ""
    match = _ZIP.fullmatch(value)
    if match is None:
        raise DetailError("zip", "a ZIP code is 5 digits, or ZIP+4 such as 74133-1234")
    five, four = match.groups()
    return f"{five}-{four}" if four else five


def check_state(text: str) -> str:
    value = check_plain("state", text).strip().upper()
    if value and value not in US_STATES:
        raise DetailError("state", "a state is its two-letter code, e.g. OK")
    return value


def check_email(text: str) -> str:
    value = check_plain("email", text).strip()
    if not value:
        return ""
    if len(value) > MAX_EMAIL or not _EMAIL.match(value):
        raise DetailError("email", "an email address looks like name@example.com")
    local, domain = value.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


def check_alerts(codes: object) -> tuple[str, ...]:
    """Known alert codes, each once, in the order of :data:`ALERTS`."""
    if isinstance(codes, str):
        codes = [c for c in re.split(r"[,\s]+", codes) if c]
    if not isinstance(codes, list | tuple | set | frozenset):
        raise DetailError("alerts", "a list of alerts")
    wanted = {str(c).strip().lower() for c in codes}
    unknown = sorted(wanted - set(ALERTS))
    if unknown:
        raise DetailError("alerts", f"{unknown[0][:40]!r} is not an alert; alerts are "
                                    + ", ".join(ALERTS))
    return tuple(code for code in ALERTS if code in wanted)


def check_alert_note(text: str) -> str:
    value = " ".join(check_plain("alert_note", text, lines=True).split())
    if len(value) > MAX_ALERT_NOTE:
        raise DetailError("alert_note", f"at most {MAX_ALERT_NOTE} characters")
    return value


def alert_words(codes: tuple[str, ...] | list[str], note: str = "") -> list[str]:
    """What the desk reads, for each alert on the record (unknown codes are shown as stored)."""
    words = [ALERTS.get(code, code) for code in codes]
    return [*words, note] if note else words
