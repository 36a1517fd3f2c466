"""ORM rows to frozen views. The only place that knows both shapes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row

from frontdesk.db.models import Appointment, Location, Patient, Staff
from frontdesk.domain.model import Role, Status
from frontdesk.services.views import AppointmentView, LocationView, PatientView, StaffView


def appointment_view(row: Row[Any]) -> AppointmentView:
    appt: Appointment = row[0]
    (first, last, vt_code, vt_name, colour, provider, location, tz, room, booked_by,
     alerts, alert_note) = tuple(row)[1:]
    assert appt.id is not None
    return AppointmentView(
        id=appt.id,
        patient_id=appt.patient_id,
        patient_short=f"{last}, {first[:1]}.",
        visit_type_code=vt_code,
        visit_type_name=vt_name,
        visit_colour=colour,
        provider_id=appt.provider_id,
        provider_name=provider,
        location_id=appt.location_id,
        location_name=location,
        room_id=appt.room_id,
        room_name=room,
        start=appt.starts_at,
        end=appt.ends_at,
        timezone=tz,
        status=Status(appt.status),
        hold_expires_at=appt.hold_expires_at,
        region=appt.region,
        levels=appt.levels,
        side=appt.side,
        booked_by=booked_by,
        booked_at=appt.booked_at,
        cancel_reason=appt.cancel_reason,
        late_cancel=appt.late_cancel,
        version=appt.version,
        block_start=appt.block_start,
        block_end=appt.block_end,
        patient_alerts=tuple(alerts or ()),
        patient_alert_note=alert_note or "",
    )


def location_view(loc: Location) -> LocationView:
    assert loc.id is not None
    return LocationView(loc.id, loc.name, loc.address, loc.phone, loc.timezone, loc.zip)


def patient_view(p: Patient) -> PatientView:
    assert p.id is not None
    return PatientView(
        p.id, p.first_name, p.last_name, p.dob, p.phone, p.preferred_location_id, p.payer,
        p.payer_key, p.member_id, mobile=p.mobile, sms_consent=p.sms_consent, email=p.email,
        email_consent=p.email_consent,
        address=p.address, city=p.city, state=p.state, zip=p.zip, alerts=tuple(p.alerts or ()),
        alert_note=p.alert_note, external_id=p.external_id, version=p.version,
    )


def staff_view(s: Staff) -> StaffView:
    assert s.id is not None
    return StaffView(s.id, s.name, s.username, Role(s.role))


def appointment_snapshot(appt: Appointment) -> dict[str, Any]:
    """What the audit log records of an appointment: ids, times, status — no patient details."""
    return {
        "patient_id": appt.patient_id,
        "visit_type_id": appt.visit_type_id,
        "provider_id": appt.provider_id,
        "location_id": appt.location_id,
        "room_id": appt.room_id,
        "starts_at": appt.starts_at.isoformat(),
        "ends_at": appt.ends_at.isoformat(),
        "status": appt.status,
        "region": appt.region,
        "levels": appt.levels,
        "side": appt.side,
        "cancel_reason": appt.cancel_reason,
        "late_cancel": appt.late_cancel,
        "version": appt.version,
    }
