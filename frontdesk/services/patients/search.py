"""What a patient search reads in the text typed — a date of birth, a phone number or name
parts —, how it ranks names spelled nearly alike and how a found patient's phone is shown: the
one reading for both ways of finding patients (``directory.find_patients`` over the database
stack, ``services.light.patients`` over plain ``sqlite3``), which differ only in how they ask
the database. No database code here (issue 19: the light way must not load it); rapidfuzz and
phonenumbers are loaded when first needed."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from frontdesk.services.errors import InvalidInput

MAX_TEXT = 100
FUZZY_BELOW = 3  # fewer exact name matches than this: add names spelled nearly the same
FUZZY_CUTOFF = 80  # rapidfuzz WRatio, 0-100
ESCAPE = "\\"  # the LIKE escape of :attr:`PatientSearch.patterns`


@dataclass(frozen=True)
class PatientSearch:
    """The search text read: exactly one of ``dob``, ``phone`` (the last ten digits, to match
    the end of a phone or mobile) or ``patterns`` (one case-folded ``LIKE`` pattern per name
    part, escaped with :data:`ESCAPE`, each to match the beginning of the first or last name;
    none for a text of commas only, which lists everyone)."""

    text: str
    dob: date | None = None
    phone: str | None = None
    patterns: tuple[str, ...] = ()

    def wants_near_names(self, found: int) -> bool:
        """Whether to add names spelled nearly like the text to the ``found`` exact matches."""
        return (self.dob is None and found < FUZZY_BELOW
                and sum(c.isalpha() for c in self.text) >= 3)


def read_search(text: str) -> PatientSearch:
    """What ``text`` asks for; InvalidInput("text") when it is empty or too long."""
    wanted = text.strip()
    if not wanted:
        raise InvalidInput("text", "type a name, phone number or date of birth")
    if len(wanted) > MAX_TEXT:
        raise InvalidInput("text", f"search text is at most {MAX_TEXT} characters")
    dob = as_dob(wanted)
    if dob is not None:
        return PatientSearch(wanted, dob=dob)
    digits = re.sub(r"\D", "", wanted)
    if len(digits) >= 7 and not re.search(r"[^\d\s()+\-.]", wanted):
        return PatientSearch(wanted, phone=digits[-10:])
    patterns = []
    for token in wanted.lower().replace(",", " ").split():
        escaped = token.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        patterns.append(f"{escaped}%")
    return PatientSearch(wanted, patterns=tuple(patterns))


def near_names(names: Mapping[int, str], text: str, limit: int) -> list[int]:
    """The ids of ``names`` ("First Last") spelled nearly like ``text`` ('Testcsae', 'jordan
    sampel'), best first (equals in the order given), at most ``limit``: typo tolerance for a
    name heard over the phone."""
    if limit <= 0 or not names:
        return []
    from rapidfuzz import process

    wanted = " ".join(text.lower().replace(",", " ").split())
    best = process.extract(wanted, names, scorer=name_score, processor=str.lower,
                           limit=limit, score_cutoff=FUZZY_CUTOFF)
    return [int(key) for _, _, key in best]


def name_score(wanted: str, name: str, **_: object) -> float:
    """The better of the whole name and its last name alone, order of words ignored."""
    from rapidfuzz import fuzz

    return max(fuzz.token_sort_ratio(wanted, name), fuzz.ratio(wanted, name.rsplit(" ", 1)[-1]))


def as_dob(text: str) -> date | None:
    """A date of birth typed ISO (1970-05-17) or M/D/YYYY (5/17/1970); None otherwise."""
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    us = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    try:
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        if us:
            return date(int(us[3]), int(us[1]), int(us[2]))
    except ValueError:
        return None
    return None


def display_phone(e164: str) -> str:
    """A stored (E.164) number as the desk reads it: (918) 555-0142."""
    import phonenumbers

    try:
        number = phonenumbers.parse(e164, "US")
    except phonenumbers.NumberParseException:
        return e164
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL))
