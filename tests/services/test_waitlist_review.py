"""The waitlist, reviewed: the report's drill-down of entries and offers (their own tables,
audited), the report's lines at one location, the accept that moves a held visit only as the
desk last saw it, and a merge that carries the entries to the record kept.

Same practice and frozen clock as tests/services/test_waitlist.py (Wed 2027-03-10 09:00 in
Tulsa; Dr. Able and Pat Baker work Mon-Fri at Test Clinic).
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, col, select

from frontdesk.db.models import AuditEvent
from frontdesk.services import scheduling
from frontdesk.services.context import Context
from frontdesk.services.errors import InvalidInput, NotAllowed, StaleAppointment
from frontdesk.services.report import drill
from frontdesk.services.report.values import DrillKind
from frontdesk.services.worklists import waitlist as wl
from frontdesk.services.worklists.waitlist import OfferOutcome
from tests.practice import Practice
from tests.services.test_waitlist import entry_row, follow_up, local, outreach, patient


def last_audit(ctx: Context) -> AuditEvent:
    with Session(ctx.engine) as session:
        found = session.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc())).first()
        assert found is not None
        return found


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_reports_waitlist_figures_drill_into_entries_and_offers(
    ctx: Context, practice: Practice
) -> None:
    p = practice
    held = follow_up(ctx, p, local(31, 10), p.other_patient_id)
    holds = wl.add(ctx, staff=p.staff, patient_id=p.other_patient_id, appointment_id=held.id,
                   until=date(2027, 4, 2)).entry
    fresh = wl.add(ctx, staff=p.scheduler, patient_id=p.patient_id,
                   visit_type="follow-up").entry
    wl.record_offer(ctx, staff=p.staff, entry_id=holds.id, outcome=OfferOutcome.DECLINED,
                    start=local(11, 10), provider_id=p.able, location_id=p.location_id)
    lines = {line.label: line.figure for line in
             wl.report_lines(ctx, by=p.manager, day=date(2027, 3, 10))}
    waiting, offers = lines["Still waiting"], lines["Offers made"]
    assert (waiting.kind, offers.kind) == (DrillKind.WAITLIST, DrillKind.OUTREACH)

    entries = drill(ctx, waiting, by=p.manager)

    assert entries.headers == ("Since", "Patient", "Wants", "Holds", "Until", "Now",
                               "Added by")
    assert [(r[1], r[2], r[3], r[4], r[5]) for r in entries.rows] == [
        (_name(ctx, p.other_patient_id), "Follow-up", "Wed 03/31 10:00", "Fri 04/02",
         "waiting"),
        (_name(ctx, p.patient_id), "Follow-up", "no visit yet", "", "waiting")]
    assert entries.appointment_ids == (held.id, None)
    seen = last_audit(ctx)
    assert (seen.action, seen.after["rows"]) == ("patient.list", 2)
    assert "Waitlist entries" in seen.after["command"]
    assert [e.id for e in wl.waiting(ctx, by=p.staff)] == [holds.id, fresh.id]

    offered = drill(ctx, offers, by=p.manager)

    assert offered.headers == ("At", "Patient", "Offered", "Outcome", "By")
    assert offered.rows == ((
        "Wed 03/10 09:00", _name(ctx, p.other_patient_id),
        "Thu 03/11 10:00 · Dr. Avery Able · Test Clinic", "declined", "Dana Desk"),)
    assert offered.appointment_ids == (held.id,)
    assert last_audit(ctx).after["rows"] == 1
    with pytest.raises(NotAllowed):
        drill(ctx, offers, by=p.staff)  # the names are for who may read the report


def _name(ctx: Context, patient_id: int) -> str:
    from frontdesk.db.models import Patient

    with Session(ctx.engine) as session:
        row = session.get(Patient, patient_id)
        assert row is not None
        return f"{row.first_name} {row.last_name}"


def test_accept_moves_the_held_visit_only_as_the_offer_saw_it_and_only_earlier(
    ctx: Context, practice: Practice
) -> None:
    p = practice
    held = follow_up(ctx, p, local(31, 10), p.patient_id)
    entry = wl.add(ctx, staff=p.staff, patient_id=p.patient_id, appointment_id=held.id).entry
    with pytest.raises(InvalidInput, match="not earlier"):
        wl.accept(ctx, staff=p.staff, entry_id=entry.id, start=local(31, 14),
                  provider_id=p.able, location_id=p.location_id)
    # someone moves the visit meanwhile: the offer read the old one
    scheduling.reschedule(ctx, staff=p.scheduler, appointment_id=held.id,
                          start=local(30, 10), provider_id=p.able, location_id=p.location_id)
    with pytest.raises(StaleAppointment):
        wl.accept(ctx, staff=p.staff, entry_id=entry.id, start=local(11, 10),
                  provider_id=p.able, location_id=p.location_id, held_version=held.version,
                  expected_version=entry.version)
    # the wish changed meanwhile (only Mondays now): the offer for a Thursday is refused
    wl.add(ctx, staff=p.staff, patient_id=p.patient_id, appointment_id=held.id, weekdays=[0])
    with pytest.raises(InvalidInput, match="changed meanwhile"):
        wl.accept(ctx, staff=p.staff, entry_id=entry.id, start=local(11, 10),
                  provider_id=p.able, location_id=p.location_id,
                  expected_version=entry.version)
    assert entry_row(ctx, entry.id).status == "waiting"
    assert scheduling.get_appointment(ctx, held.id).start == local(30, 10)


def test_a_merge_carries_the_entries_to_the_record_kept_once_per_visit_type(
    ctx: Context, practice: Practice
) -> None:
    from frontdesk.services.patients.merge import merge_patients

    p = practice
    keep, other = patient(ctx, "Keeper", seen=p), patient(ctx, "Keeper", seen=p)
    kept = wl.add(ctx, staff=p.staff, patient_id=keep, visit_type="follow-up").entry
    twin = wl.add(ctx, staff=p.staff, patient_id=other, visit_type="follow-up").entry
    moved = wl.add(ctx, staff=p.staff, patient_id=other, visit_type="med-management").entry
    wl.record_offer(ctx, staff=p.staff, entry_id=moved.id, outcome=OfferOutcome.NO_ANSWER,
                    start=local(11, 10), provider_id=p.able, location_id=p.location_id)

    merge_patients(ctx, staff=p.manager, keep_id=keep, other_id=other)

    merged = last_audit(ctx)
    assert merged.action == "patient.merge"
    assert merged.after["moved"]["waitlist_entries"] == 2  # each also audited on its own
    assert merged.after["moved"]["outreach"] == 1
    listed = wl.waiting(ctx, by=p.staff)
    assert [(e.id, e.patient_id) for e in listed] == [(kept.id, keep), (moved.id, keep)]
    gone = entry_row(ctx, twin.id)
    assert (gone.patient_id, gone.status) == (keep, "removed")
    assert "merged into patient" in gone.note
    assert [o.patient_id for o in outreach(ctx)] == [keep]
    booked = wl.accept(ctx, staff=p.staff, entry_id=moved.id, start=local(11, 10),
                       provider_id=p.able, location_id=p.location_id)
    assert booked.patient_id == keep


def test_the_report_counts_offers_where_the_time_was_and_refills_of_freed_time_still_kept(
    ctx: Context, practice: Practice
) -> None:
    p = practice
    elsewhere = second_location(ctx)
    here = wl.add(ctx, staff=p.staff, patient_id=p.patient_id, visit_type="follow-up").entry
    there = wl.add(ctx, staff=p.staff, patient_id=p.other_patient_id,
                   visit_type="follow-up").entry
    wl.record_offer(ctx, staff=p.staff, entry_id=there.id, outcome=OfferOutcome.DECLINED,
                    start=local(11, 10), provider_id=p.able, location_id=elsewhere)
    kept = wl.accept(ctx, staff=p.staff, entry_id=here.id, start=local(11, 10),
                     provider_id=p.able, location_id=p.location_id, refill=True)
    later = patient(ctx, "Later", seen=p)
    undone_entry = wl.add(ctx, staff=p.staff, patient_id=later, visit_type="follow-up").entry
    undone = wl.accept(ctx, staff=p.staff, entry_id=undone_entry.id, start=local(11, 14),
                       provider_id=p.able, location_id=p.location_id, refill=True)
    scheduling.cancel(ctx, staff=p.staff, appointment_id=undone.id, reason="changed mind")
    # an open time found for an entry books it, but fills no freed time
    found = patient(ctx, "Found", seen=p)
    open_entry = wl.add(ctx, staff=p.staff, patient_id=found, visit_type="follow-up").entry
    wl.accept(ctx, staff=p.staff, entry_id=open_entry.id, start=local(12, 14),
              provider_id=p.able, location_id=p.location_id)

    def figures(location_id: int | None) -> dict[str, tuple[int, ...]]:
        return {line.label: line.figure.ids for line in wl.report_lines(
            ctx, by=p.manager, day=date(2027, 3, 10), location_id=location_id)}

    at_clinic, at_other, everywhere = (figures(p.location_id), figures(elsewhere),
                                       figures(None))
    # a refill let go since fills nothing; an offer counts where its time was
    assert at_clinic["Slots refilled"] == everywhere["Slots refilled"] == (kept.id,)
    assert at_other["Slots refilled"] == ()
    assert len(at_clinic["Offers made"]) == 3
    assert len(at_other["Offers made"]) == 1
    assert len(everywhere["Offers made"]) == 4
    assert at_other["Still waiting"] == tuple(
        e.id for e in wl.waiting(ctx, by=p.staff, location_id=elsewhere)) == (there.id,)


def second_location(ctx: Context) -> int:
    from frontdesk.db.engine import run_write
    from frontdesk.db.models import Location

    def work(session: Session) -> int:
        row = Location(name="Second Site", address="2 Test Way, Tulsa, OK 74101",
                       phone="+19185550101", timezone="America/Chicago")
        session.add(row)
        session.flush()
        assert row.id is not None
        return row.id

    return run_write(ctx.engine, work)


def test_reading_the_list_or_matches_of_patients_is_audited_once(
    ctx: Context, practice: Practice
) -> None:
    p = practice
    wl.add(ctx, staff=p.staff, patient_id=p.patient_id, visit_type="follow-up")
    wl.waiting(ctx, by=p.staff)
    seen = last_audit(ctx)
    assert (seen.action, seen.after) == ("patient.list", {"command": "waitlist", "rows": 1})
    before = seen.id
    wl.waiting(ctx, by=p.staff, audit=False)
    wl.report_lines(ctx, by=p.manager, day=date(2027, 3, 10))  # counts: no names shown
    assert last_audit(ctx).id == before
    opened = wl.OpenedTime(p.able, p.location_id, local(11, 10), local(11, 11))
    assert wl.match(ctx, by=p.staff, opened=opened)
    seen = last_audit(ctx)
    assert (seen.action, seen.after) == ("patient.list",
                                         {"command": "waitlist matches", "rows": 1})


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_long_waitlist_checks_only_the_best_candidates_against_the_booking(
    ctx: Context, practice: Practice, monkeypatch: pytest.MonkeyPatch
) -> None:
    from frontdesk.services.worklists.waitlist import matching

    p = practice
    made = [wl.add(ctx, staff=p.staff, patient_id=patient(ctx, f"Wait{n:02d}"),
                   visit_type="med-management").entry for n in range(40)]
    checked: list[int] = []
    real = matching.refused

    def counting(session: Session, ctx_: Context, entry: wl.WaitlistView,
                 *args: object) -> str | None:
        checked.append(entry.id)
        return real(session, ctx_, entry, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(matching, "refused", counting)
    opened = wl.OpenedTime(p.able, p.location_id, local(11, 10), local(11, 11))

    found = wl.match(ctx, by=p.staff, opened=opened, limit=5)

    assert [m.entry.id for m in found] == [e.id for e in made[:5]]  # longest waiting first
    assert len(checked) == 5  # not forty


def test_an_entry_taken_off_while_its_offer_is_booked_undoes_the_booking(
    ctx: Context, practice: Practice, monkeypatch: pytest.MonkeyPatch
) -> None:
    from frontdesk.services.worklists.waitlist import offers

    p = practice
    entry = wl.add(ctx, staff=p.staff, patient_id=p.patient_id, visit_type="follow-up").entry
    # the accept read the entry waiting; the desk took it off before the booking was written
    monkeypatch.setattr(offers, "get", lambda _ctx, _id: entry)
    wl.remove(ctx, staff=p.scheduler, entry_id=entry.id, reason="found a time elsewhere")

    with pytest.raises(InvalidInput, match="removed already"):
        wl.accept(ctx, staff=p.staff, entry_id=entry.id, start=local(11, 10),
                  provider_id=p.able, location_id=p.location_id)

    with Session(ctx.engine) as session:
        from frontdesk.db.models import Appointment

        assert session.exec(select(Appointment).where(
            Appointment.patient_id == p.patient_id, Appointment.status == "booked")).all() == []
    assert outreach(ctx) == []
    with pytest.raises(InvalidInput, match="time zone"):
        wl.record_offer(ctx, staff=p.staff, entry_id=entry.id, outcome="no-answer",
                        start=local(11, 10).replace(tzinfo=None), provider_id=p.able,
                        location_id=p.location_id)


def test_a_wish_for_a_visit_type_whose_time_is_held_is_refused_until_it_is_booked(
    ctx: Context, practice: Practice
) -> None:
    p = practice
    hold = scheduling.book(ctx, staff=p.staff, patient_id=p.patient_id, visit_type="follow-up",
                           provider_id=p.able, location_id=p.location_id, start=local(31, 10),
                           hold=True, accept_warnings=scheduling.WARNING_CODES)
    with pytest.raises(InvalidInput, match="a time is held for them"):
        wl.add(ctx, staff=p.staff, patient_id=p.patient_id, visit_type="follow-up")
    booked = scheduling.confirm_hold(ctx, staff=p.staff, appointment_id=hold.id)

    entry = wl.add(ctx, staff=p.staff, patient_id=p.patient_id, appointment_id=booked.id).entry

    assert entry.held is not None
    moved = wl.accept(ctx, staff=p.staff, entry_id=entry.id, start=local(11, 10),
                      provider_id=p.able, location_id=p.location_id)
    assert moved.id == booked.id  # moved, not a second visit
