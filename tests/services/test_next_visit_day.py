"""What an empty day's board points to, on SQLite and PostgreSQL: the next local day with
visits and how many, never counting holds or cancelled visits."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from frontdesk.services import scheduling
from frontdesk.services.context import Context
from tests.practice import CHICAGO, Practice
from tests.ui.conftest import add_location

FRI, MON, TUE = date(2027, 3, 12), date(2027, 3, 15), date(2027, 3, 16)
TULSA = ZoneInfo(CHICAGO)


def book(ctx: Context, p: Practice, day: date, hour: int, *, location: int | None = None,
         patient: int | None = None) -> int:
    return scheduling.book(ctx, staff=p.staff, patient_id=patient or p.patient_id,
                           visit_type="follow-up", provider_id=p.baker,
                           location_id=location or p.location_id,
                           start=datetime.combine(day, time(hour), TULSA).astimezone(UTC),
                           accept_warnings=scheduling.WARNING_CODES).id


def test_the_next_day_with_visits_and_how_many(ctx: Context, practice: Practice) -> None:
    assert scheduling.next_visit_day(ctx, after=FRI) is None
    book(ctx, practice, MON, 16)  # 16:00 in Tulsa is 21:00 UTC: still Monday there
    book(ctx, practice, MON, 9, patient=practice.other_patient_id)
    cancelled = book(ctx, practice, MON, 10)
    scheduling.cancel(ctx, staff=practice.staff, appointment_id=cancelled, reason="called")
    assert scheduling.next_visit_day(ctx, after=FRI) == (MON, 2)
    assert scheduling.next_visit_day(ctx, after=MON) is None
    assert scheduling.next_visit_day(ctx, after=FRI, within_days=2) is None


def test_only_cancelled_visits_do_not_count(ctx: Context, practice: Practice) -> None:
    cancelled = book(ctx, practice, MON, 9)
    scheduling.cancel(ctx, staff=practice.staff, appointment_id=cancelled, reason="called")
    book(ctx, practice, TUE, 9)
    assert scheduling.next_visit_day(ctx, after=FRI) == (TUE, 1)


def test_one_location_s_next_day(ctx: Context, practice: Practice) -> None:
    owasso = add_location(ctx, practice, "Owasso")
    book(ctx, practice, MON, 9)
    book(ctx, practice, TUE, 17, location=owasso)  # Baker is there 17:00-18:00
    assert scheduling.next_visit_day(ctx, after=FRI, location_ids=[owasso]) == (TUE, 1)
    assert scheduling.next_visit_day(ctx, after=FRI) == (MON, 1)
    assert scheduling.next_visit_day(ctx, after=MON - timedelta(days=1),
                                     location_ids=[practice.location_id]) == (MON, 1)
