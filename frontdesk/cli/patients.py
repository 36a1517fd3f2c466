"""``frontdesk patients …``: find and add patients."""

from __future__ import annotations

import click

from frontdesk.cli.identity import acting_as
from frontdesk.cli.options import json_option
from frontdesk.cli.output import clean, emit, table
from frontdesk.cli.parsing import parse_day, practice_today, resolve_location
from frontdesk.cli.runtime import Runtime


@click.group("patients")
def patients_group() -> None:
    """Find and add patients."""


@patients_group.command("find")
@click.argument("text")
@click.option("--limit", type=click.IntRange(1, 200), default=20, show_default=True)
@acting_as()
@json_option
@click.pass_obj
def patients_find(runtime: Runtime, text: str, limit: int, staff: str) -> None:
    """Find patients by phone (any format), date of birth or name parts. The audit log records
    who searched, and how many were found (never what was typed)."""
    from frontdesk.services import directory

    ctx = runtime.context()
    found = directory.find_patients(ctx, text, limit=limit)
    directory.record_listed(ctx, staff=staff, command="patients find", rows=len(found))
    emit(runtime, found, table(
        ["ID", "NAME", "BORN", "PHONE", "PAYER"],
        [(p.id, f"{p.last_name}, {p.first_name}", p.dob.isoformat(),
          directory.display_phone(p.phone), p.payer) for p in found],
    ) if found else "No patients match.")


@patients_group.command("add")
@click.option("--name", required=True, metavar="TEXT", help="'First Last' or 'Last, First'.")
@click.option("--dob", required=True, metavar="DATE", help="Date of birth, e.g. 1970-05-17.")
@click.option("--phone", required=True, metavar="TEXT", help="Phone, e.g. 918-555-0142.")
@click.option("--location", metavar="NAME|ID", help="Preferred location.")
@click.option("--payer", metavar="NAME", help="Payer, e.g. Medicare.")
@acting_as()
@json_option
@click.pass_obj
def patients_add(runtime: Runtime, name: str, dob: str, phone: str, location: str | None,
                 payer: str | None, staff: str) -> None:
    """Add a patient."""
    from frontdesk.services import directory

    ctx = runtime.context()
    born = parse_day(dob, field_name="dob", today=practice_today(ctx))
    place = resolve_location(ctx, location).name if location is not None else None
    patient = directory.add_patient(ctx, staff=staff, name=name, dob=born, phone=phone,
                                    location=place, payer=payer)
    emit(runtime, patient,
         f"Added patient {patient.id}: {clean(patient.full_name)}, born {patient.dob}, "
         f"{directory.display_phone(patient.phone)}")
