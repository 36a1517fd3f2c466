"""``frontdesk patients …``: find, add and edit patients; their payers against the list."""

from __future__ import annotations

import click

from frontdesk.cli.identity import acting_as
from frontdesk.cli.options import json_option
from frontdesk.cli.output import clean, emit, table
from frontdesk.cli.parsing import parse_day, practice_today, resolve_location
from frontdesk.cli.runtime import Runtime


@click.group("patients")
def patients_group() -> None:
    """Find, add and edit patients; their payers against the practice's payer list."""


@patients_group.command("find")
@click.argument("text")
@click.option("--limit", type=click.IntRange(1, 200), default=20, show_default=True)
@acting_as()
@json_option
@click.pass_obj
def patients_find(runtime: Runtime, text: str, limit: int, staff: str) -> None:
    """Find patients by phone (any format), date of birth or name parts. The audit log records
    who searched, and how many were found (never what was typed)."""
    from frontdesk.services import directory, payers

    ctx = runtime.context()
    found = directory.find_patients(ctx, text, limit=limit)
    directory.record_listed(ctx, staff=staff, command="patients find", rows=len(found))
    emit(runtime, found, table(
        ["ID", "NAME", "BORN", "PHONE", "PAYER"],
        [(p.id, f"{p.last_name}, {p.first_name}", p.dob.isoformat(),
          directory.display_phone(p.phone), payers.payer_label(ctx, p)) for p in found],
    ) if found else "No patients match.")


@patients_group.command("add")
@click.option("--name", required=True, metavar="TEXT", help="'First Last' or 'Last, First'.")
@click.option("--dob", required=True, metavar="DATE", help="Date of birth, e.g. 1970-05-17.")
@click.option("--phone", required=True, metavar="TEXT", help="Phone, e.g. 918-555-0142.")
@click.option("--location", metavar="NAME|ID", help="Preferred location.")
@click.option("--payer", metavar="PLAN", help="A plan from `frontdesk payers` (its key, name "
                                              "or a name people type), e.g. Medicare.")
@click.option("--member-id", metavar="TEXT", help="The member id on the insurance card.")
@acting_as()
@json_option
@click.pass_obj
def patients_add(runtime: Runtime, name: str, dob: str, phone: str, location: str | None,
                 payer: str | None, member_id: str | None, staff: str) -> None:
    """Add a patient."""
    from frontdesk.services import directory

    ctx = runtime.context()
    born = parse_day(dob, field_name="dob", today=practice_today(ctx))
    place = resolve_location(ctx, location).name if location is not None else None
    patient = directory.add_patient(ctx, staff=staff, name=name, dob=born, phone=phone,
                                    location=place, payer=payer, member_id=member_id)
    emit(runtime, patient,
         f"Added patient {patient.id}: {clean(patient.full_name)}, born {patient.dob}, "
         f"{directory.display_phone(patient.phone)}")


@patients_group.command("edit")
@click.argument("patient_id", type=int, metavar="ID")
@click.option("--payer", required=True, metavar="PLAN",
              help="A plan from `frontdesk payers` (its key, name or a name people type).")
@click.option("--member-id", metavar="TEXT", help="The member id on the insurance card.")
@acting_as()
@json_option
@click.pass_obj
def patients_edit(runtime: Runtime, patient_id: int, payer: str, member_id: str | None,
                  staff: str) -> None:
    """Set a patient's payer (a plan from the practice's list) and member id. Audited."""
    from frontdesk.services import payers

    ctx = runtime.context()
    patient = payers.set_payer(ctx, staff=staff, patient_id=patient_id, payer=payer,
                               member_id=member_id)
    emit(runtime, patient, f"Patient {patient.id}: payer {payers.payer_label(ctx, patient)}"
                           + (", member id updated" if member_id is not None else ""))


@patients_group.command("payers")
@click.option("--map", "map_", is_flag=True,
              help="Store the plan of every patient whose payer text names one exactly "
                   "(manager or admin).")
@click.option("--limit", type=click.IntRange(1, 1000), default=200, show_default=True,
              help="At most this many unrecognised patients listed.")
@acting_as()
@json_option
@click.pass_obj
def patients_payers(runtime: Runtime, map_: bool, limit: int, staff: str) -> None:
    """Patients' payers against the practice's payer list: the payer texts on file of patients
    with no plan chosen (and the plan each names), then the patients whose payer is not
    recognised, to fix with `patients edit ID --payer PLAN`. The audit log records who listed
    them and how many."""
    from frontdesk.services import directory, payers

    ctx = runtime.context()
    mapped = payers.map_payers(ctx, staff=staff) if map_ else None
    census = payers.census(ctx, limit=limit)
    directory.record_listed(ctx, staff=staff, command="patients payers",
                            rows=len(census.unrecognised))
    if runtime.as_json:
        emit(runtime, {"mapped": mapped, "chosen": census.chosen, "texts": [
            {"text": t.text, "patients": t.patients, "plan": t.plan.key if t.plan else None}
            for t in census.texts], "unrecognised": list(census.unrecognised)}, "")
        return
    lines = [] if mapped is None else [f"Mapped {mapped} patient(s) to their plan.", ""]
    lines.append(f"{census.chosen} patient(s) have a plan from the list.")
    if census.texts:
        lines += ["", "Payer text on file (no plan chosen yet):", table(
            ["PATIENTS", "TEXT", "PLAN"],
            [(t.patients, t.text or "(none)", t.plan.name if t.plan else "NOT RECOGNISED")
             for t in census.texts])]
    if census.unrecognised:
        lines += ["", "Not recognised — payer rules are not checked for these patients "
                      "(fix: frontdesk patients edit ID --payer PLAN):", table(
            ["ID", "NAME", "BORN", "PAYER ON FILE"],
            [(p.id, f"{p.last_name}, {p.first_name}", p.dob.isoformat(), p.payer or "(none)")
             for p in census.unrecognised])]
    click.echo("\n".join(lines))
