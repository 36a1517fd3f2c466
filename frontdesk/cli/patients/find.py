"""``frontdesk patients find`` and ``patients payers``: finding patients, and their payers
against the practice's payer list."""

from __future__ import annotations

import click

from frontdesk.cli.identity import acting_as
from frontdesk.cli.options import json_option
from frontdesk.cli.output import emit, table
from frontdesk.cli.runtime import Runtime


@click.command("find")
@click.argument("text")
@click.option("--limit", type=click.IntRange(1, 200), default=20, show_default=True)
@acting_as()
@json_option
@click.pass_obj
def patients_find(runtime: Runtime, text: str, limit: int, staff: str) -> None:
    """Find patients by phone (any format), date of birth or name parts. The audit log records
    who searched, and how many were found (never what was typed)."""
    from frontdesk.services.patients.search import display_phone

    light = runtime.light()  # a mapped OS user on SQLite: no database stack to load
    if light is not None:
        from frontdesk.services.light.patients import find_patients

        found = find_patients(light, text, limit=limit)
        light.record_listed(staff=staff, command="patients find", rows=len(found))
        catalogue = light.settings.catalogue
    else:
        from frontdesk.services import directory

        ctx = runtime.context()
        found = directory.find_patients(ctx, text, limit=limit)
        directory.record_listed(ctx, staff=staff, command="patients find", rows=len(found))
        catalogue = ctx.settings.catalogue
    emit(runtime, found, table(
        ["ID", "NAME", "BORN", "PHONE", "PAYER"],
        [(p.id, f"{p.last_name}, {p.first_name}", p.dob.isoformat(), display_phone(p.phone),
          catalogue.resolve(p.payer_key, p.payer).label) for p in found],
    ) if found else "No patients match.")


@click.command("payers")
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
