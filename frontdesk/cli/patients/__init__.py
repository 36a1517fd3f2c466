"""``frontdesk patients …``: find, add, show, edit and merge patients; their payers against
the practice's payer list."""

from __future__ import annotations

import click

from frontdesk.cli.patients.details import patients_add, patients_edit, patients_show
from frontdesk.cli.patients.find import patients_find, patients_payers
from frontdesk.cli.patients.merge import patients_merge


@click.group("patients")
def patients_group() -> None:
    """Find, add, show, edit and merge patients; their payers against the practice's payer
    list."""


for _command in (patients_find, patients_add, patients_show, patients_edit, patients_merge,
                 patients_payers):
    patients_group.add_command(_command)
