"""``frontdesk patients merge KEEP OTHER``: two records of one person made one (a manager or
admin): what moved, and which details the kept record took."""

from __future__ import annotations

import click

from frontdesk.cli.identity import acting_as
from frontdesk.cli.options import ID, json_option
from frontdesk.cli.output import emit
from frontdesk.cli.runtime import Runtime

KINDS = {"appointments": "visit(s)", "calls": "call(s)", "relief_reports": "relief report(s)",
         "callbacks": "callback(s)", "outreach": "worklist call(s)",
         "waitlist_entries": "waitlist entr(y/ies)",
         "merged_records": "record(s) merged into it before"}
#: Said even when none moved (the others only when some did).
ALWAYS = ("appointments", "calls", "relief_reports", "callbacks")


@click.command("merge")
@click.argument("keep_id", type=ID, metavar="KEEP")
@click.argument("other_id", type=ID, metavar="OTHER")
@click.option("--force", is_flag=True,
              help="Merge even though the birth dates differ (you checked it is one person).")
@click.option("--override-reason", metavar="TEXT",
              help="Booked procedures the kept record's payer rules break once joined: why "
                   "they stand anyway (a scheduler, manager or admin; audited per visit).")
@acting_as()
@json_option
@click.pass_obj
def patients_merge(runtime: Runtime, keep_id: int, other_id: int, force: bool,
                   override_reason: str | None, staff: str) -> None:
    """Merge the record OTHER into KEEP: OTHER's visits, calls, relief reports and callbacks
    move to KEEP, which takes OTHER's details where its own are empty. OTHER stays on file,
    marked merged, and is found no more. Manager or admin; audited."""
    from frontdesk.cli.patients.details import broken_plan, overridden_line
    from frontdesk.services.patients.merge import merge_patients

    ctx = runtime.context()
    with broken_plan():
        result = merge_patients(ctx, staff=staff, keep_id=keep_id, other_id=other_id,
                                force=force, override_reason=override_reason)
    moved = ", ".join(f"{n} {KINDS.get(k, k.replace('_', ' '))}" for k, n in result.moved.items()
                      if n or k in ALWAYS)
    lines = [f"Merged patient {result.merged_id} into patient {result.kept.id}"
             + (" (birth dates differ: forced)." if result.forced else "."),
             f"Moved: {moved}.",
             f"Patient {result.kept.id} took from patient {result.merged_id}: "
             + (", ".join(result.filled) if result.filled else "nothing (its own details "
                                                                "stand)") + "."]
    if result.left:
        lines.append(f"Left on record {result.merged_id} only: {', '.join(result.left)} — "
                     f"what is still right goes to patient {result.kept.id} with "
                     f"`patients edit {result.kept.id}`.")
    emit(runtime, result, "\n".join(lines) + overridden_line(result.overridden_visits))
