"""Finding patients, the light way: the twin of ``directory.find_patients`` (same text read by
``patients.search``, same rows, same order, same views), asked in plain SQL."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from frontdesk.db.light import day
from frontdesk.services.light import Light
from frontdesk.services.patients.search import ESCAPE, near_names, read_search
from frontdesk.services.views import PatientView

_COLUMNS = ("id, first_name, last_name, dob, phone, preferred_location_id, payer, payer_key, "
            "member_id, mobile, sms_consent, email, email_consent, address, city, state, zip, "
            "alerts, alert_note, external_id, version")
_NAME_PART = (f"(lower(first_name) LIKE ? ESCAPE '{ESCAPE}' "
              f"OR lower(last_name) LIKE ? ESCAPE '{ESCAPE}')")
# the live records a phone or mobile ending so belongs to, or was merged into
_BY_PHONE = ("id IN (SELECT coalesce(merged_into_id, id) FROM patient "
             "WHERE phone LIKE '%' || ? OR mobile LIKE '%' || ?)")


def find_patients(light: Light, text: str, *, limit: int = 20) -> list[PatientView]:
    """By phone, date of birth or name parts, as ``directory.find_patients`` finds them."""
    wanted = read_search(text)
    where = ["merged_into_id IS NULL"]
    params: list[Any] = []
    if wanted.dob is not None:
        where.append("dob = ?")
        params.append(wanted.dob.isoformat())
    elif wanted.phone is not None:
        where.append(_BY_PHONE)
        params += [wanted.phone, wanted.phone]
    for pattern in wanted.patterns:
        where.append(_NAME_PART)
        params += [pattern, pattern]
    found = _patients(light, f"{' AND '.join(where)} "
                             "ORDER BY last_name, first_name, id LIMIT ?", [*params, limit])
    if wanted.wants_near_names(len(found)):
        found += _near_names(light, wanted.text, limit - len(found), {p.id for p in found})
    return found


def _near_names(light: Light, text: str, limit: int, seen: set[int]) -> list[PatientView]:
    if limit <= 0:
        return []
    names = {pid: f"{first} {last}" for pid, first, last in light.reader.rows(
        "SELECT id, first_name, last_name FROM patient WHERE merged_into_id IS NULL ORDER BY id")
        if pid not in seen}
    ids = near_names(names, text, limit)
    if not ids:
        return []
    rows = {p.id: p for p in _patients(light, f"id IN ({', '.join('?' * len(ids))})", ids)}
    return [rows[i] for i in ids if i in rows]


def _patients(light: Light, where: str, params: Sequence[Any]) -> list[PatientView]:
    return [_view(row) for row in
            light.reader.rows(f"SELECT {_COLUMNS} FROM patient WHERE {where}", params)]


def _view(row: tuple[Any, ...]) -> PatientView:
    """The twin of ``mapping.patient_view``."""
    (pid, first, last, dob, phone, location_id, payer, payer_key, member_id, mobile, sms_consent,
     email, email_consent, address, city, state, zip_code, alerts, alert_note, external_id,
     version) = row
    born = day(dob)
    assert born is not None  # a NOT NULL column
    return PatientView(
        pid, first, last, born, phone, location_id, payer, payer_key, member_id, mobile=mobile,
        sms_consent=bool(sms_consent), email=email,
        email_consent=bool(email_consent), address=address, city=city, state=state,
        zip=zip_code, alerts=tuple(json.loads(alerts or "null") or ()), alert_note=alert_note,
        external_id=external_id, version=version,
    )
