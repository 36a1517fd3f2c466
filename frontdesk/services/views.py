"""Frozen values the UI and CLI hold. Times are aware UTC; ``local`` helpers give the zone."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from frontdesk.domain.model import ProviderKind, Role, RoomKind, Status


@dataclass(frozen=True, slots=True)
class LocationView:
    id: int
    name: str
    address: str
    phone: str
    timezone: str
    zip: str = ""

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True, slots=True)
class ProviderView:
    id: int
    name: str
    kind: ProviderKind
    visit_type_codes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RoomView:
    id: int
    location_id: int
    name: str
    kind: RoomKind
    fluoroscopy: bool


@dataclass(frozen=True, slots=True)
class VisitTypeView:
    id: int
    code: str
    name: str
    duration_min: int
    buffer_before_min: int
    buffer_after_min: int
    room_kind: RoomKind
    is_procedure: bool
    colour: str
    prep: str
    provider_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class StaffView:
    id: int
    name: str
    username: str
    role: Role


@dataclass(frozen=True, slots=True)
class PatientView:
    id: int
    first_name: str
    last_name: str
    dob: date
    phone: str
    preferred_location_id: int | None
    payer: str  # the text on file (a plan's name once chosen from the catalogue)
    payer_key: str | None = None  # the catalogue plan; None: not chosen yet
    member_id: str = ""
    mobile: str = ""  # E.164
    sms_consent: bool = False
    email: str = ""
    email_consent: bool = False  # agreed to reminders by email
    address: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""
    alerts: tuple[str, ...] = ()  # domain.patients.ALERTS codes
    alert_note: str = ""
    external_id: str | None = None
    version: int = 1  # an edit is made against the version seen

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def short_name(self) -> str:
        """"Last, F." — enough on a calendar, less exposed than the full name."""
        return f"{self.last_name}, {self.first_name[:1]}."


@dataclass(frozen=True, slots=True)
class PatientSaved(PatientView):
    """A patient record as an edit or a payer change wrote it, with the upcoming visits whose
    broken payer rules the person signed for with an override reason (to tell them)."""

    overridden_visits: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class DuplicateView:
    """A patient on file who may be the one being added, and why (``same birth date, similar
    name``, ``same phone``)."""

    patient: PatientView
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MergeView:
    """Two records of one person made one: ``kept`` as it is now, how many rows of each kind
    moved to it, and which of its empty details it took from the other record."""

    kept: PatientView
    merged_id: int
    moved: dict[str, int]
    filled: tuple[str, ...]
    forced: bool = False
    #: the other record's details the kept one did not take (they differ): left on the
    #: merged-away record, e.g. ("phone", "email"). Names, never values.
    left: tuple[str, ...] = ()
    #: upcoming visits whose broken payer rules the merger signed for with a reason
    overridden_visits: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class SlotView:
    start: datetime
    end: datetime
    provider_id: int
    provider_name: str
    location_id: int
    location_name: str
    room_id: int
    room_name: str
    timezone: str

    @property
    def local_start(self) -> datetime:
        return self.start.astimezone(ZoneInfo(self.timezone))

    def describe(self) -> str:
        local = self.local_start
        return (
            f"{local:%a %b} {local.day} {local:%I:%M %p} · {self.location_name} · "
            f"{self.provider_name} · {self.room_name}"
        )


@dataclass(frozen=True, slots=True)
class AppointmentView:
    id: int
    patient_id: int
    patient_short: str
    visit_type_code: str
    visit_type_name: str
    visit_colour: str
    provider_id: int
    provider_name: str
    location_id: int
    location_name: str
    room_id: int
    room_name: str
    start: datetime
    end: datetime
    timezone: str
    status: Status
    hold_expires_at: datetime | None
    region: str | None
    levels: str | None
    side: str | None
    booked_by: str
    booked_at: datetime
    cancel_reason: str | None
    late_cancel: bool
    version: int
    block_start: datetime  # start minus the visit type's buffer before: nobody else then
    block_end: datetime  # end plus the buffer after
    patient_alerts: tuple[str, ...] = ()  # domain.patients.ALERTS codes: staff must see them
    patient_alert_note: str = ""

    @property
    def local_start(self) -> datetime:
        return self.start.astimezone(ZoneInfo(self.timezone))

    @property
    def local_end(self) -> datetime:
        return self.end.astimezone(ZoneInfo(self.timezone))


@dataclass(frozen=True, slots=True)
class ClosureView:
    """A holiday (provider and location None), a location closure or a provider's time off."""

    id: int
    kind: str
    reason: str
    start: datetime
    end: datetime
    provider_id: int | None
    location_id: int | None


@dataclass(frozen=True, slots=True)
class TemplateView:
    id: int
    provider_id: int
    location_id: int
    rrule: str
    timezone: str
    start_time: time
    end_time: time
    valid_from: date
    valid_until: date | None


def to_json(value: Any) -> Any:
    """A JSON-ready form of a view (or list of views): ISO times, enum values."""
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {k: to_json(v) for k, v in asdict(value).items()}
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value
