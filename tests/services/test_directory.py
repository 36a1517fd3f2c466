"""Patients, locations and providers: validation names the field and writes nothing."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from frontdesk.db.models import AuditEvent, Patient
from frontdesk.services import directory as d
from frontdesk.services import scheduling
from frontdesk.services.context import Context
from frontdesk.services.errors import InvalidInput
from tests.practice import Practice


def patients(ctx: Context) -> int:
    with Session(ctx.engine) as session:
        return int(session.exec(select(func.count()).select_from(Patient)).one())


def add(ctx: Context, **kw: object) -> d.PatientView:
    args: dict[str, object] = dict(staff="desk", name="Riley Q. Fakename", dob=date(1961, 2, 3),
                                   phone="(918) 555-0199", location="test", payer="Aetna")
    args.update(kw)
    return d.add_patient(ctx, **args)  # type: ignore[arg-type]


def test_add_patient_stores_e164_and_audits(ctx: Context, practice: Practice) -> None:
    patient = add(ctx)
    assert patient.first_name == "Riley Q."
    assert patient.last_name == "Fakename"
    assert patient.phone == "+19185550199"
    assert patient.preferred_location_id == practice.location_id
    with Session(ctx.engine) as session:
        event = session.exec(select(AuditEvent)).one()
    assert event.action == "patient.create"
    assert "Fakename" not in str(event.after)  # no patient details in the audit payload


def test_last_comma_first(ctx: Context, practice: Practice) -> None:
    patient = add(ctx, name="Fakename, Riley")
    assert (patient.first_name, patient.last_name) == ("Riley", "Fakename")


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "Cher"}, "name"),
        ({"name": "Robert'); DROP TABLE patient;--"}, "name"),
        ({"name": "A " + "b" * 61}, "name"),
        ({"dob": date(2031, 1, 1)}, "dob"),
        ({"dob": date(1880, 1, 1)}, "dob"),
        ({"phone": "12"}, "phone"),
        ({"phone": "not a phone"}, "phone"),
        ({"phone": "555-0199"}, "phone"),
        ({"phone": "9" * 10000}, "phone"),
        ({"location": "Atlantis"}, "location"),
        ({"payer": "x" * 61}, "payer"),
        ({"staff": "nobody"}, "as"),
    ],
)
def test_bad_patient_input_names_the_field(ctx: Context, practice: Practice,
                                           kw: dict[str, object], field: str) -> None:
    before = patients(ctx)
    with pytest.raises(InvalidInput) as bad:
        add(ctx, **kw)
    assert bad.value.field == field
    assert patients(ctx) == before


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("testcase", ["Testcase"]),
        ("cas test", ["Testcase"]),
        ("918-555-0111", ["Testcase"]),
        ("(918) 555 0122", ["Sample"]),
        ("+1 918 555 0122", ["Sample"]),
        ("1970-05-17", ["Testcase"]),
        ("5/17/1970", ["Testcase"]),
        ("zzz", []),
        ("%", []),
        ("'; DROP TABLE patient;--", []),
    ],
)
def test_find_by_name_phone_or_birth_date(ctx: Context, practice: Practice, text: str,
                                          found: list[str]) -> None:
    assert [p.last_name for p in d.find_patients(ctx, text)] == found


@pytest.mark.parametrize(
    ("text", "found"),
    [
        pytest.param("Testcsae", ["Testcase"], id="letters-swapped"),
        pytest.param("tescase", ["Testcase"], id="letter-missing"),
        pytest.param("jordan sampel", ["Sample"], id="first-and-misspelt-last"),
        pytest.param("Sampel, Jordan", ["Sample"], id="last-comma-first"),
        pytest.param("Smith", [], id="a-different-name-is-not-a-typo"),
        pytest.param("xq", [], id="too-short-to-guess"),
    ],
)
def test_names_heard_over_the_phone_are_found_despite_typos(
    ctx: Context, practice: Practice, text: str, found: list[str]
) -> None:
    assert [p.last_name for p in d.find_patients(ctx, text)] == found


def test_exact_matches_come_before_near_ones(ctx: Context, practice: Practice) -> None:
    d.add_patient(ctx, staff="desk", name="Casey Testcaso", dob=date(1971, 1, 2),
                  phone="918-555-0133")
    assert [p.last_name for p in d.find_patients(ctx, "testcase")] == ["Testcase", "Testcaso"]


def test_find_needs_text(ctx: Context, practice: Practice) -> None:
    with pytest.raises(InvalidInput, match="type a name"):
        d.find_patients(ctx, "  ")


def test_location_by_prefix_and_provider_by_part(ctx: Context, practice: Practice) -> None:
    assert d.find_location(ctx, "TEST clinic").id == practice.location_id
    assert d.find_location(ctx, "tes").id == practice.location_id
    assert d.find_location(ctx, "clin").id == practice.location_id  # a unique part will do
    assert d.find_provider(ctx, "able").id == practice.able
    assert d.find_provider(ctx, str(practice.baker)).id == practice.baker
    with pytest.raises(InvalidInput) as bad:
        d.find_provider(ctx, "a")  # matches more than one
    assert bad.value.field == "provider"


def test_lists(ctx: Context, practice: Practice) -> None:
    assert [loc.name for loc in d.locations(ctx)] == ["Test Clinic"]
    able = next(p for p in d.providers(ctx) if p.id == practice.able)
    assert "facet-diagnostic" in able.visit_type_codes
    massage = next(v for v in d.visit_types(ctx) if v.code == "massage")
    assert massage.provider_ids == (practice.cole,)
    assert [s.username for s in d.staff(ctx)] == ["desk", "sched", "mgr", "boss"]
    assert len(d.rooms(ctx)) == 4


def test_opening_a_record_is_audited_and_needs_a_real_person(
    ctx: Context, practice: Practice
) -> None:
    start = scheduling.find_slots(ctx, visit_type="follow-up", limit=1)[0]
    appt = scheduling.book(ctx, staff=practice.staff, patient_id=practice.patient_id,
                           visit_type="follow-up", provider_id=start.provider_id,
                           location_id=start.location_id, start=start.start)
    d.record_opened(ctx, staff=practice.staff, appointment_id=appt.id)
    with pytest.raises(InvalidInput, match="no active staff member"):
        d.record_opened(ctx, staff="nobody", appointment_id=appt.id)
    with pytest.raises(InvalidInput, match="no appointment"):
        d.record_opened(ctx, staff=practice.staff, appointment_id=appt.id + 1000)
    with Session(ctx.engine) as session:
        opened = session.exec(select(AuditEvent).where(AuditEvent.action == "patient.open")).all()
    assert [(e.entity, e.entity_id, e.after) for e in opened] == [
        ("patient", practice.patient_id, {"appointment_id": appt.id})]
