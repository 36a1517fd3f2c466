"""Each audit event told in a few plain words, without patient details.

A summary names providers, rooms, locations, visit types and record ids, never a patient's
name or other patient details (no procedure levels, no relief scores, no cancellation reasons):
the trail is for managers, and a line pasted into a ticket must not leak anything about a
patient.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from frontdesk.db import queries as q
from frontdesk.db.models import AuditEvent, VisitType
from frontdesk.domain.model import Status

PRACTICE_ZONE = "America/Chicago"

RULES = {
    "blocks": "blocks first",
    "limit": "yearly limit",
    "levels": "too many levels",
    "repeat": "repeat without enough relief",
}
DAYS = {"MO": "Mon", "TU": "Tue", "WE": "Wed", "TH": "Thu", "FR": "Fri", "SA": "Sat",
        "SU": "Sun"}


@dataclass(frozen=True, slots=True)
class _Names:
    """What a summary may name: providers, locations (with their zones), rooms, visit types."""

    providers: dict[int, str]
    locations: dict[int, tuple[str, str]]
    rooms: dict[int, str]
    visit_types: dict[int, str]

    @classmethod
    def load(cls, session: Session) -> _Names:
        providers, locations, rooms = q.names(session)
        codes = {row[0]: row[1] for row in session.execute(
            sa_select(col(VisitType.id), col(VisitType.code))).all()}
        return cls(providers, locations, rooms, codes)

    def provider(self, key: object) -> str:
        return self.providers.get(_int(key), "an unknown provider")

    def location(self, key: object) -> str:
        return self.locations.get(_int(key), ("an unknown location", ""))[0]

    def room(self, key: object) -> str:
        return self.rooms.get(_int(key), "an unknown room")

    def visit_type(self, key: object) -> str:
        return self.visit_types.get(_int(key), "a visit")

    def zone(self, key: object) -> ZoneInfo:
        return ZoneInfo(self.locations.get(_int(key), ("", PRACTICE_ZONE))[1] or PRACTICE_ZONE)


def summarise(event: AuditEvent, names: _Names) -> str:
    """One event in a few plain words, without patient details."""
    family, _, verb = event.action.partition(".")
    describe = _FAMILIES.get(family)
    text = describe(event, verb, names) if describe is not None else None
    return text or _generic(event)


def _appointment(event: AuditEvent, verb: str, names: _Names) -> str | None:
    before: dict[str, Any] = event.before or {}
    after: dict[str, Any] = event.after or {}
    ref = f"appointment {event.entity_id}"
    zone = names.zone(after.get("location_id") or before.get("location_id"))
    said = _checks(after)
    if verb in ("book", "hold") and not before:
        what = (f"{names.visit_type(after.get('visit_type_id'))} at "
                f"{names.location(after.get('location_id'))} for "
                f"{_when(after.get('starts_at'), zone)} with "
                f"{names.provider(after.get('provider_id'))} ({ref})")
        return (f"booked {what}" if verb == "book" else f"held {what} for a caller") + said
    if verb == "book":
        return f"confirmed the hold on {ref}" + said
    if verb == "release_hold":
        return f"released the hold on {ref}"
    if verb == "extend_hold":
        return f"kept the hold on {ref} until {_when(after.get('hold_expires_at'), zone)}"
    if verb == "cancel":
        late = ": late cancel" if after.get("late_cancel") else ""
        return f"cancelled {ref}{late}"
    if verb == "status":
        return f"{ref}: {_status(before.get('status'))} → {_status(after.get('status'))}"
    if verb == "reschedule":
        return f"moved {ref}: " + _moves(before, after, names, zone) + said
    return None


def _checks(after: dict[str, Any]) -> str:
    """What the booker said to the booking checks: '; ordered by the physician; warnings
    accepted: same-day'."""
    note = after.get("checks") or {}
    parts = []
    if note.get("ordered_by_physician"):
        parts.append("ordered by the physician")
    if note.get("physician_review"):
        parts.append("for physician review")
    if note.get("accepted_warnings"):
        parts.append("warnings accepted: " + ", ".join(str(w) for w in
                                                      note["accepted_warnings"]))
    return "".join(f"; {p}" for p in parts)


def _moves(before: dict[str, Any], after: dict[str, Any], names: _Names, zone: ZoneInfo) -> str:
    parts = []
    if before.get("starts_at") != after.get("starts_at"):
        parts.append(f"{_when(before.get('starts_at'), zone)} → "
                     f"{_when(after.get('starts_at'), zone)}")
    lookups: tuple[tuple[str, str, Callable[[object], str]], ...] = (
        ("provider_id", "provider", names.provider),
        ("location_id", "location", names.location),
        ("room_id", "room", names.room),
    )
    for key, label, name in lookups:
        if before.get(key) != after.get(key):
            parts.append(f"{label} {name(before.get(key))} → {name(after.get(key))}")
    return "; ".join(parts) or "no visible change"


def _payer(event: AuditEvent, verb: str, _names: _Names) -> str | None:
    if verb != "override":
        return None
    after: dict[str, Any] = event.after or {}
    rules = ", ".join(RULES.get(str(r), str(r)) for r in after.get("rules") or ()) or "a rule"
    reason = _short(str(after.get("reason") or ""))
    target = f" on appointment {event.entity_id}" if event.entity_id else ""
    return f"payer override{target}: {rules}" + (f" — {reason}" if reason else "")


def _call(event: AuditEvent, verb: str, _names: _Names) -> str | None:
    after: dict[str, Any] = event.after or {}
    ref = f"call {event.entity_id}"
    if verb == "start":
        return f"took {ref}"
    if verb == "update":
        changed = ", ".join(str(c) for c in after.get("changed") or ())
        return f"saved {ref}" + (f" ({changed})" if changed else "")
    if verb == "finish":
        booked = after.get("appointment_id")
        return (f"finished {ref}: {after.get('outcome') or 'no outcome'}"
                + (f" (appointment {booked})" if booked else ""))
    return None


def _callback(event: AuditEvent, verb: str, _names: _Names) -> str | None:
    ref = f"callback {event.entity_id}"
    words = {"create": "created", "update": "due again", "cancel": "cancelled",
             "cancelled": "cancelled", "done": "done", "open": "left open, due again"}
    return f"{ref} {words[verb]}" if verb in words else None


#: A worklist's call in a word or two ("confirmation call").
WORKLIST_CALLS = {"confirm": "confirmation call", "recall": "recall call",
                  "waitlist": "waitlist offer"}


def _outreach(event: AuditEvent, verb: str, _names: _Names) -> str | None:
    """'confirmation call about appointment 12: no-answer'."""
    after: dict[str, Any] = event.after or {}
    if verb != "record":
        return None
    what = WORKLIST_CALLS.get(str(after.get("worklist")), "call")
    about = after.get("appointment_id")
    target = f" about appointment {about}" if about else ""
    return f"{what}{target}: {_short(str(after.get('outcome') or 'no outcome'), 24)}"


def _recall(event: AuditEvent, verb: str, _names: _Names) -> str | None:
    """'recall repeat:12: not now, until 2027-04-01' (the key names records, not people)."""
    after: dict[str, Any] = event.after or {}
    if verb != "outcome" or not after.get("subject"):
        return None
    outcome = str(after.get("outcome", "")).replace("-", " ")
    until = f", until {after['until']}" if after.get("until") else ""
    return f"recall {after['subject']}: {outcome}{until}"


def _relief(event: AuditEvent, verb: str, _names: _Names) -> str | None:
    words = {"record": "recorded", "update": "updated"}
    return f"{words[verb]} relief report {event.entity_id}" if verb in words else None


def _patient(event: AuditEvent, verb: str, _names: _Names) -> str | None:
    ref = f"patient {event.entity_id}"
    if verb == "create":
        seen = (event.after or {}).get("not_these")
        return f"added {ref}" + (f" (not patient {', '.join(map(str, seen))}, said the desk)"
                                 if isinstance(seen, list) and seen else "")
    if verb == "list":
        after: dict[str, Any] = event.after or {}
        rows = after.get("rows", 0)
        return (f"listed {rows} row{'' if rows == 1 else 's'} with patient details "
                f"({_short(str(after.get('command', '')))})")
    if verb in ("open", "view", "read"):
        call = (event.after or {}).get("call_id")
        return f"opened the record of {ref}" + (f" in call {call}" if call else "")
    if verb in ("update", "edit"):
        fields = (event.after or {}).get("fields")
        named = ", ".join(str(f).replace("_", " ") for f in fields) if isinstance(
            fields, list) and fields else ""
        return (f"changed the record of {ref}" + (f": {_short(named)}" if named else "")
                + _signed(event.after or {}))
    if verb == "merge":
        after = event.after or {}
        moved = after.get("moved", {})
        kinds = ", ".join(f"{_int(n)} {str(k).replace('_', ' ')}" for k, n in moved.items()
                          if _int(n)) if isinstance(moved, dict) else ""
        forced = " (birth dates differ: forced)" if after.get("forced") else ""
        other = _int(after.get("other_id"))
        left = after.get("left")
        kept_apart = ", ".join(str(f).replace("_", " ") for f in left) if isinstance(
            left, list) and left else ""
        return (f"merged patient {other} into {ref}{forced}"
                + (f"; moved {kinds}" if kinds else "")
                + (f"; left on patient {other}: {_short(kept_apart)}" if kept_apart else "")
                + _signed(after))
    if verb == "payer":  # which plan is the patient's business: not shown
        member = " and member id" if (event.after or {}).get("member_id_changed") else ""
        return f"set the payer{member} of {ref}" + _signed(event.after or {})
    if verb == "payer_map":
        mapped = (event.after or {}).get("mapped", {})
        total = sum(_int(n) for n in mapped.values()) if isinstance(mapped, dict) else 0
        return f"mapped the payer text of {total} patient{'' if total == 1 else 's'} to plans"
    return None


def _signed(after: dict[str, Any]) -> str:
    """The upcoming visits whose broken payer rules the change was signed for (override)."""
    visits = after.get("broken_visits")
    if not isinstance(visits, list) or not visits:
        return ""
    ids = ", ".join(str(_int(v)) for v in visits)
    return f"; payer rules overridden for visit{'' if len(visits) == 1 else 's'} {_short(ids)}"


def _template(event: AuditEvent, verb: str, names: _Names) -> str | None:
    snap: dict[str, Any] = (event.before if verb == "remove" else event.after) or {}
    words = {"add": "added", "edit": "changed", "remove": "removed"}
    if verb not in words or "provider_id" not in snap:
        return None
    hours = (f"{_days(str(snap.get('rrule') or ''))} {str(snap.get('start_time'))[:5]}–"
             f"{str(snap.get('end_time'))[:5]}")
    stranded = (event.after or {}).get("stranded_appointment_ids") if verb == "remove" else (
        snap.get("stranded_appointment_ids"))
    tail = f"; {len(stranded)} visit(s) left outside hours" if stranded else ""
    return (f"{words[verb]} hours of {names.provider(snap.get('provider_id'))} at "
            f"{names.location(snap.get('location_id'))}: {hours} (template {event.entity_id})"
            + tail)


def _closure(event: AuditEvent, verb: str, names: _Names) -> str | None:
    if verb == "holidays":
        after: dict[str, Any] = event.after or {}
        years = ", ".join(str(y) for y in after.get("years") or ())
        return f"added {after.get('added', 0)} practice holiday(s) for {years or 'some years'}"
    snap: dict[str, Any] = (event.before if verb == "remove" else event.after) or {}
    words = {"add": "added", "remove": "removed"}
    if verb not in words or "starts_at" not in snap:
        return None
    zone = names.zone(snap.get("location_id"))
    whom = (f" for {names.provider(snap['provider_id'])}" if snap.get("provider_id")
            else f" at {names.location(snap['location_id'])}" if snap.get("location_id")
            else "")
    stranded = snap.get("stranded_appointment_ids")
    tail = f"; {len(stranded)} visit(s) inside it" if stranded else ""
    return (f"{words[verb]} closure {event.entity_id}{whom}: {_short(str(snap.get('reason')))}, "
            f"{_when(snap.get('starts_at'), zone)} → {_when(snap.get('ends_at'), zone)}" + tail)


def _database(event: AuditEvent, verb: str, _names: _Names) -> str | None:
    if verb != "backup":
        return None
    return f"backed up the whole database ({(event.after or {}).get('bytes', 0):,} bytes)"


def _export(event: AuditEvent, verb: str, names: _Names) -> str | None:
    """Exports (services/exports/): what went out, by counts; never where to."""
    after: dict[str, Any] = event.after or {}
    if verb == "fhir":
        counts = after.get("counts") or {}
        since = f" changed since {str(after['since'])[:10]}" if after.get("since") else ""
        return (f"exported FHIR files{since}: {counts.get('Patient', 0):,} patient(s), "
                f"{counts.get('Appointment', 0):,} appointment(s)")
    if verb == "ics":
        whose = (names.provider(event.entity_id) if event.entity == "provider"
                 else names.location(event.entity_id))
        plain = "" if after.get("names", True) else ", without patient names"
        return (f"exported the calendar of {whose}: {after.get('events', 0):,} visit(s), "
                f"{after.get('from')} to {after.get('to')}{plain}")
    return None


def _demo(event: AuditEvent, verb: str, _names: _Names) -> str | None:
    return "seeded the demo practice" if verb == "seed" else None


def _staff(event: AuditEvent, verb: str, names: _Names) -> str | None:
    """Sign-in and account events (services/accounts/). A typed username of a failed
    sign-in is never shown: it may be a patient's name or a password typed in the wrong box."""
    after = event.after or {}
    account = f" of staff {event.entity_id}" if event.entity_id is not None else ""
    if verb == "sign_in":
        return "sign-in over SSH" if after.get("via") == "ssh" else "sign-in"
    if verb == "override_signed":
        return "signed a payer-rule override with their password"
    if verb == "sign_in_failed":
        return "failed sign-in" + ("" if event.staff_id is not None else " (unknown username)")
    if verb == "sign_in_refused_locked":
        return "sign-in refused: the account is locked"
    if verb == "locked":
        return f"account locked after {after.get('failures', 'repeated')} failed sign-ins"
    if verb == "screen_lock":
        return (f"screen locked after {after.get('idle_minutes')} idle minutes"
                if after.get("via") == "idle" else "locked the screen")
    if verb == "unlock":
        return ("unlocked by a password reset" if after.get("via") == "reset_password"
                else "unlocked the idle lock")
    if verb == "add":
        return f"added staff account {after.get('username', '')} ({after.get('role', '')})"
    if verb == "disable":
        return f"disabled staff account{account}"
    if verb == "reset_password":
        return f"reset the password{account}"
    return None


def _import(event: AuditEvent, verb: str, _names: _Names) -> str | None:
    """An import from another system's file: its counts (it names no one)."""
    if verb not in ("patients", "appointments"):
        return None
    after: dict[str, Any] = event.after or {}
    noun = "patient" if verb == "patients" else "visit"
    n = _int(after.get("imported", 0))
    parts = [f"{_int(after.get(key, 0))} {words}" for key, words in (
        ("already_imported", "already there"), ("bad", "bad rows skipped"),
        ("possible_duplicates", "possible duplicates held back"),
        ("for_a_scheduler", "for a scheduler")) if _int(after.get(key, 0))]
    return (f"imported {n} {noun}{'' if n == 1 else 's'} from another system's file"
            + (f" ({', '.join(parts)})" if parts else ""))


def _practice(event: AuditEvent, verb: str, _names: _Names) -> str | None:
    """``practice.apply``: the counts of what the practice file added, changed, retired."""
    if verb != "apply":
        return None
    after: dict[str, Any] = event.after or {}
    counts = after.get("counts") or {}
    done = ", ".join(f"{_int(counts[k])} {k}" for k in ("added", "changed", "retired")
                     if isinstance(counts, dict) and counts.get(k))
    stranded = len(after.get("stranded_appointment_ids") or ())
    return ("applied the practice file" + (f": {done}" if done else "")
            + (f"; {stranded} visit{'' if stranded == 1 else 's'} marked for a scheduler"
               if stranded else ""))


_REMINDER_WORDS = {
    "plan": "planned", "claim": "claimed for sending", "sent": "sent",
    "retry": "not sent, to be tried again", "failed": "failed",
    "unsure": "may have gone out: its sender stopped while sending",
    "skipped": "skipped", "requeue": "re-queued to be sent again",
    "replanned": "wanted again (the visit is back at its time, or consent given again): "
                 "pending",
    "config": "not sent: the sender's setup is wrong (not counted as a try)",
}


def _reminder(event: AuditEvent, verb: str, _names: _Names) -> str | None:
    """'reminder 12 (email, appointment 3): sent'; a planning pass by its counts."""
    after: dict[str, Any] = event.after or {}
    if verb == "plan":
        return (f"reminders planned: {after.get('made', 0)} made, "
                f"{after.get('skipped', 0)} skipped")
    words = _REMINDER_WORDS.get(verb)
    if words is None:
        return None
    about = (f" ({after.get('channel')}, appointment {after.get('appointment_id')})"
             if after.get("appointment_id") is not None else "")
    return f"reminder {event.entity_id}{about}: {words}"


_FAMILIES: dict[str, Callable[[AuditEvent, str, _Names], str | None]] = {
    "appointment": _appointment,
    "payer": _payer,
    "call": _call,
    "callback": _callback,
    "outreach": _outreach,
    "relief": _relief,
    "recall": _recall,
    "patient": _patient,
    "template": _template,
    "closure": _closure,
    "database": _database,
    "demo": _demo,
    "export": _export,
    "staff": _staff,
    "import": _import,
    "practice": _practice,
    "reminder": _reminder,
}


def _generic(event: AuditEvent) -> str:
    """An action nobody taught this module yet: its own words and the record it touched."""
    words = event.action.replace(".", " ").replace("_", " ")
    ref = event.entity.replace("_", " ")
    return f"{words}: {ref} {event.entity_id}" if event.entity_id is not None else words


def _status(value: object) -> str:
    try:
        return Status(str(value)).label
    except ValueError:
        return "unknown"


def _when(value: object, zone: ZoneInfo) -> str:
    """'Wed 10 Mar 10:00' in the location's zone, from a snapshot's ISO time."""
    try:
        moment = datetime.fromisoformat(str(value)).astimezone(zone)
    except ValueError:
        return "an unknown time"
    return f"{moment:%a} {moment.day} {moment:%b %H:%M}"


def _days(rrule: str) -> str:
    match = re.search(r"BYDAY=([A-Z,]+)", rrule)
    if not match:
        return "every day"
    days = [DAYS.get(d, d) for d in match.group(1).split(",")]
    if days == ["Mon", "Tue", "Wed", "Thu", "Fri"]:
        return "Mon–Fri"
    return ", ".join(days)


def _short(text: str, width: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _int(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        return 0
