"""SQLite's overlap triggers compare block times as text, which is time order only in the one
form frontdesk stores ('YYYY-MM-DD HH:MM:SS.ffffff', UTC): the database refuses any other form,
so a raw writer cannot slip an overlapping appointment past the guard with 'T', an offset or a
number. Revision 0006 rewrites rows already stored in another form as the same instant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, col, select

from frontdesk.db import migrate
from frontdesk.db.engine import OverlapError
from frontdesk.db.models import Appointment
from frontdesk.db.schema import TIME_FORM_MESSAGE
from frontdesk.services.context import Context
from tests.db.test_no_double_booking import START, _raw_insert
from tests.practice import SEEN_VISITS, Practice, build_practice

# START (15:00 UTC, 09:00 in Tulsa) is booked 15:00-15:30; each pair below is 15:15-15:45, so
# it overlaps, written in a form whose text sorts apart from the stored one
OVERLAPPING = [
    ("2027-03-11T15:15:00.000000", "2027-03-11T15:45:00.000000"),
    ("2027-03-11T15:15:00+00:00", "2027-03-11T15:45:00+00:00"),
    ("2027-03-11 09:15:00-06:00", "2027-03-11 09:45:00-06:00"),
    (2461476.135416667, 2461476.15625),  # Julian day numbers
]

NOT_STORED_FORM = [
    "2027-03-12T15:00:00.000000",
    "2027-03-12 15:00:00.000000+00:00",
    "2027-03-12 15:00:00.000000Z",
    "2027-03-12 15:00:00",
    "2027-03-12 15:00:00.000",
    "2027-03-12 15:00:00.0000000",
    " 2027-03-12 15:00:00.00000",
    "2027-02-30 15:00:00.000000",  # no such day
    "2027-03-12 24:00:00.000000",
    "2027-03-12 15:60:00.000000",
    "1805475600",  # a Unix time, as text
]


@pytest.fixture
def booked(sqlite_ctx: Context) -> Practice:
    """The test practice on SQLite with Dr. Able's procedure suite booked 15:00-15:30."""
    practice = build_practice(sqlite_ctx)
    _raw_insert(sqlite_ctx, practice, START)
    return practice


def _insert_copy(engine: Engine, start: object, end: object, of: int | None = None) -> None:
    """Appointment ``of`` (default: the last one, the fixture's booking) again, at the given
    block times, as a raw writer would send them."""
    if of is None:
        with engine.connect() as conn:
            of = int(conn.execute(text("SELECT max(id) FROM appointment")).scalar_one())
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO appointment (patient_id, visit_type_id, provider_id, location_id, "
            "room_id, starts_at, ends_at, block_start, block_end, status, booked_by_id, "
            "booked_at, late_cancel, version, updated_at) "
            "SELECT patient_id, visit_type_id, provider_id, location_id, room_id, :start, :end, "
            ":start, :end, status, booked_by_id, booked_at, late_cancel, version, updated_at "
            "FROM appointment WHERE id = :of"), {"start": start, "end": end, "of": of})


def _stored(engine: Engine) -> list[tuple[object, object]]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT block_start, block_end FROM appointment ORDER BY id"))
        return [(a, b) for a, b in rows]


@pytest.mark.parametrize(("start", "end"), OVERLAPPING)
def test_sqlite_refuses_an_overlap_written_in_another_time_form(
    sqlite_ctx: Context, booked: Practice, start: object, end: object
) -> None:
    kept = _stored(sqlite_ctx.engine)
    with pytest.raises(DBAPIError, match=TIME_FORM_MESSAGE):
        _insert_copy(sqlite_ctx.engine, start, end)
    assert _stored(sqlite_ctx.engine) == kept


@pytest.mark.parametrize("value", NOT_STORED_FORM)
def test_sqlite_refuses_block_times_not_in_the_stored_form(
    sqlite_ctx: Context, booked: Practice, value: str
) -> None:
    """Refused whatever the status, free time or not; the same instant in the stored form is
    taken."""
    kept = _stored(sqlite_ctx.engine)
    for start, end in ((value, "2027-03-12 15:30:00.000000"),
                       ("2027-03-12 14:00:00.000000", value)):
        with pytest.raises(DBAPIError, match=TIME_FORM_MESSAGE):
            _insert_copy(sqlite_ctx.engine, start, end)
        with pytest.raises(DBAPIError, match=TIME_FORM_MESSAGE), \
                sqlite_ctx.engine.begin() as conn:
            conn.execute(text("UPDATE appointment SET status = 'cancelled', block_start = :s, "
                              "block_end = :e WHERE id = (SELECT max(id) FROM appointment)"),
                         {"s": start, "e": end})
    assert _stored(sqlite_ctx.engine) == kept
    _insert_copy(sqlite_ctx.engine, "2027-03-12 15:00:00.000000", "2027-03-12 15:30:00.000000")


@pytest.mark.parametrize(("start", "end"), [
    ("2027-03-12 23:59:59.999999", "2027-03-13 00:30:00.000000"),
    ("2028-02-29 15:00:00.000000", "2028-02-29 15:00:00.000001"),
    ("2027-12-31 23:30:00.000000", "2028-01-01 00:00:00.000000"),
])
def test_sqlite_takes_any_instant_in_the_stored_form(
    sqlite_ctx: Context, booked: Practice, start: str, end: str
) -> None:
    _insert_copy(sqlite_ctx.engine, start, end)
    assert _stored(sqlite_ctx.engine)[-1] == (start, end)


def _alembic(engine: Engine, action: str, revision: str) -> None:
    config = migrate._config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, action)(config, revision)


def test_upgrade_rewrites_block_times_stored_in_another_form(
    sqlite_ctx: Context, booked: Practice
) -> None:
    """Rows a raw writer slipped past the guard before revision 0006 keep their instants, in
    the stored form, and the guard then sees them."""
    engine = sqlite_ctx.engine
    _alembic(engine, "downgrade", "0005")
    for start, end in OVERLAPPING[1:3]:  # (a number is not a time the app can read)
        _insert_copy(engine, start, end)
    _insert_copy(engine, "2027-03-12 16:00:00Z", "2027-03-12 16:30:00.5")

    _alembic(engine, "upgrade", "head")
    assert _stored(engine)[SEEN_VISITS:] == [
        ("2027-03-11 15:00:00.000000", "2027-03-11 15:30:00.000000")] + [
        ("2027-03-11 15:15:00.000000", "2027-03-11 15:45:00.000000")] * 2 + [
        ("2027-03-12 16:00:00.000000", "2027-03-12 16:30:00.500000")]
    with Session(engine) as session:
        rows = session.exec(select(Appointment).order_by(col(Appointment.id))).all()
        assert rows[-1].block_end == datetime(2027, 3, 12, 16, 30, 0, 500000, tzinfo=UTC)
    with pytest.raises(OverlapError):  # the app's own form, overlapping a rewritten row
        _raw_insert(sqlite_ctx, booked, START + timedelta(minutes=40))


def test_upgrade_stops_at_a_block_time_that_is_not_a_time(
    sqlite_ctx: Context, booked: Practice
) -> None:
    engine = sqlite_ctx.engine
    _alembic(engine, "downgrade", "0005")
    _insert_copy(engine, "2027-03-13 15:00:00.000000", "soon")
    copy = SEEN_VISITS + 2  # after the practice's first visits and the fixture's booking
    with pytest.raises(ValueError,
                       match=f"appointment {copy} has a block time that is not a date"):
        _alembic(engine, "upgrade", "head")
    assert migrate.current_revision(engine) == "0005"
    assert _stored(engine)[copy - 1] == ("2027-03-13 15:00:00.000000", "soon")
