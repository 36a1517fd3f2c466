"""The practice's default visit types (DESIGN §3), installed into a new database.

Durations, buffers, rooms and read-back logistics are defaults a practice can edit later.
Prep text is logistics only: medical questions always go to the clinical team.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from frontdesk.db.models import VisitType
from frontdesk.domain.model import ProviderKind, RoomKind

_CLINICAL = "Medical questions (for example about stopping a medicine) go to the clinical team."


@dataclass(frozen=True)
class VisitDefault:
    code: str
    name: str
    duration_min: int
    buffer_before_min: int
    buffer_after_min: int
    room_kind: RoomKind
    performers: frozenset[ProviderKind]
    is_procedure: bool
    colour: str
    prep: str


_DOCTORS = frozenset({ProviderKind.PHYSICIAN})
_CLINICIANS = frozenset({ProviderKind.PHYSICIAN, ProviderKind.APP})

DEFAULT_VISIT_TYPES: tuple[VisitDefault, ...] = (
    VisitDefault("new-patient", "New-patient evaluation", 60, 0, 0, RoomKind.EXAM, _CLINICIANS,
                 False, "green",
                 "Arrive 20 minutes early to complete paperwork. Bring photo ID, insurance card, "
                 "a list of current medications and any recent spine imaging reports. "
                 + _CLINICAL),
    VisitDefault("follow-up", "Follow-up", 20, 0, 0, RoomKind.EXAM, _CLINICIANS, False, "cyan",
                 "Arrive 10 minutes early. Bring your medication list. " + _CLINICAL),
    VisitDefault("facet-diagnostic", "Diagnostic facet joint injection (medial branch block)",
                 30, 15, 15, RoomKind.PROCEDURE, _DOCTORS, True, "magenta",
                 "Arrive 30 minutes early. Bring a driver if you will have sedation. Wear loose "
                 "clothing. Keep a pain diary for the hours after the injection: the clinic will "
                 "call to ask how much relief you had and for how long. " + _CLINICAL),
    VisitDefault("facet-therapeutic", "Therapeutic facet joint injection", 30, 15, 15,
                 RoomKind.PROCEDURE, _DOCTORS, True, "purple",
                 "Arrive 30 minutes early. Bring a driver if you will have sedation. Wear loose "
                 "clothing. " + _CLINICAL),
    VisitDefault("rfa-consult", "Radiofrequency ablation consult", 30, 0, 0, RoomKind.EXAM,
                 _DOCTORS, False, "yellow",
                 "Arrive 15 minutes early. Bring your injection relief records and medication "
                 "list. " + _CLINICAL),
    VisitDefault("rfa", "Radiofrequency ablation", 60, 15, 30, RoomKind.PROCEDURE, _DOCTORS,
                 True, "red",
                 "Arrive 45 minutes early. A driver is required: you cannot drive yourself home. "
                 "Wear loose clothing. " + _CLINICAL),
    VisitDefault("trigger-point", "Trigger point injection", 20, 0, 10, RoomKind.EXAM,
                 _CLINICIANS, True, "orange",
                 "Arrive 10 minutes early. Wear clothing that gives easy access to the sore area. "
                 + _CLINICAL),
    VisitDefault("med-management", "Medication management", 20, 0, 0, RoomKind.EXAM,
                 _CLINICIANS, False, "blue",
                 "Arrive 10 minutes early. Bring all your medication bottles. " + _CLINICAL),
    VisitDefault("massage", "Massage therapy", 60, 0, 15, RoomKind.MASSAGE,
                 frozenset({ProviderKind.THERAPIST}), False, "teal",
                 "Arrive 10 minutes early. Wear comfortable clothing. " + _CLINICAL),
)


def install_visit_types(session: Session) -> dict[str, VisitType]:
    """Insert the defaults that are missing; returns every visit type by code."""
    existing = {vt.code: vt for vt in session.exec(select(VisitType)).all()}
    for d in DEFAULT_VISIT_TYPES:
        if d.code not in existing:
            vt = VisitType(
                code=d.code, name=d.name, duration_min=d.duration_min,
                buffer_before_min=d.buffer_before_min, buffer_after_min=d.buffer_after_min,
                room_kind=d.room_kind.value, is_procedure=d.is_procedure, colour=d.colour,
                prep=d.prep,
            )
            session.add(vt)
            existing[d.code] = vt
    session.flush()
    return existing


def default_for(code: str) -> VisitDefault:
    return next(d for d in DEFAULT_VISIT_TYPES if d.code == code)
