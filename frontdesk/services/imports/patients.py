"""``frontdesk import patients``: another system's patient list, checked row by row and
written in one transaction with one ``import.patients`` audit event (counts only).

A row is imported when every cell reads. Its old id already imported: skipped (so an import can
be run again). The same id, or the same name and date of birth, twice in the file: the later
row is bad. The same name and date of birth as any patient on file, the same birth date and a
similar name (the rule the patient records use: misspelt, swapped, a short first name, a new
last name), or the same phone as anyone's phone or mobile on file: a possible duplicate, held
back for a person to look at. Merged-away records are never candidates. Written with bulk
inserts: 50,000 rows take seconds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from frontdesk.db import queries as q
from frontdesk.db.models import Patient
from frontdesk.domain.imports import (
    CellError,
    DateOrder,
    person_key,
    read_date,
    read_yes_no,
)
from frontdesk.domain.patients import (
    DetailError,
    check_alert_note,
    check_alerts,
    check_email,
    check_state,
    check_zip,
)
from frontdesk.domain.payers import PayerPlan
from frontdesk.domain.permissions import Permission
from frontdesk.services.access import acting
from frontdesk.services.context import Context
from frontdesk.services.directory import check_dob, normalise_phone, split_name
from frontdesk.services.errors import InvalidInput
from frontdesk.services.imports.common import (
    Progress,
    Tally,
    date_order,
    run_import,
)
from frontdesk.services.imports.lookups import Practice
from frontdesk.services.imports.outcome import ImportResult, Line
from frontdesk.services.imports.reading import Source, SourceRow, read_csv, require
from frontdesk.services.patients.duplicates import similar_names
from frontdesk.services.payers import MAX_PAYER, check_member_id, choose_payer

COLUMNS = ("id", "first_name", "last_name", "name", "dob", "phone", "mobile", "sms_consent",
           "email", "email_consent", "address", "city", "state", "zip", "payer", "member_id",
           "preferred_location", "alerts", "alert_note")
#: Other names old systems give these columns (a --map wins over them).
ALIASES = {
    "patient_id": "id", "external_id": "id", "mrn": "id", "chart_number": "id",
    "first": "first_name", "firstname": "first_name", "given_name": "first_name",
    "last": "last_name", "lastname": "last_name", "surname": "last_name",
    "family_name": "last_name", "full_name": "name", "patient_name": "name",
    "date_of_birth": "dob", "birth_date": "dob", "birthdate": "dob",
    "home_phone": "phone", "phone_number": "phone", "telephone": "phone",
    "mobile_phone": "mobile", "cell": "mobile", "cell_phone": "mobile",
    "text_consent": "sms_consent", "sms_opt_in": "sms_consent",
    "email_address": "email", "email_opt_in": "email_consent", "street": "address",
    "address_1": "address",
    "zip_code": "zip", "postal_code": "zip", "insurance": "payer", "plan": "payer",
    "member_number": "member_id", "policy_number": "member_id", "location": "preferred_location",
}
MAX_EXTERNAL_ID = 40
CHUNK = 2000  # rows per INSERT


def read_patients(path: Path, mapping: dict[str, str]) -> Source:
    source = read_csv(path, known=COLUMNS, aliases=ALIASES, mapping=mapping)
    require(source, (("first_name", "name"), ("last_name", "name"), ("dob",),
                     ("phone", "mobile")))
    return source


def import_patients(ctx: Context, *, staff: str, path: Path, mapping: dict[str, str] | None = None,
                    dates: DateOrder | None = None, dry_run: bool = False,
                    skip_bad: bool = False, progress: Progress | None = None) -> ImportResult:
    """Check every row of the patients file at ``path`` and import the good ones in one
    transaction (none while any row is bad, unless ``skip_bad``; none with ``dry_run``)."""
    source = read_patients(path, mapping or {})
    order, notes = date_order(source, ("dob",), dates)

    def work(session: Session, tally: Tally) -> None:
        person = acting(session, staff, Permission.IMPORT)
        checker = _Checker(ctx, session, order)
        good: list[dict[str, Any]] = []
        for row in tally.rows(source.rows, progress):
            outcome = checker.check(row)
            if isinstance(outcome, Line):
                continue
            good.append(outcome)
        tally.absorb(checker.bad, checker.already, checker.duplicates)
        tally.matched = checker.matched()
        tally.good = len(good)
        if tally.stops(skip_bad) or dry_run:
            return
        for chunk in _chunks(good, CHUNK):
            session.connection().execute(insert(Patient), chunk)
        q.add_audit(session, origin=ctx.origin.stamp, at=ctx.now(), staff_id=person.id,
                    action="import.patients", entity="patient", entity_id=None,
                    after=tally.result(source, "patients", dry_run, skip_bad).counts())

    return run_import(ctx, work, source=source, kind="patients", staff=staff, dry_run=dry_run,
                      skip_bad=skip_bad, notes=notes)


def _chunks(rows: list[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


class _Checker:
    """Reads each row against the file so far and the patients on file."""

    def __init__(self, ctx: Context, session: Session, order: DateOrder | None) -> None:
        self.ctx, self.order = ctx, order
        self.today = ctx.now().date()
        self.now = ctx.now()
        self.practice = Practice.load(session)
        self.by_external: dict[str, int] = {}
        self.by_person: dict[tuple[str, str, date], int] = {}
        self.by_phone: dict[str, int] = {}
        self.by_dob: dict[date, list[tuple[int, str, str]]] = {}
        for pid, ext, first, last, dob, phone, mobile, merged in session.connection().execute(
                sa_select(col(Patient.id), col(Patient.external_id), col(Patient.first_name),
                          col(Patient.last_name), col(Patient.dob), col(Patient.phone),
                          col(Patient.mobile), col(Patient.merged_into_id))):
            assert pid is not None
            if ext:
                self.by_external[ext] = pid
            if merged is not None:
                continue
            self.by_person.setdefault(person_key(first, last, dob), pid)
            self.by_dob.setdefault(dob, []).append((pid, first, last))
            for number in (phone, mobile):
                if number:
                    self.by_phone.setdefault(number, pid)
        self.seen_ids: dict[str, int] = {}
        self.seen_people: dict[tuple[str, str, date], int] = {}
        self.plans: dict[str, PayerPlan | None | str] = {}
        self.phones: dict[str, str | InvalidInput] = {}
        self.bad: list[Line] = []
        self.already: list[Line] = []
        self.duplicates: list[Line] = []

    def check(self, row: SourceRow) -> dict[str, Any] | Line:
        reasons = list(row.broken)
        values: dict[str, Any] = {}
        external = row.get("id")[:200]
        if external and external in self.by_external:
            line = Line(row.line, (f"id {external[:40]} is already patient "
                                   f"{self.by_external[external]}",))
            self.already.append(line)
            return line
        if len(external) > MAX_EXTERNAL_ID:
            reasons.append(f"id: at most {MAX_EXTERNAL_ID} characters")
        elif external:
            earlier = self.seen_ids.setdefault(external, row.line)
            if earlier != row.line:
                reasons.append(f"id {external} is also on line {earlier}")
        values["external_id"] = external or None
        self._details(row, values, reasons)
        key = None
        if "first_name" in values and "dob" in values:
            key = person_key(values["first_name"], values["last_name"], values["dob"])
            earlier = self.seen_people.setdefault(key, row.line)
            if earlier != row.line:
                reasons.append(f"same name and date of birth as line {earlier}")
        if reasons:
            line = Line(row.line, tuple(reasons))
            self.bad.append(line)
            return line
        found = self._on_file(key, values)
        if found:
            line = Line(row.line, (found,))
            self.duplicates.append(line)
            return line
        return values

    def _on_file(self, key: tuple[str, str, date] | None, values: dict[str, Any]) -> str:
        if key is not None and key in self.by_person:
            return (f"possible duplicate of patient {self.by_person[key]} (same name and date "
                    "of birth)")
        if key is not None:
            for pid, first, last in self.by_dob.get(values["dob"], []):
                if similar_names(values["first_name"], values["last_name"], first, last):
                    return f"possible duplicate of patient {pid} (same birth date, similar name)"
        for number in (values["phone"], values["mobile"]):
            if number and number in self.by_phone:
                return f"possible duplicate of patient {self.by_phone[number]} (same phone)"
        return ""

    def _details(self, row: SourceRow, values: dict[str, Any], reasons: list[str]) -> None:
        def cell(name: str, read: Callable[[str], Any], default: Any = "") -> None:
            text = row.get(name)
            if not text:
                values[name] = default
                return
            try:
                values[name] = read(text)
            except (CellError, DetailError) as exc:
                reasons.append(f"{name}: {exc}")
            except InvalidInput as exc:
                reasons.append(f"{name}: {exc.message}")

        self._name(row, values, reasons)
        if not row.get("dob"):
            reasons.append("dob: missing")
        else:
            cell("dob", self._dob)
        cell("phone", self._phone)
        cell("mobile", self._phone)
        if "phone" in values and "mobile" in values:
            if not values["phone"] and not values["mobile"]:
                reasons.append("phone: no phone or mobile number")
            values["phone"] = values["phone"] or values["mobile"]
        cell("sms_consent", read_yes_no, False)
        if values.get("sms_consent") and not row.get("mobile"):
            reasons.append("sms_consent: consent to text messages needs a mobile number")
        cell("email", check_email)
        cell("email_consent", read_yes_no, False)
        if values.get("email_consent") and not row.get("email"):
            reasons.append("email_consent: consent to email reminders needs an email address")
        cell("address", lambda t: _short(t, 200, "address"))
        cell("city", lambda t: _short(t, 60, "city"))
        cell("state", check_state)
        cell("zip", check_zip)
        cell("alerts", lambda t: list(check_alerts(t.replace(";", ","))), [])
        cell("alert_note", check_alert_note)
        cell("member_id", check_member_id)
        plan_text = row.get("payer")
        values["payer"], values["payer_key"] = "", None
        if plan_text:
            plan = self._plan(plan_text)
            if isinstance(plan, str):
                reasons.append(f"payer: {plan}")
            elif plan is not None:
                values["payer"], values["payer_key"] = plan.name[:MAX_PAYER], plan.key
        place = row.get("preferred_location")
        values["preferred_location_id"] = None
        if place:
            try:
                values["preferred_location_id"] = self.practice.locations.find(place).id
            except CellError as exc:
                reasons.append(f"preferred_location: {exc}")
        values.update(merged_into_id=None, version=1, created_at=self.now, updated_at=None)
        values.pop("name", None)

    def matched(self) -> tuple[str, ...]:
        """Each distinct location and payer the file wrote, and what it was read as."""
        payers = tuple(f"payer: {' '.join(text.split())[:60]!r} → {plan.name}"
                       for text, plan in self.plans.items() if isinstance(plan, PayerPlan))
        return (*self.practice.matched(), *payers)

    def _name(self, row: SourceRow, values: dict[str, Any], reasons: list[str]) -> None:
        first, last, whole = row.get("first_name"), row.get("last_name"), row.get("name")
        text = f"{last}, {first}" if first or last else whole
        if (first or last) and not (first and last):
            reasons.append("name: give both a first and a last name")
            return
        if not text:
            reasons.append("name: missing")
            return
        try:
            values["first_name"], values["last_name"] = split_name(text)
        except InvalidInput as exc:
            reasons.append(f"name: {exc.message}")

    def _dob(self, text: str) -> date:
        born = read_date(text, self.order)
        check_dob(born, today=self.today)
        return born

    def _phone(self, text: str) -> str:
        known = self.phones.get(text)
        if known is None:
            try:
                known = normalise_phone(text)
            except InvalidInput as exc:
                known = exc
            self.phones[text] = known
        if isinstance(known, InvalidInput):
            raise known
        return known

    def _plan(self, text: str) -> PayerPlan | None | str:
        if text not in self.plans:
            try:
                self.plans[text] = choose_payer(self.ctx, text)
            except InvalidInput as exc:
                self.plans[text] = exc.message
        return self.plans[text]


def _short(text: str, limit: int, what: str) -> str:
    value = " ".join(text.split())
    if len(value) > limit:
        raise CellError(f"at most {limit} characters")
    return value

