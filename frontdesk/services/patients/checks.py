"""A patient's details checked field by field, every problem at once: name, date of birth,
phones, email, address, preferred location, payer from the catalogue, member id and alerts.
The same checks for adding a patient (``directory.add_patient``) and for editing one."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from sqlmodel import col, select

from frontdesk.db import queries as q
from frontdesk.db.engine import read_session
from frontdesk.db.models import Location
from frontdesk.domain import patients as rules
from frontdesk.services.context import Context
from frontdesk.services.errors import InvalidInput
from frontdesk.services.payers import MAX_PAYER, check_member_id, choose_payer
from frontdesk.services.phones import e164

_NAME_OK = re.compile(r"^[^\W\d_]+(?:[ '\-.][^\W\d_]+)*\.?$")
_CITY_OK = re.compile(r"^[^\W\d_]+(?:[ '\-.]+[^\W\d_]+)*\.?$")
MAX_NAME = 60
MAX_ADDRESS = 200
MAX_CITY = 60


def plain(field: str, text: str, *, lines: bool = False) -> str:
    """``text`` unchanged, or InvalidInput(``field``) when it holds a control character
    (``domain.patients.check_plain``: the one rule for imports and edits)."""
    try:
        return rules.check_plain(field, text, lines=lines)
    except rules.DetailError as exc:
        raise InvalidInput(exc.field, exc.reason) from None


def normalise_phone(text: str, field: str = "phone") -> str:
    """E.164 for a US (or explicitly international) number; InvalidInput(``field``) otherwise
    (``services.phones.e164``, after refusing control characters)."""
    return e164(plain(field, text), field)


def split_name(text: str) -> tuple[str, str]:
    """"First Last" or "Last, First" → (first, last), validated."""
    cleaned = " ".join(plain("name", text).split())
    if not cleaned:
        raise InvalidInput("name", "enter the patient's first and last name")
    if "," in cleaned:
        last, _, first = (part.strip() for part in cleaned.partition(","))
    else:
        first, _, last = cleaned.rpartition(" ")
    if not first or not last:
        raise InvalidInput("name", "enter both a first and a last name")
    for part in (first, last):
        if len(part) > MAX_NAME:
            raise InvalidInput("name", f"names are at most {MAX_NAME} characters")
        if not _NAME_OK.match(part):
            raise InvalidInput("name", "use letters, spaces, hyphens and apostrophes only")
    return first, last


def check_dob(dob: date, *, today: date) -> date:
    if dob > today:
        raise InvalidInput("dob", "date of birth is in the future")
    if dob < date(today.year - 120, today.month, 1):
        raise InvalidInput("dob", "date of birth is more than 120 years ago")
    return dob


def check_address(text: str) -> str:
    value = " ".join(plain("address", text, lines=True).split())
    if len(value) > MAX_ADDRESS:
        raise InvalidInput("address", f"at most {MAX_ADDRESS} characters")
    if any(not ch.isprintable() for ch in value):
        raise InvalidInput("address", "letters, digits and punctuation only")
    return value


def check_city(text: str) -> str:
    value = " ".join(plain("city", text, lines=True).split())
    if len(value) > MAX_CITY:
        raise InvalidInput("city", f"at most {MAX_CITY} characters")
    if value and not _CITY_OK.match(value):
        raise InvalidInput("city", "use letters, spaces, hyphens and apostrophes only")
    return value


def location_id(ctx: Context, text: str) -> int | None:
    """The preferred location ``text`` names (its id, name or a unique part of the name);
    None for empty text; InvalidInput("location") naming the choices otherwise."""
    wanted = text.strip()
    if not wanted:
        return None
    with read_session(ctx.engine) as session:
        if wanted.isdigit():
            row = session.get(Location, int(wanted))
            if row is None:
                raise InvalidInput("location", f"no location with id {wanted[:12]}; "
                                               "`frontdesk locations` lists them")
            return row.id
        found = q.locations_named(session, wanted)
        if len(found) == 1:
            return found[0].id
        if found:
            both = " or ".join(loc.name for loc in found)
            raise InvalidInput("location", f"{wanted[:40]!r} could be {both}; give the full "
                                           "name")
        names = ", ".join(session.exec(select(Location.name).order_by(col(Location.name))))
        raise InvalidInput("location", f"no location {wanted[:40]!r}; choose one of {names}")


@dataclass(frozen=True, slots=True)
class PatientChanges:
    """Details as typed; None leaves a detail as it is (an empty text clears an optional
    one). ``name`` is "First Last" or "Last, First"; ``location`` a name or id; ``payer`` a
    plan of the catalogue; ``alerts`` codes of ``domain.patients.ALERTS``."""

    name: str | None = None
    dob: date | None = None
    phone: str | None = None
    mobile: str | None = None
    sms_consent: bool | None = None
    email: str | None = None
    email_consent: bool | None = None
    address: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    location: str | None = None
    payer: str | None = None
    member_id: str | None = None
    alerts: tuple[str, ...] | None = None
    alert_note: str | None = None

    def given(self) -> list[str]:
        """The details this change names, in form order."""
        return [f.name for f in fields(self) if getattr(self, f.name) is not None]


#: Each detail and the record's columns it sets.
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("first_name", "last_name"), "dob": ("dob",), "phone": ("phone",),
    "mobile": ("mobile",), "sms_consent": ("sms_consent",), "email": ("email",),
    "email_consent": ("email_consent",),
    "address": ("address",), "city": ("city",), "state": ("state",), "zip": ("zip",),
    "location": ("preferred_location_id",), "payer": ("payer_key", "payer"),
    "member_id": ("member_id",), "alerts": ("alerts",), "alert_note": ("alert_note",),
}


def check_changes(ctx: Context, changes: PatientChanges, *, payer_required: bool
                  ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The record's new column values for every detail ``changes`` gives, and every problem
    found as (field, reason) — all of them, not only the first. ``payer_required``: an empty
    payer is a problem (an edit names a plan; adding a patient may leave it for later)."""
    values: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    today = ctx.now().date()

    def check(field: str, step: Any) -> None:
        try:
            step()
        except InvalidInput as exc:
            problems.append((exc.field, exc.message))
        except rules.DetailError as exc:
            problems.append((exc.field, exc.reason))

    c = changes
    if c.name is not None:
        check("name", lambda: values.update(zip(("first_name", "last_name"),
                                               split_name(c.name or ""), strict=True)))
    if c.dob is not None:
        check("dob", lambda: values.update(dob=check_dob(c.dob, today=today)))
    if c.phone is not None:
        check("phone", lambda: values.update(phone=normalise_phone(c.phone or "")))
    if c.mobile is not None:
        check("mobile", lambda: values.update(
            mobile=normalise_phone(c.mobile, "mobile") if (c.mobile or "").strip() else ""))
    if c.sms_consent is not None:
        values["sms_consent"] = bool(c.sms_consent)
    if c.email is not None:
        check("email", lambda: values.update(email=rules.check_email(c.email or "")))
    if c.email_consent is not None:
        values["email_consent"] = bool(c.email_consent)
    if c.address is not None:
        check("address", lambda: values.update(address=check_address(c.address or "")))
    if c.city is not None:
        check("city", lambda: values.update(city=check_city(c.city or "")))
    if c.state is not None:
        check("state", lambda: values.update(state=rules.check_state(c.state or "")))
    if c.zip is not None:
        check("zip", lambda: values.update(zip=rules.check_zip(c.zip or "")))
    if c.location is not None:
        check("location", lambda: values.update(
            preferred_location_id=location_id(ctx, c.location or "")))
    if c.payer is not None:
        def payer() -> None:
            plan = choose_payer(ctx, c.payer)
            if plan is None and payer_required:
                raise InvalidInput("payer", "name a plan from the practice's payer list "
                                            "(frontdesk payers lists them)")
            values.update(payer_key=plan.key if plan else None,
                          payer=plan.name[:MAX_PAYER] if plan else "")
        check("payer", payer)
    if c.member_id is not None:
        check("member_id", lambda: values.update(member_id=check_member_id(c.member_id)))
    if c.alerts is not None:
        check("alerts", lambda: values.update(
            alerts=list(rules.check_alerts(list(c.alerts or ())))))
    if c.alert_note is not None:
        check("alert_note", lambda: values.update(
            alert_note=rules.check_alert_note(c.alert_note or "")))
    return values, problems


def consent_problem(mobile: str, consent: bool) -> tuple[str, str] | None:
    """Agreeing to text messages needs a mobile to send them to."""
    if consent and not mobile:
        return ("sms_consent", "text messages need a mobile number: add the mobile first")
    return None


def email_consent_problem(email: str, consent: bool) -> tuple[str, str] | None:
    """Agreeing to email reminders needs an address to send them to."""
    if consent and not email:
        return ("email_consent", "email reminders need an email address: add it first")
    return None
