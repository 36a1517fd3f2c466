"""Which visit types fit one start, provider and location — the day view's 'book here' offer.

Run on SQLite and PostgreSQL. The frozen clock is Wed 2027-03-10 09:00 in Tulsa (minimum
notice 60 minutes); Dr. Able and Pat Baker work 08:00-12:00 and 13:00-17:00 on weekdays.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from frontdesk.db.engine import run_write
from frontdesk.db.models import Closure
from frontdesk.services import scheduling as s
from frontdesk.services.context import Context
from frontdesk.services.errors import InvalidInput
from tests.practice import PROCEDURES, SPINE, Practice

THU_TEN = datetime(2027, 3, 11, 16, 0, tzinfo=UTC)  # Thu 10:00 local
PHYSICIAN = ("new-patient", "follow-up", "facet-diagnostic", "facet-therapeutic", "rfa-consult",
             "rfa", "trigger-point", "med-management")


def fit(ctx: Context, p: Practice, start: datetime, provider: int | None = None) -> s.SlotFit:
    return s.fitting_visit_types(ctx, provider_id=provider or p.able,
                                 location_id=p.location_id, start=start)


def test_free_working_time_offers_every_visit_the_provider_performs(
    ctx: Context, practice: Practice
) -> None:
    assert fit(ctx, practice, THU_TEN) == s.SlotFit(PHYSICIAN)
    baker = fit(ctx, practice, THU_TEN, practice.baker).visit_codes
    assert baker == ("new-patient", "follow-up", "trigger-point", "med-management")


def test_near_the_end_of_the_hours_only_short_visits_fit(
    ctx: Context, practice: Practice
) -> None:
    eleven_thirty = THU_TEN + timedelta(minutes=90)  # 30 minutes before lunch
    assert fit(ctx, practice, eleven_thirty).visit_codes == (
        "follow-up", "facet-diagnostic", "facet-therapeutic", "rfa-consult", "trigger-point",
        "med-management")  # not the 60-minute new-patient visit or RFA
    eleven_forty_five = THU_TEN + timedelta(minutes=105)
    too_late = fit(ctx, practice, eleven_forty_five)  # even 20 minutes would run into lunch
    assert too_late.visit_codes == ()
    assert too_late.reason.startswith("that time is not within Dr. Avery Able's hours")
    off_grid = fit(ctx, practice, THU_TEN + timedelta(minutes=10))
    assert off_grid == s.SlotFit((), "that time must be on a 15-minute mark")


def test_a_booking_takes_the_overlapping_visits_away(ctx: Context, practice: Practice) -> None:
    s.book(ctx, staff="desk", patient_id=practice.patient_id, visit_type="follow-up",
           provider_id=practice.able, location_id=practice.location_id,
           start=THU_TEN + timedelta(minutes=30))
    codes = fit(ctx, practice, THU_TEN).visit_codes
    assert "follow-up" in codes  # 10:00-10:20 ends before 10:30
    assert "new-patient" not in codes  # 10:00-11:00 would overlap
    taken = fit(ctx, practice, THU_TEN + timedelta(minutes=30))
    assert taken.visit_codes == ()
    assert taken.reason == "Dr. Avery Able or every suitable room is busy then"


def test_a_closure_or_the_past_leaves_nothing_and_says_why(
    ctx: Context, practice: Practice
) -> None:
    def close(session: object) -> None:
        session.add(Closure(kind="holiday", reason="Staff training",  # type: ignore[attr-defined]
                            starts_at=datetime(2027, 3, 11, 6, tzinfo=UTC),
                            ends_at=datetime(2027, 3, 12, 6, tzinfo=UTC)))

    run_write(ctx.engine, close)
    closed = fit(ctx, practice, THU_TEN)
    assert closed.visit_codes == ()
    assert closed.reason == ("that time falls in a closure (a holiday, Dr. Avery Able's time "
                             "off or Test Clinic closed)")
    soon = fit(ctx, practice, datetime(2027, 3, 10, 15, 30, tzinfo=UTC))  # 09:30 today
    assert soon.reason == "that time is inside the minimum notice of 60 minutes"


def test_every_visit_offered_can_really_be_booked_there(ctx: Context, practice: Practice) -> None:
    """The offer and ``book`` run the same checks: each one offered books (then is cancelled).

    The caller pays for themself: Medicare's facet rules are tested in test_payer_rules.
    """
    start = THU_TEN + timedelta(hours=3)  # 13:00 after lunch
    offered = fit(ctx, practice, start).visit_codes
    assert offered == PHYSICIAN
    for code in offered:
        details = SPINE if code in PROCEDURES else {}
        appt = s.book(ctx, staff="desk", patient_id=practice.other_patient_id, visit_type=code,
                      provider_id=practice.able, location_id=practice.location_id, start=start,
                      **details)  # type: ignore[arg-type]
        s.cancel(ctx, staff="desk", appointment_id=appt.id, reason="test")


def test_an_unknown_provider_or_a_naive_time_is_refused(ctx: Context, practice: Practice) -> None:
    with pytest.raises(InvalidInput, match="provider"):
        s.fitting_visit_types(ctx, provider_id=999, location_id=practice.location_id,
                              start=THU_TEN)
    with pytest.raises(InvalidInput, match="start"):
        s.fitting_visit_types(ctx, provider_id=practice.able, location_id=practice.location_id,
                              start=THU_TEN.replace(tzinfo=None))
