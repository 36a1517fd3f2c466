"""A time that is not free says what is in the way — the provider's other visit, every
suitable room in use — so that "just taken" is kept for a write that beat this one in the same
second. Run on SQLite and PostgreSQL; the clock is Wed 2027-03-10 09:00 in Tulsa."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from frontdesk.db.engine import run_write
from frontdesk.db.models import Room
from frontdesk.services import scheduling as s
from frontdesk.services.context import Context
from frontdesk.services.errors import SlotTaken
from tests.practice import Practice

THU_TEN = datetime(2027, 3, 11, 16, 0, tzinfo=UTC)  # Thu 10:00 local


def test_moving_onto_the_providers_other_visit_names_it(ctx: Context, practice: Practice
                                                        ) -> None:
    s.book(ctx, staff="desk", patient_id=practice.patient_id, visit_type="follow-up",
           provider_id=practice.able, location_id=practice.location_id, start=THU_TEN)
    moving = s.book(ctx, staff="desk", patient_id=practice.other_patient_id,
                    visit_type="follow-up", provider_id=practice.able,
                    location_id=practice.location_id, start=THU_TEN + timedelta(hours=1))
    with pytest.raises(SlotTaken) as refused:
        s.reschedule(ctx, staff="desk", appointment_id=moving.id,
                     start=THU_TEN + timedelta(minutes=15), expected_version=moving.version)
    assert refused.value.reason == "Dr. Avery Able has another visit then"
    assert refused.value.alternatives  # the next free times, as before


def test_booking_when_every_suitable_room_is_in_use_says_so(ctx: Context, practice: Practice
                                                           ) -> None:
    def one_exam_room(session: Session) -> None:
        room = session.get(Room, practice.exam_rooms[1])
        assert room is not None
        room.active = False

    run_write(ctx.engine, one_exam_room)
    s.book(ctx, staff="desk", patient_id=practice.patient_id, visit_type="follow-up",
           provider_id=practice.able, location_id=practice.location_id, start=THU_TEN)
    with pytest.raises(SlotTaken) as refused:  # Pat Baker is free; the room is not
        s.book(ctx, staff="desk", patient_id=practice.other_patient_id, visit_type="follow-up",
               provider_id=practice.baker, location_id=practice.location_id, start=THU_TEN)
    assert refused.value.reason == "every exam room at Test Clinic is in use then"
