"""Every table, in one place. Times are aware UTC (SQLModel's UTCDateTime)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel


class Location(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True)
    address: str = Field(max_length=200)
    phone: str = Field(max_length=20)  # E.164
    timezone: str = Field(default="America/Chicago", max_length=64)
    zip: str = Field(default="", max_length=10)  # 74133 or 74133-1234
    active: bool = True  # retired locations stay for the visits they had


class Provider(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True)
    kind: str = Field(max_length=16)  # domain.model.ProviderKind
    credentials: str = Field(default="", max_length=40)  # "MD", "DO", "APRN-CNP", "LMT"
    active: bool = True


class VisitType(SQLModel, table=True):
    __tablename__ = "visit_type"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=80)
    duration_min: int
    buffer_before_min: int = 0
    buffer_after_min: int = 0
    room_kind: str = Field(max_length=16)  # domain.model.RoomKind
    is_procedure: bool = False
    colour: str = Field(default="blue", max_length=16)
    prep: str = Field(default="", max_length=2000)
    active: bool = True  # a retired visit type is offered no more


class ProviderVisitType(SQLModel, table=True):
    """Which visit types a provider performs."""

    __tablename__ = "provider_visit_type"

    provider_id: int = Field(foreign_key="provider.id", primary_key=True)
    visit_type_id: int = Field(foreign_key="visit_type.id", primary_key=True)


class Room(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("location_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    location_id: int = Field(foreign_key="location.id", index=True)
    name: str = Field(max_length=40)
    kind: str = Field(max_length=16)  # domain.model.RoomKind
    fluoroscopy: bool = False
    active: bool = True


class Template(SQLModel, table=True):
    """A provider's weekly hours at one location, as an RFC 5545 RRULE in the location's zone."""

    id: int | None = Field(default=None, primary_key=True)
    provider_id: int = Field(foreign_key="provider.id", index=True)
    location_id: int = Field(foreign_key="location.id", index=True)
    rrule: str = Field(max_length=200)
    timezone: str = Field(max_length=64)
    start_time: time
    end_time: time
    valid_from: date
    valid_until: date | None = None


class Closure(SQLModel, table=True):
    """A practice holiday, a location closure or a provider's time off."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)  # holiday | location | time_off
    reason: str = Field(max_length=120)
    starts_at: datetime = Field(index=True)
    ends_at: datetime
    provider_id: int | None = Field(default=None, foreign_key="provider.id")
    location_id: int | None = Field(default=None, foreign_key="location.id")


class Patient(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    first_name: str = Field(max_length=60)
    last_name: str = Field(max_length=60, index=True)
    dob: date = Field(index=True)
    phone: str = Field(max_length=20, index=True)  # E.164
    preferred_location_id: int | None = Field(default=None, foreign_key="location.id")
    payer: str = Field(default="", max_length=60)  # as typed or imported (before the catalogue)
    payer_key: str | None = Field(default=None, max_length=40)  # the catalogue plan
    member_id: str = Field(default="", max_length=40)
    mobile: str = Field(default="", max_length=20, index=True)  # E.164; may equal ``phone``
    sms_consent: bool = False  # agreed to text messages on ``mobile``
    email: str = Field(default="", max_length=120)
    email_consent: bool = False  # agreed to reminders by email at ``email``
    address: str = Field(default="", max_length=200)  # street lines
    city: str = Field(default="", max_length=60)
    state: str = Field(default="", max_length=2)
    zip: str = Field(default="", max_length=10)
    #: what staff must see before booking: domain.patients.ALERTS codes
    alerts: list[str] = Field(default_factory=list, sa_column=Column(
        JSON, nullable=False, server_default=text("'[]'")))
    alert_note: str = Field(default="", max_length=200)
    #: the old system's id (imports): one patient per id
    external_id: str | None = Field(default=None, max_length=40, unique=True, index=True)
    #: merged into another record: this one is kept (nothing lost) but found no more
    merged_into_id: int | None = Field(default=None, foreign_key="patient.id")
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    created_at: datetime
    updated_at: datetime | None = None


class Staff(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80)
    username: str = Field(max_length=40, unique=True)
    role: str = Field(max_length=16)  # domain.model.Role
    active: bool = True
    password_hash: str | None = Field(default=None, max_length=200)  # argon2; None: not set
    failed_signins: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    locked_until: datetime | None = None  # too many failed sign-ins: locked until then


class Appointment(SQLModel, table=True):
    """A booked (or held) visit. block_start/block_end add the visit type's buffers; the
    database refuses two blocking rows whose blocks overlap on one provider or one room."""

    __table_args__ = (
        Index("ix_appointment_block", "block_start"),
        Index("ix_appointment_provider_block", "provider_id", "block_start"),
        Index("ix_appointment_room_block", "room_id", "block_start"),
        Index("ix_appointment_location_start", "location_id", "starts_at"),
        Index("ix_appointment_status_hold", "status", "hold_expires_at"),
        # the daily report's trend counts from these alone (covering: no table reads)
        Index("ix_appointment_booked_at", "booked_at", "location_id", "status",
              "hold_expires_at"),
        Index("ix_appointment_status_start", "status", "starts_at", "location_id",
              "hold_expires_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    visit_type_id: int = Field(foreign_key="visit_type.id")
    provider_id: int = Field(foreign_key="provider.id")
    location_id: int = Field(foreign_key="location.id")
    room_id: int = Field(foreign_key="room.id")
    starts_at: datetime
    ends_at: datetime
    block_start: datetime
    block_end: datetime
    status: str = Field(max_length=16)  # domain.model.Status
    hold_expires_at: datetime | None = None
    region: str | None = Field(default=None, max_length=16)
    levels: str | None = Field(default=None, max_length=40)
    side: str | None = Field(default=None, max_length=16)
    booked_by_id: int = Field(foreign_key="staff.id")
    booked_at: datetime
    cancel_reason: str | None = Field(default=None, max_length=500)
    late_cancel: bool = False
    version: int = 1
    updated_at: datetime
    #: the old system's id of an imported visit (one visit per id)
    external_id: str | None = Field(default=None, max_length=60, unique=True, index=True)
    #: why a scheduler must look at it, e.g. an imported visit outside the provider's hours
    attention: str | None = Field(default=None, max_length=200)


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(index=True)
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    action: str = Field(max_length=40)
    entity: str = Field(max_length=40)
    entity_id: int | None = None
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    channel: str | None = Field(default=None, max_length=10)  # app, ssh, browser, cli
    os_user: str | None = Field(default=None, max_length=64)  # the real OS user acting


class Call(SQLModel, table=True):
    """A phone call at the front desk. ``status`` 'open' is a draft saved on every change (so
    a killed terminal loses nothing); 'closed' is logged with its outcome."""

    __table_args__ = (Index("ix_call_status_staff", "status", "staff_id"),)

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id")
    patient_id: int | None = Field(default=None, foreign_key="patient.id", index=True)
    started_at: datetime = Field(index=True)
    updated_at: datetime
    ended_at: datetime | None = Field(default=None, index=True)
    status: str = Field(default="open", max_length=16)  # open | closed
    reason: str | None = Field(default=None, max_length=32)  # domain: call reason
    answers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    outcome: str | None = Field(default=None, max_length=32)
    note: str = Field(default="", max_length=2000)
    appointment_id: int | None = Field(default=None, foreign_key="appointment.id")
    version: int = 1


class ReliefReport(SQLModel, table=True):
    """What a patient reported after an injection: it feeds the pathway and payer rules."""

    __tablename__ = "relief_report"

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    appointment_id: int | None = Field(default=None, foreign_key="appointment.id")
    procedure: str = Field(max_length=32)  # the visit type code of the procedure reported on
    region: str | None = Field(default=None, max_length=16)
    levels: str | None = Field(default=None, max_length=40)
    side: str | None = Field(default=None, max_length=16)
    percent_relief: int
    hours_lasted: float
    scale_before: int | None = None
    scale_after: int | None = None
    same_scale: bool = True
    wearing_off: bool = False
    reported_at: datetime = Field(index=True)
    taken_by_id: int = Field(foreign_key="staff.id")
    call_id: int | None = Field(default=None, foreign_key="call.id", index=True)


class CallbackTask(SQLModel, table=True):
    """Somebody at the desk has to call the patient back: e.g. to collect the relief report
    after a diagnostic injection. ``status``: open | done | cancelled."""

    __tablename__ = "callback_task"
    __table_args__ = (Index("ix_callback_status_due", "status", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    appointment_id: int | None = Field(default=None, foreign_key="appointment.id", index=True)
    kind: str = Field(max_length=32)  # relief-report
    due_at: datetime
    created_at: datetime
    status: str = Field(default="open", max_length=16)
    done_at: datetime | None = Field(default=None, index=True)
    done_by_id: int | None = Field(default=None, foreign_key="staff.id")
    call_id: int | None = Field(default=None, foreign_key="call.id")
    note: str = Field(default="", max_length=500)


class PracticeSetting(SQLModel, table=True):
    """The practice's own setup that is not rows of its own (``frontdesk practice apply``):
    ``practice`` (name, phone), ``payers`` (rule sets) and ``plans`` (the payer catalogue),
    each as the TOML tables the settings file uses. Over the settings file when present."""

    __tablename__ = "practice_setting"

    key: str = Field(primary_key=True, max_length=40)
    value: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime


class Outreach(SQLModel, table=True):
    """One try from a worklist to reach a patient, with its outcome: a confirmation call
    (``worklist`` confirm), a recall (recall) or a waitlist offer (waitlist). The newest row
    for a visit, recall or waitlist entry is where it stands."""

    __tablename__ = "outreach"
    __table_args__ = (
        Index("ix_outreach_list_appointment", "worklist", "appointment_id"),
        Index("ix_outreach_list_subject", "worklist", "subject"),
        Index("ix_outreach_list_at", "worklist", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    worklist: str = Field(max_length=16)  # confirm | recall | waitlist
    patient_id: int = Field(foreign_key="patient.id", index=True)
    appointment_id: int | None = Field(default=None, foreign_key="appointment.id")
    waitlist_id: int | None = Field(default=None, foreign_key="waitlist_entry.id", index=True)
    #: what a recall is about (its key, e.g. "repeat:<appointment id>"); "" for the others
    subject: str = Field(default="", max_length=80)
    outcome: str = Field(max_length=24)
    note: str = Field(default="", max_length=500)
    at: datetime
    staff_id: int = Field(foreign_key="staff.id")
    call_id: int | None = Field(default=None, foreign_key="call.id")


class WaitlistEntry(SQLModel, table=True):
    """A caller who wants an earlier time: the visit type, where and when they can come, and
    until when the wish stands. ``appointment_id`` is the visit they hold now (to be moved
    earlier), or None for one not booked yet. ``status``: waiting | booked | removed."""

    __tablename__ = "waitlist_entry"
    __table_args__ = (Index("ix_waitlist_status_visit", "status", "visit_type_id"),)

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    visit_type_id: int = Field(foreign_key="visit_type.id")
    appointment_id: int | None = Field(default=None, foreign_key="appointment.id")
    region: str | None = Field(default=None, max_length=16)
    levels: str | None = Field(default=None, max_length=40)
    side: str | None = Field(default=None, max_length=16)
    #: the locations they can come to; empty: any
    location_ids: list[int] = Field(default_factory=list, sa_column=Column(
        JSON, nullable=False, server_default=text("'[]'")))
    #: the weekdays they can come (0 Monday); empty: any
    weekdays: list[int] = Field(default_factory=list, sa_column=Column(
        JSON, nullable=False, server_default=text("'[]'")))
    earliest: time | None = None  # local clock time at the location
    latest: time | None = None
    until: date | None = None  # the wish stands until this day (inclusive)
    note: str = Field(default="", max_length=500)
    status: str = Field(default="waiting", max_length=16)
    created_at: datetime
    created_by_id: int = Field(foreign_key="staff.id")
    closed_at: datetime | None = None
    closed_by_id: int | None = Field(default=None, foreign_key="staff.id")
    #: the visit an accepted offer booked (or the held visit moved to)
    booked_appointment_id: int | None = Field(default=None, foreign_key="appointment.id")
    version: int = 1


class Reminder(SQLModel, table=True):
    """The outbox: one reminder of one visit on one channel (email | sms), due ``before_min``
    minutes before the start it was made for. ``status``: pending | sending | sent | failed |
    unsure (a sender died while sending it: never sent again by itself) | skipped."""

    __table_args__ = (
        UniqueConstraint("appointment_id", "channel", "before_min", "visit_starts_at"),
        Index("ix_reminder_status_next", "status", "next_try_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    appointment_id: int = Field(foreign_key="appointment.id", index=True)
    channel: str = Field(max_length=8)
    before_min: int
    visit_starts_at: datetime
    due_at: datetime
    status: str = Field(default="pending", max_length=16)
    attempts: int = 0
    next_try_at: datetime
    claimed_at: datetime | None = None
    claimed_by: str = Field(default="", max_length=80)  # host:pid of the sender
    sent_at: datetime | None = Field(default=None, index=True)
    message_id: str = Field(default="", max_length=200)
    last_error: str = Field(default="", max_length=300)
    created_at: datetime


class ReminderAttempt(SQLModel, table=True):
    """The delivery log: every try at sending a reminder and what came of it."""

    __tablename__ = "reminder_attempt"

    id: int | None = Field(default=None, primary_key=True)
    reminder_id: int = Field(foreign_key="reminder.id", index=True)
    at: datetime = Field(index=True)
    outcome: str = Field(max_length=16)  # sent | retry | failed | unsure | skipped
    detail: str = Field(default="", max_length=300)
