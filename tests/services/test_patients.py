"""Patient records kept right, on SQLite and PostgreSQL: an edit of every detail against the
version seen (every bad detail reported at once, nothing written; a stale version refused;
the audit names the details, never their values), the possible duplicates of a new patient,
and two records of one person merged with nothing lost.

The frozen clock is Wed 2027-03-10 09:00 in Tulsa.
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func
from sqlmodel import Session, col, select

from frontdesk.db.engine import run_write
from frontdesk.db.models import (
    Appointment,
    AuditEvent,
    Call,
    CallbackTask,
    Outreach,
    Patient,
    ReliefReport,
    WaitlistEntry,
)
from frontdesk.services import calls, directory, payers, record
from frontdesk.services import scheduling as s
from frontdesk.services.context import Context
from frontdesk.services.errors import (
    InvalidDetails,
    InvalidInput,
    MergedAway,
    NotAllowed,
    PossibleDuplicates,
    StalePatient,
)
from frontdesk.services.pathway import PayerRulesBroken
from frontdesk.services.patients.duplicates import possible_duplicates, similar_names
from frontdesk.services.patients.edit import edit_patient
from frontdesk.services.patients.merge import counts, merge_patients
from frontdesk.services.payers import BrokenPlan
from tests.conftest import FrozenClock
from tests.practice import Practice

CHICAGO = ZoneInfo("America/Chicago")
MAR11 = datetime(2027, 3, 11, 10, tzinfo=CHICAGO).astimezone(UTC)
MAR18 = datetime(2027, 3, 18, 10, tzinfo=CHICAGO).astimezone(UTC)
WARNINGS = ("duplicate", "relief-pending", "same-day")
EVERYTHING: dict[str, Any] = {
    "name": "Jordan Sample-Reyes", "dob": date(1982, 11, 3), "phone": "(918) 555-0190",
    "mobile": "918.555.0191", "sms_consent": True, "email": "Jordan@Example.COM",
    "address": "12  Placeholder   Ave, Apt 3", "city": "Broken Arrow", "state": "ok",
    "zip": "740121234", "location": "test clinic", "payer": "medicare b",
    "member_id": "1EG4-TE5-MK72", "alerts": ("blood-thinners", "interpreter"),
    "alert_note": "Prefers  afternoons",
}


def row(ctx: Context, patient_id: int) -> Patient:
    with Session(ctx.engine) as session:
        found = session.get(Patient, patient_id)
        assert found is not None
        session.expunge(found)
        return found


def events(ctx: Context, action: str) -> list[AuditEvent]:
    with Session(ctx.engine) as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)
                                 .order_by(col(AuditEvent.id))).all())


def audit_count(ctx: Context) -> int:
    with Session(ctx.engine) as session:
        return int(session.exec(select(func.count()).select_from(AuditEvent)).one())


def details(p: Patient) -> dict[str, Any]:
    return {k: v for k, v in p.model_dump().items() if k not in ("created_at",)}


# --------------------------------------------------------------------------- editing


def test_every_detail_is_edited_in_one_audited_transaction(
    ctx: Context, practice: Practice, clock: FrozenClock,
) -> None:
    jordan = practice.other_patient_id
    before = row(ctx, jordan)
    clock.advance(minutes=5)
    edited = edit_patient(ctx, staff="desk", patient_id=jordan, version=before.version,
                          **EVERYTHING)
    after = row(ctx, jordan)
    assert (after.first_name, after.last_name, after.dob) == (
        "Jordan", "Sample-Reyes", date(1982, 11, 3))
    assert (after.phone, after.mobile, after.sms_consent) == (
        "+19185550190", "+19185550191", True)
    assert (after.email, after.address, after.city, after.state, after.zip) == (
        "Jordan@example.com", "12 Placeholder Ave, Apt 3", "Broken Arrow", "OK", "74012-1234")
    assert after.preferred_location_id == practice.location_id
    assert (after.payer_key, after.payer, after.member_id) == (
        "medicare", "Medicare Part B (Novitas)", "1EG4-TE5-MK72")
    assert (after.alerts, after.alert_note) == (["interpreter", "blood-thinners"],
                                                "Prefers afternoons")
    assert (after.version, after.updated_at) == (before.version + 1, clock())
    assert (edited.version, edited.alerts) == (after.version, ("interpreter", "blood-thinners"))
    (event,) = events(ctx, "patient.edit")
    assert event.entity_id == jordan
    assert event.before == {"version": before.version}
    assert event.after == {"fields": list(EVERYTHING), "version": before.version + 1}
    trail = str(event.before) + str(event.after)
    for value in ("Reyes", "555", "example", "Placeholder", "Broken", "74012", "1EG4",
                  "afternoons", "1982"):
        assert value not in trail  # the details changed are named, never their values


def test_an_edit_changing_nothing_writes_nothing(ctx: Context, practice: Practice) -> None:
    before = details(row(ctx, practice.patient_id))
    same = edit_patient(ctx, staff="desk", patient_id=practice.patient_id, version=None,
                        name="Casey Testcase", phone="918-555-0111")
    assert same.version == before["version"]
    assert details(row(ctx, practice.patient_id)) == before
    assert events(ctx, "patient.edit") == []
    with pytest.raises(InvalidInput, match="nothing to change"):
        edit_patient(ctx, staff="desk", patient_id=practice.patient_id, version=None)


def test_every_bad_detail_is_reported_at_once_and_nothing_is_written(
    ctx: Context, practice: Practice,
) -> None:
    jordan = practice.other_patient_id
    before, trail = details(row(ctx, jordan)), audit_count(ctx)
    with pytest.raises(InvalidDetails) as refused:
        edit_patient(ctx, staff="desk", patient_id=jordan, version=None,
                     name="Jordan 2", dob=date(2030, 1, 1), phone="12", mobile="555",
                     email="jordan@", state="XX", zip="7401", location="Nowhere",
                     payer="Medcare", member_id="12;DROP", alerts=("parking",),
                     alert_note="x" * 201, city="Tulsa 9", address="ok")
    fields = [f for f, _ in refused.value.problems]
    assert fields == ["name", "dob", "phone", "mobile", "email", "city", "state", "zip",
                      "location", "payer", "member_id", "alerts", "alert_note"]
    reasons = dict(refused.value.problems)
    assert reasons["zip"].startswith("a ZIP code is 5 digits")
    assert reasons["payer"].startswith("'Medcare' is not in the practice's payer list")
    assert "12" not in reasons["phone"]  # a typed number is a patient's detail: not repeated
    assert details(row(ctx, jordan)) == before
    assert audit_count(ctx) == trail


def test_text_consent_needs_a_mobile_and_goes_with_it(ctx: Context, practice: Practice) -> None:
    jordan = practice.other_patient_id
    with pytest.raises(InvalidDetails) as refused:
        edit_patient(ctx, staff="desk", patient_id=jordan, version=None, sms_consent=True)
    assert refused.value.problems == (
        ("sms_consent", "text messages need a mobile number: add the mobile first"),)
    edit_patient(ctx, staff="desk", patient_id=jordan, version=None, mobile="918-555-0191",
                 sms_consent=True)
    edited = edit_patient(ctx, staff="desk", patient_id=jordan, version=None, mobile="")
    assert (edited.mobile, edited.sms_consent) == ("", False)
    assert events(ctx, "patient.edit")[-1].after == {"fields": ["mobile", "sms_consent"],
                                                     "version": edited.version}


def test_a_new_mobile_or_email_clears_its_consent_unless_given_again_with_it(
    ctx: Context, practice: Practice,
) -> None:
    """A consent is to the number or address it was given for: reminders must not go to a
    new one nobody agreed to."""
    jordan = practice.other_patient_id
    given = edit_patient(ctx, staff="desk", patient_id=jordan, version=None,
                         mobile="918-555-0191", sms_consent=True,
                         email="jordan@example.com", email_consent=True)
    assert (given.sms_consent, given.email_consent) == (True, True)
    same = edit_patient(ctx, staff="desk", patient_id=jordan, version=None,
                        mobile="918.555.0191", email="jordan@example.com", city="Tulsa")
    assert (same.sms_consent, same.email_consent) == (True, True)  # the same ones
    moved = edit_patient(ctx, staff="desk", patient_id=jordan, version=None,
                         mobile="918-555-0192", email="jordan@example.org")
    assert (moved.sms_consent, moved.email_consent) == (False, False)
    again = edit_patient(ctx, staff="desk", patient_id=jordan, version=None,
                         mobile="918-555-0193", sms_consent=True,
                         email="jo@example.org", email_consent=True)
    assert (again.sms_consent, again.email_consent) == (True, True)


@pytest.mark.parametrize("address", ["josé@example.com", "a>b@example.com", '"a b"@example.com',
                                     "a..b@example.com", ".a@example.com", "a@b@example.com"])
def test_an_email_address_a_mail_server_cannot_take_as_it_is_is_refused(
    ctx: Context, practice: Practice, address: str,
) -> None:
    with pytest.raises(InvalidDetails, match="an email address looks like name@example.com"):
        edit_patient(ctx, staff="desk", patient_id=practice.other_patient_id, version=None,
                     email=address)
    kept = edit_patient(ctx, staff="desk", patient_id=practice.other_patient_id,
                        version=None, email="o'brien+rem@example.com")
    assert kept.email == "o'brien+rem@example.com"


def test_an_edit_against_a_version_changed_meanwhile_is_refused(
    ctx: Context, practice: Practice,
) -> None:
    jordan = practice.other_patient_id
    seen = directory.get_patient(ctx, jordan)
    payers.set_payer(ctx, staff="desk", patient_id=jordan, payer="Aetna")  # someone else
    before, trail = details(row(ctx, jordan)), audit_count(ctx)
    with pytest.raises(StalePatient, match="changed by someone else meanwhile") as stale:
        edit_patient(ctx, staff="desk", patient_id=jordan, version=seen.version,
                     email="jordan@example.com")
    assert stale.value.current.version == seen.version + 1
    assert stale.value.current.payer_key == "aetna"
    assert (details(row(ctx, jordan)), audit_count(ctx)) == (before, trail)
    again = edit_patient(ctx, staff="desk", patient_id=jordan,
                         version=stale.value.current.version, email="jordan@example.com")
    assert again.version == seen.version + 2


def test_a_new_payer_whose_rules_break_a_booked_procedure_needs_an_overrider(
    ctx: Context, practice: Practice,
) -> None:
    riley = directory.add_patient(ctx, staff="desk", name="Riley Specimen",
                                  dob=date(1948, 4, 9), phone="918-555-0144", payer="Self-pay")
    booked = s.book(ctx, staff="desk", patient_id=riley.id, visit_type="facet-diagnostic",
                    provider_id=practice.able, location_id=practice.location_id, start=MAR11,
                    region="lumbar", levels="L3-L4, L4-L5, L5-S1", side="left",
                    ordered_by_physician=True, accept_warnings=WARNINGS)
    with pytest.raises(NotAllowed, match=rf"procedure\(s\) {booked.id} break"):
        edit_patient(ctx, staff="desk", patient_id=riley.id, version=None, payer="Medicare",
                     email="riley@example.com")
    assert (row(ctx, riley.id).payer_key, row(ctx, riley.id).email) == ("self-pay", "")
    trail = audit_count(ctx)
    # a scheduler may sign for it, but only with a reason: nobody signs off in silence
    with pytest.raises(BrokenPlan, match="at most 2 levels per session") as refused:
        edit_patient(ctx, staff="sched", patient_id=riley.id, version=None, payer="Medicare")
    assert refused.value.may_override is True
    assert [(v.appointment_id, v.rules) for v in refused.value.visits] == [
        (booked.id, ("levels",))]
    assert "needs an override reason" in str(refused.value)
    assert (row(ctx, riley.id).payer_key, audit_count(ctx)) == ("self-pay", trail)
    edited = edit_patient(ctx, staff="sched", patient_id=riley.id, version=None,
                          payer="Medicare", override_reason="Physician ordered all three")
    assert edited.overridden_visits == (booked.id,)
    assert events(ctx, "patient.edit")[-1].after == {
        "fields": ["payer"], "version": riley.version + 1, "broken_visits": [booked.id]}
    (signed,) = [e for e in events(ctx, "payer.override") if e.entity_id == booked.id]
    assert signed.after is not None
    assert (signed.after["rules"], signed.after["reason"]) == (
        ["levels"], "Physician ordered all three")
    from frontdesk.services.audit import audit_events

    said = {e.action: e.summary for e in audit_events(ctx, by="mgr")}
    assert said["patient.edit"] == (f"changed the record of patient {riley.id}: payer; payer "
                                    f"rules overridden for visit {booked.id}")


def test_an_empty_payer_is_refused_by_an_edit(ctx: Context, practice: Practice) -> None:
    with pytest.raises(InvalidDetails, match="payer: name a plan"):
        edit_patient(ctx, staff="desk", patient_id=practice.patient_id, version=None,
                     payer=" ")


# --------------------------------------------------------------------------- duplicates


@pytest.mark.parametrize(("first", "last", "same"), [
    ("Casey", "Testcase", True),
    ("Testcase", "Casey", True),  # first and last swapped
    ("Casy", "Testcase", True),  # a typo heard over the phone
    ("Cas", "Testcase", True),  # a short form of the first name
    ("Casey", "Placeholder", True),  # a new last name, same first name and birthday
    ("Morgan", "Testcase", False),  # a twin
    ("Avery", "Quinn", False),
])
def test_similar_names(first: str, last: str, same: bool) -> None:
    assert similar_names(first, last, "Casey", "Testcase") is same


def test_possible_duplicates_by_name_and_birth_date_or_phone(
    ctx: Context, practice: Practice,
) -> None:
    casey, jordan = practice.patient_id, practice.other_patient_id
    by_name = possible_duplicates(ctx, "Casy", "Testcase", date(1970, 5, 17), "918-555-0199")
    assert [(d.patient.id, d.reasons) for d in by_name] == [
        (casey, ("same birth date, similar name",))]
    assert possible_duplicates(ctx, "Casy", "Testcase", date(1970, 5, 18), "918-555-0199") == []
    by_phone = possible_duplicates(ctx, "Avery", "Quinn", date(1990, 1, 1), "(918) 555-0122")
    assert [(d.patient.id, d.reasons) for d in by_phone] == [(jordan, ("same phone",))]
    edit_patient(ctx, staff="desk", patient_id=casey, version=None, mobile="918-555-0177")
    on_mobile = possible_duplicates(ctx, "Avery", "Quinn", date(1990, 1, 1), "918-555-0199",
                                    mobile="918 555 0177")
    assert [d.patient.id for d in on_mobile] == [casey]
    both = possible_duplicates(ctx, "Casey", "Testcase", date(1970, 5, 17), "918-555-0122")
    assert [(d.patient.id, d.reasons) for d in both] == [
        (casey, ("same birth date, similar name",)), (jordan, ("same phone",))]


def test_adding_someone_who_looks_known_shows_the_candidates_first(
    ctx: Context, practice: Practice,
) -> None:
    trail = audit_count(ctx)
    with Session(ctx.engine) as session:
        patients = session.exec(select(func.count()).select_from(Patient)).one()
    with pytest.raises(PossibleDuplicates) as shown:
        directory.add_patient(ctx, staff="desk", name="Testcase, Casy", dob=date(1970, 5, 17),
                              phone="918-555-0199", mobile="918-555-0122")
    assert [(d.patient.id, d.reasons) for d in shown.value.candidates] == [
        (practice.patient_id, ("same birth date, similar name",)),
        (practice.other_patient_id, ("same phone",))]
    assert "Casey" not in str(shown.value)
    assert "Testcase" not in str(shown.value)
    with Session(ctx.engine) as session:
        assert session.exec(select(func.count()).select_from(Patient)).one() == patients
    assert audit_count(ctx) == trail
    added = directory.add_patient(ctx, staff="desk", name="Testcase, Casy",
                                  dob=date(1970, 5, 17), phone="918-555-0199",
                                  mobile="918-555-0122", sms_consent=True, email="c@example.com",
                                  address="1 Test Way", city="Tulsa", state="OK", zip="74101",
                                  alerts=["driver"], alert_note="Walker", confirmed_new=True)
    assert (added.mobile, added.sms_consent, added.zip, added.alerts) == (
        "+19185550122", True, "74101", ("driver",))
    (created,) = events(ctx, "patient.create")
    assert created.after == {"preferred_location_id": None, "payer": None,
                             "not_these": [practice.patient_id, practice.other_patient_id]}


def test_adding_reports_every_bad_detail_at_once(ctx: Context, practice: Practice) -> None:
    with pytest.raises(InvalidDetails) as refused:
        directory.add_patient(ctx, staff="desk", name="X", dob=date(1990, 1, 1), phone="12",
                              zip="1", alerts=["nope"], sms_consent=True)
    assert [f for f, _ in refused.value.problems] == ["name", "phone", "zip", "alerts",
                                                      "sms_consent"]


# --------------------------------------------------------------------------- merging


def _twin(ctx: Context, clock: FrozenClock, **kw: Any) -> int:
    """A second record of Jordan Sample (born 1982-11-02), as a busy desk makes one."""
    def work(session: Session) -> int:
        values: dict[str, Any] = {"first_name": "Jordon", "last_name": "Sample",
                                  "dob": date(1982, 11, 2), "phone": "+19185550188",
                                  "created_at": clock(), **kw}
        twin = Patient(**values)
        session.add(twin)
        session.flush()
        assert twin.id is not None
        return twin.id

    return run_write(ctx.engine, work)


def _history_of(ctx: Context, practice: Practice, clock: FrozenClock, patient_id: int) -> None:
    """A booked block (with its callback task), a call, a relief report, a worklist's call
    about the block and a wish on the waitlist."""
    s.book(ctx, staff="desk", patient_id=patient_id, visit_type="facet-diagnostic",
           provider_id=practice.able, location_id=practice.location_id, start=MAR11,
           region="lumbar", levels="L4-L5", side="left", ordered_by_physician=True,
           accept_warnings=WARNINGS)
    call = calls.start_call(ctx, staff="desk")
    calls.save_draft(ctx, staff="desk", call_id=call.id, expected_version=call.version,
                     patient_id=patient_id)

    def report(session: Session) -> None:
        session.add(ReliefReport(patient_id=patient_id, procedure="facet-diagnostic",
                                 region="lumbar", percent_relief=80, hours_lasted=4,
                                 reported_at=clock(), taken_by_id=1))
        block = session.exec(select(Appointment).where(
            Appointment.patient_id == patient_id)).one()
        session.add(Outreach(worklist="confirm", patient_id=patient_id,
                             appointment_id=block.id, subject="2027-03-11",
                             outcome="no-answer", at=clock(), staff_id=1))
        session.add(WaitlistEntry(patient_id=patient_id, visit_type_id=block.visit_type_id,
                                  appointment_id=block.id, created_at=clock(),
                                  created_by_id=1))

    run_write(ctx.engine, report)


def test_a_merge_moves_everything_and_loses_nothing(
    ctx: Context, practice: Practice, clock: FrozenClock,
) -> None:
    keep = practice.other_patient_id
    other = _twin(ctx, clock, mobile="+19185550189", sms_consent=True, email="j@example.com",
                  address="9 Sample St", city="Tulsa", state="OK", zip="74103",
                  alerts=["interpreter"], payer="Aetna", payer_key="aetna", member_id="W1")
    _history_of(ctx, practice, clock, other)
    with Session(ctx.engine) as session:
        before_keep, before_other = counts(session, keep), counts(session, other)
        totals = {t: session.exec(select(func.count()).select_from(m)).one()
                  for t, m in (("a", Appointment), ("c", Call), ("r", ReliefReport),
                               ("t", CallbackTask), ("o", Outreach), ("w", WaitlistEntry),
                               ("p", Patient))}
    assert before_other == {"appointments": 1, "calls": 1, "relief_reports": 1,
                            "callbacks": 1, "outreach": 1, "waitlist_entries": 1}
    result = merge_patients(ctx, staff="mgr", keep_id=keep, other_id=other)
    assert result.moved == {**before_other, "merged_records": 0}
    assert result.filled == ("mobile", "email", "address", "alerts")
    assert result.left == ("name", "phone", "payer", "member_id")
    with Session(ctx.engine) as session:
        assert counts(session, other) == {k: 0 for k in before_other}
        assert counts(session, keep) == {k: before_keep[k] + before_other[k]
                                         for k in before_keep}
        assert {t: session.exec(select(func.count()).select_from(m)).one()
                for t, m in (("a", Appointment), ("c", Call), ("r", ReliefReport),
                             ("t", CallbackTask), ("o", Outreach), ("w", WaitlistEntry),
                             ("p", Patient))} == totals  # nothing lost
    kept, gone = row(ctx, keep), row(ctx, other)
    assert (kept.mobile, kept.sms_consent, kept.email, kept.zip, kept.alerts) == (
        "+19185550189", True, "j@example.com", "74103", ["interpreter"])
    assert (kept.phone, kept.first_name) == ("+19185550122", "Jordan")  # its own stay
    assert (kept.payer, kept.member_id) == ("Cash", "")  # its own payer, not empty, stays
    assert (gone.merged_into_id, gone.first_name, gone.email) == (keep, "Jordon",
                                                                  "j@example.com")
    (event,) = events(ctx, "patient.merge")
    assert event.after == {"keep_id": keep, "other_id": other, "moved": result.moved,
                           "filled": list(result.filled), "left": list(result.left),
                           "forced": False}
    # the merged-away record is found no more, and says where it went
    assert [p.id for p in directory.find_patients(ctx, "sample")] == [keep]
    assert [p.id for p in directory.find_patients(ctx, "jordon sampel")] == [keep]
    # its phone finds the record it was merged into (a caller on their old number)
    assert [p.id for p in directory.find_patients(ctx, "918-555-0188")] == [keep]
    assert possible_duplicates(ctx, "Jordon", "Sample", date(1982, 11, 2), "918-555-0188") \
        == possible_duplicates(ctx, "Jordan", "Sample", date(1982, 11, 2), "918-555-0100")
    with pytest.raises(MergedAway, match=f"patient {other} was merged into patient {keep}"):
        directory.get_patient(ctx, other)
    with pytest.raises(MergedAway):
        record.caller_record(ctx, by="desk", patient_id=other)
    with pytest.raises(MergedAway):
        edit_patient(ctx, staff="desk", patient_id=other, version=None, email="x@example.com")
    with pytest.raises(MergedAway):
        s.book(ctx, staff="desk", patient_id=other, visit_type="follow-up",
               provider_id=practice.able, location_id=practice.location_id, start=MAR18)
    seen = record.caller_record(ctx, by="desk", patient_id=keep)
    assert [a.start for a in seen.upcoming] == [MAR11]


def test_the_merged_visits_count_for_the_kept_patient_under_the_payer_rules(
    ctx: Context, practice: Practice, clock: FrozenClock,
) -> None:
    keep = directory.add_patient(ctx, staff="desk", name="Riley Specimen",
                                 dob=date(1948, 4, 9), phone="918-555-0144", payer="Medicare")
    other = directory.add_patient(ctx, staff="desk", name="Rilee Specimen",
                                  dob=date(1948, 4, 9), phone="918-555-0145",
                                  payer="Medicare", confirmed_new=True)
    s.book(ctx, staff="desk", patient_id=other.id, visit_type="facet-diagnostic",
           provider_id=practice.able, location_id=practice.location_id, start=MAR11,
           region="lumbar", levels="L4-L5", side="left", ordered_by_physician=True,
           accept_warnings=WARNINGS)
    merge_patients(ctx, staff="boss", keep_id=keep.id, other_id=other.id)
    with pytest.raises(PayerRulesBroken, match="a second diagnostic block needs a first one"):
        s.book(ctx, staff="desk", patient_id=keep.id, visit_type="facet-diagnostic",
               provider_id=practice.able, location_id=practice.location_id, start=MAR18,
               region="lumbar", levels="L4-L5", side="left", ordered_by_physician=True,
               accept_warnings=WARNINGS)


def test_merges_that_are_refused_write_nothing(
    ctx: Context, practice: Practice, clock: FrozenClock,
) -> None:
    keep = practice.other_patient_id
    other = _twin(ctx, clock)
    stranger = practice.patient_id  # another birth date
    trail = audit_count(ctx)
    with pytest.raises(NotAllowed, match="merging two patient records needs a manager or "
                                         "admin"):
        merge_patients(ctx, staff="sched", keep_id=keep, other_id=other)
    with pytest.raises(InvalidInput, match="cannot be merged into itself"):
        merge_patients(ctx, staff="mgr", keep_id=keep, other_id=keep)
    with pytest.raises(InvalidInput, match="different birth dates"):
        merge_patients(ctx, staff="mgr", keep_id=keep, other_id=stranger)
    with pytest.raises(InvalidInput, match="no patient with id 999"):
        merge_patients(ctx, staff="mgr", keep_id=keep, other_id=999)
    assert audit_count(ctx) == trail
    assert row(ctx, stranger).merged_into_id is None
    merge_patients(ctx, staff="mgr", keep_id=keep, other_id=other)
    with pytest.raises(InvalidInput, match=f"patient {other} was already merged into"):
        merge_patients(ctx, staff="mgr", keep_id=stranger, other_id=other)
    with pytest.raises(MergedAway):
        merge_patients(ctx, staff="mgr", keep_id=other, other_id=stranger)
    forced = merge_patients(ctx, staff="mgr", keep_id=keep, other_id=stranger, force=True)
    assert forced.forced is True
    assert events(ctx, "patient.merge")[-1].after["forced"] is True  # type: ignore[index]


def test_records_merged_earlier_follow_the_record_they_were_merged_into(
    ctx: Context, practice: Practice, clock: FrozenClock,
) -> None:
    keep = practice.other_patient_id
    first, second = _twin(ctx, clock), _twin(ctx, clock, phone="+19185550187")
    merge_patients(ctx, staff="mgr", keep_id=second, other_id=first)
    result = merge_patients(ctx, staff="mgr", keep_id=keep, other_id=second)
    assert result.moved["merged_records"] == 1
    assert row(ctx, first).merged_into_id == keep
    with pytest.raises(MergedAway, match=f"merged into patient {keep}"):
        directory.get_patient(ctx, first)


def test_the_audit_trail_tells_edits_and_merges_in_plain_words(
    ctx: Context, practice: Practice, clock: FrozenClock,
) -> None:
    from frontdesk.services.audit import audit_events

    keep = practice.other_patient_id
    edit_patient(ctx, staff="desk", patient_id=keep, version=None, email="j@example.com",
                 alert_note="Walker")
    other = _twin(ctx, clock, payer="Aetna", payer_key="aetna")
    _history_of(ctx, practice, clock, other)
    merge_patients(ctx, staff="mgr", keep_id=keep, other_id=other)
    said = {e.action: e.summary for e in audit_events(ctx, by="mgr")}
    assert said["patient.edit"] == f"changed the record of patient {keep}: email, alert note"
    assert said["patient.merge"] == (
        f"merged patient {other} into patient {keep}; moved 1 appointments, 1 calls, "
        f"1 relief reports, 1 callbacks, 1 outreach, 1 waitlist entries; left on patient "
        f"{other}: name, payer")
    assert "example" not in str(said)


def test_the_trail_of_a_kept_record_holds_the_merged_records_own_events(
    ctx: Context, practice: Practice, clock: FrozenClock,
) -> None:
    from frontdesk.services.audit import audit_events

    keep = practice.other_patient_id
    other = _twin(ctx, clock)
    edit_patient(ctx, staff="desk", patient_id=other, version=None, email="j@example.com")
    merge_patients(ctx, staff="mgr", keep_id=keep, other_id=other)
    trail = audit_events(ctx, by="mgr", patient_id=keep)
    assert [(e.action, e.entity_id) for e in trail] == [
        ("patient.merge", keep), ("patient.edit", other)]
    assert trail[0].summary.startswith(f"merged patient {other} into patient {keep}")


def test_two_edits_at_once_never_lose_one(ctx: Context, practice: Practice) -> None:
    """Another desk's edit holds the record (its transaction still open) while this one saves
    against the same version: this one waits, then finds the record changed."""
    jordan = practice.other_patient_id
    holding, release = threading.Event(), threading.Event()

    def other_desk(session: Session) -> None:
        row = session.get(Patient, jordan)
        assert row is not None
        row.email, row.version = "other@example.com", row.version + 1
        session.add(row)
        session.flush()
        holding.set()
        release.wait(30)

    other = threading.Thread(target=run_write, args=(ctx.engine, other_desk))
    other.start()
    assert holding.wait(30)
    outcome: list[object] = []

    def this_desk() -> None:
        try:
            outcome.append(edit_patient(ctx, staff="desk", patient_id=jordan, version=1,
                                        email="this@example.com"))
        except StalePatient as exc:
            outcome.append(exc)

    mine = threading.Thread(target=this_desk)
    mine.start()
    mine.join(0.5)  # give it time to reach the record (it finds it held, and waits)
    release.set()
    other.join(30)
    mine.join(30)
    assert len(outcome) == 1
    assert isinstance(outcome[0], StalePatient)
    assert (row(ctx, jordan).email, row(ctx, jordan).version) == ("other@example.com", 2)


# --------------------------------------------------------------------------- attacker review


@pytest.mark.parametrize("bad", ["\x1b[2J", "\x07", "\x7f", "\x85", "\u202e", "\u2066", "\t",
                                 "\n", "\x1c"])
def test_free_text_details_refuse_control_characters(
    ctx: Context, practice: Practice, bad: str,
) -> None:
    jordan = practice.other_patient_id
    before = details(row(ctx, jordan))
    with pytest.raises(InvalidDetails) as refused:
        edit_patient(ctx, staff="desk", patient_id=jordan, version=None,
                     name=f"Jordan Sam{bad}ple", email=f"jordan{bad}@example.com",
                     address=f"12 Test{bad} Ave", city=f"Tul{bad}sa", state=f"OK{bad}",
                     zip=f"74101{bad}", member_id=f"W1{bad}", alert_note=f"Walker{bad}",
                     phone=f"918-555-0190{bad}", mobile=f"918{bad}555-0191")
    reasons = dict(refused.value.problems)
    lines = bad in "\t\n"  # an address or a note may come over lines: they become spaces
    assert list(reasons) == ["name", "phone", "mobile", "email",
                             *([] if lines else ["address", "city"]), "state", "zip",
                             "member_id", *([] if lines else ["alert_note"])]
    assert all("control characters" in reason for reason in reasons.values())
    assert details(row(ctx, jordan)) == before
    with pytest.raises(InvalidDetails, match="email: control characters"):
        directory.add_patient(ctx, staff="desk", name="Avery Quinn", dob=date(1950, 2, 3),
                              phone="918-555-0177", email=f"a{bad}@example.com")


def test_the_domain_check_refuses_controls_and_keeps_plain_text() -> None:
    from frontdesk.domain.patients import DetailError, check_alert_note, check_plain

    assert check_plain("address", "12 Rue de l'Église, Apt 3") == "12 Rue de l'Église, Apt 3"
    assert check_alert_note("Prefers  afternoons") == "Prefers afternoons"
    for bad in ("\x00", "\x1f", "\x7f", "\x9b", "\u202a", "\u202d", "\u2069"):
        with pytest.raises(DetailError, match="control characters"):
            check_plain("address", f"a{bad}b")


def _set_member(ctx: Context, patient_id: int, **values: Any) -> None:
    def work(session: Session) -> None:
        found = session.get(Patient, patient_id)
        assert found is not None
        for key, value in values.items():
            setattr(found, key, value)
        found.version += 1
        session.add(found)

    run_write(ctx.engine, work)


def test_setting_the_payer_checks_the_version_seen_and_keeps_a_newer_member_id(
    ctx: Context, practice: Practice,
) -> None:
    jordan = practice.other_patient_id
    seen = directory.get_patient(ctx, jordan)  # the payer dialog opens: member id empty
    edit_patient(ctx, staff="desk", patient_id=jordan, version=seen.version, payer="Aetna",
                 member_id="NEW-1")  # another desk meanwhile
    before, trail = details(row(ctx, jordan)), audit_count(ctx)
    with pytest.raises(StalePatient) as stale:
        payers.set_payer(ctx, staff="desk", patient_id=jordan, payer="Medicare",
                         member_id=seen.member_id, version=seen.version)
    assert stale.value.current.member_id == "NEW-1"
    assert (details(row(ctx, jordan)), audit_count(ctx)) == (before, trail)
    # without a version, the member id pre-filled (as seen) does not overwrite the newer one
    done = payers.set_payer(ctx, staff="desk", patient_id=jordan, payer="Medicare",
                            member_id=seen.member_id, seen_member_id=seen.member_id)
    assert (done.payer_key, done.member_id) == ("medicare", "NEW-1")
    assert events(ctx, "patient.payer")[-1].after == {"payer": "medicare",
                                                      "member_id_changed": False}
    typed = payers.set_payer(ctx, staff="desk", patient_id=jordan, payer="Medicare",
                             member_id="TYPED-2", seen_member_id="NEW-1",
                             version=done.version)
    assert (typed.member_id, typed.version) == ("TYPED-2", done.version + 1)


def test_a_member_id_alone_does_not_recheck_the_plans_rules(
    ctx: Context, practice: Practice,
) -> None:
    riley = directory.add_patient(ctx, staff="desk", name="Riley Specimen",
                                  dob=date(1948, 4, 9), phone="918-555-0144", payer="Self-pay")
    s.book(ctx, staff="desk", patient_id=riley.id, visit_type="facet-diagnostic",
           provider_id=practice.able, location_id=practice.location_id, start=MAR11,
           region="lumbar", levels="L3-L4, L4-L5, L5-S1", side="left",
           ordered_by_physician=True, accept_warnings=WARNINGS)
    _set_member(ctx, riley.id, payer_key="medicare", payer="Medicare Part B (Novitas)")
    done = payers.set_payer(ctx, staff="desk", patient_id=riley.id, payer="Medicare",
                            member_id="1EG4TE5MK72")
    assert (done.member_id, done.overridden_visits) == ("1EG4TE5MK72", ())


def test_a_payer_change_breaking_a_procedure_needs_an_overriders_reason(
    ctx: Context, practice: Practice,
) -> None:
    riley = directory.add_patient(ctx, staff="desk", name="Riley Specimen",
                                  dob=date(1948, 4, 9), phone="918-555-0144", payer="Self-pay")
    booked = s.book(ctx, staff="desk", patient_id=riley.id, visit_type="facet-diagnostic",
                    provider_id=practice.able, location_id=practice.location_id, start=MAR11,
                    region="lumbar", levels="L3-L4, L4-L5, L5-S1", side="left",
                    ordered_by_physician=True, accept_warnings=WARNINGS)
    trail = audit_count(ctx)
    with pytest.raises(BrokenPlan, match=rf"procedure\(s\) {booked.id} break .*levels"):
        payers.set_payer(ctx, staff="mgr", patient_id=riley.id, payer="Medicare")
    assert (row(ctx, riley.id).payer_key, audit_count(ctx)) == ("self-pay", trail)
    done = payers.set_payer(ctx, staff="mgr", patient_id=riley.id, payer="Medicare",
                            override_reason="Three levels ordered", version=riley.version)
    assert done.overridden_visits == (booked.id,)
    assert events(ctx, "patient.payer")[-1].after == {
        "payer": "medicare", "member_id_changed": False, "broken_visits": [booked.id]}
    assert [e.entity_id for e in events(ctx, "payer.override")] == [booked.id]
    from frontdesk.services.audit import audit_events

    said = {e.action: e.summary for e in audit_events(ctx, by="mgr")}
    assert said["patient.payer"].endswith(f"payer rules overridden for visit {booked.id}")


def test_a_merge_refuses_visits_of_the_two_records_at_the_same_time(
    ctx: Context, practice: Practice, clock: FrozenClock,
) -> None:
    keep = practice.other_patient_id
    other = _twin(ctx, clock)
    mine = s.book(ctx, staff="desk", patient_id=keep, visit_type="follow-up",
                  provider_id=practice.able, location_id=practice.location_id, start=MAR11,
                  ordered_by_physician=True, accept_warnings=WARNINGS)
    theirs = s.book(ctx, staff="desk", patient_id=other, visit_type="follow-up",
                    provider_id=practice.baker, location_id=practice.location_id,
                    start=MAR11, ordered_by_physician=True, accept_warnings=WARNINGS)
    trail = audit_count(ctx)
    with pytest.raises(InvalidInput, match=rf"visit {mine.id} \(Thu Mar 11 10:00 at Test "
                                           rf"Clinic\) overlaps visit {theirs.id}.*move or "
                                           "cancel one first"):
        merge_patients(ctx, staff="mgr", keep_id=keep, other_id=other)
    assert (row(ctx, other).merged_into_id, audit_count(ctx)) == (None, trail)
    with Session(ctx.engine) as session:
        assert counts(session, other)["appointments"] == 1
    s.cancel(ctx, staff="desk", appointment_id=theirs.id, reason="booked twice")
    merge_patients(ctx, staff="mgr", keep_id=keep, other_id=other)


def test_a_merge_breaking_the_kept_records_payer_rules_needs_an_overriders_reason(
    ctx: Context, practice: Practice,
) -> None:
    keep = directory.add_patient(ctx, staff="desk", name="Riley Specimen",
                                 dob=date(1948, 4, 9), phone="918-555-0144", payer="Medicare")
    other = directory.add_patient(ctx, staff="desk", name="Rilee Specimen",
                                  dob=date(1948, 4, 9), phone="918-555-0145",
                                  payer="Self-pay", confirmed_new=True)
    booked = s.book(ctx, staff="desk", patient_id=other.id, visit_type="facet-diagnostic",
                    provider_id=practice.able, location_id=practice.location_id, start=MAR11,
                    region="lumbar", levels="L3-L4, L4-L5, L5-S1", side="left",
                    ordered_by_physician=True, accept_warnings=WARNINGS)
    trail = audit_count(ctx)
    with pytest.raises(BrokenPlan, match="this merge anyway needs an override reason"):
        merge_patients(ctx, staff="mgr", keep_id=keep.id, other_id=other.id)
    assert (row(ctx, other.id).merged_into_id, audit_count(ctx)) == (None, trail)
    done = merge_patients(ctx, staff="mgr", keep_id=keep.id, other_id=other.id,
                          override_reason="Physician ordered three levels")
    assert done.overridden_visits == (booked.id,)
    (event,) = events(ctx, "patient.merge")
    assert event.after is not None
    assert event.after["broken_visits"] == [booked.id]
    (signed,) = events(ctx, "payer.override")
    assert (signed.entity, signed.entity_id) == ("appointment", booked.id)


def test_a_merge_carries_the_other_phone_and_notes_and_names_what_it_left(
    ctx: Context, practice: Practice, clock: FrozenClock,
) -> None:
    keep = practice.other_patient_id
    edit_patient(ctx, staff="desk", patient_id=keep, version=None, email="a@example.com",
                 alert_note="Walker", alerts=("driver",))
    other = _twin(ctx, clock, email="b@example.com", alert_note="Hard of hearing",
                  alerts=["interpreter"], address="9 Sample St", city="Tulsa")
    result = merge_patients(ctx, staff="mgr", keep_id=keep, other_id=other)
    kept = row(ctx, keep)
    assert (kept.mobile, kept.sms_consent) == ("+19185550188", False)  # its phone, no texts
    assert kept.alert_note == "Walker; Hard of hearing"
    assert kept.alerts == ["interpreter", "driver"]
    assert result.filled == ("address", "alert_note", "mobile", "alerts")
    assert result.left == ("name", "email")
    assert events(ctx, "patient.merge")[-1].after["left"] == ["name", "email"]  # type: ignore[index]
    assert "b@example" not in str(events(ctx, "patient.merge")[-1].after)
    # both numbers find the kept record, as a phone or a mobile
    assert [p.id for p in directory.find_patients(ctx, "918-555-0188")] == [keep]
    assert [p.id for p in directory.find_patients(ctx, "(918) 555-0122")] == [keep]


def test_a_search_by_phone_finds_a_mobile(ctx: Context, practice: Practice) -> None:
    edit_patient(ctx, staff="desk", patient_id=practice.patient_id, version=None,
                 mobile="918-555-0170")
    assert [p.id for p in directory.find_patients(ctx, "918 555 0170")] == [practice.patient_id]


def test_a_booking_during_a_merge_waits_and_then_finds_the_record_merged_away(
    ctx: Context, practice: Practice, clock: FrozenClock,
) -> None:
    """A merge holds both patients' locks (the one booking takes) until it commits: a booking
    for the record being merged away waits, then is refused, never booked on a record nobody
    finds any more."""
    from frontdesk.db import queries as q
    from frontdesk.services.patients.lookup import locked

    keep, other = practice.other_patient_id, _twin(ctx, clock)
    holding, release = threading.Event(), threading.Event()

    def merging(session: Session) -> None:  # a merge between its locks and its commit
        for pid in sorted((keep, other)):
            q.lock_patient(session, pid)
        rows = {pid: locked(session, pid) for pid in sorted((keep, other))}
        gone = rows[other]
        assert gone is not None
        gone.merged_into_id, gone.version = keep, gone.version + 1
        session.add(gone)
        session.flush()
        holding.set()
        release.wait(30)

    merger = threading.Thread(target=run_write, args=(ctx.engine, merging))
    merger.start()
    assert holding.wait(30)
    outcome: list[object] = []

    def booking() -> None:
        try:
            outcome.append(s.book(ctx, staff="desk", patient_id=other, visit_type="follow-up",
                                  provider_id=practice.able,
                                  location_id=practice.location_id, start=MAR18,
                                  ordered_by_physician=True, accept_warnings=WARNINGS))
        except MergedAway as exc:
            outcome.append(exc)

    desk = threading.Thread(target=booking)
    desk.start()
    desk.join(0.5)  # give it time to reach the patient (it finds them held, and waits)
    release.set()
    merger.join(30)
    desk.join(30)
    assert len(outcome) == 1
    assert isinstance(outcome[0], MergedAway), outcome
    with Session(ctx.engine) as session:
        assert counts(session, other)["appointments"] == 0
