"""The reference lists: the ids, names and codes that the other commands take."""

from __future__ import annotations

import click

from frontdesk.cli.options import json_option
from frontdesk.cli.output import emit, table
from frontdesk.cli.parsing import resolve_location
from frontdesk.cli.runtime import Runtime


@click.command("locations", short_help="Locations and their ids.")
@json_option
@click.pass_obj
def locations_cmd(runtime: Runtime) -> None:
    """The practice's locations (the ids and names --location takes)."""
    from frontdesk.services import directory

    found = directory.locations(runtime.context())
    emit(runtime, found, table(["ID", "NAME", "PHONE", "ADDRESS", "TIME ZONE"],
                              [(x.id, x.name, directory.display_phone(x.phone), x.address,
                                x.timezone) for x in found]))


@click.command("providers", short_help="Providers, their ids and visit types.")
@json_option
@click.pass_obj
def providers_cmd(runtime: Runtime) -> None:
    """Active providers and the visit types each performs (the ids --provider takes)."""
    from frontdesk.services import directory

    found = directory.providers(runtime.context())
    emit(runtime, found, table(["ID", "NAME", "KIND", "VISIT TYPES"],
                              [(p.id, p.name, p.kind.value, ", ".join(p.visit_type_codes))
                               for p in found]))


@click.command("rooms")
@click.option("--location", metavar="NAME|ID", help="Only this location's rooms.")
@json_option
@click.pass_obj
def rooms_cmd(runtime: Runtime, location: str | None) -> None:
    """Rooms per location (the ids --room takes)."""
    from frontdesk.services import directory

    ctx = runtime.context()
    places = {loc.id: loc.name for loc in directory.locations(ctx)}
    wanted = resolve_location(ctx, location).id if location is not None else None
    found = [r for r in directory.rooms(ctx) if wanted is None or r.location_id == wanted]
    emit(runtime, found, table(["ID", "LOCATION", "NAME", "KIND", "FLUOROSCOPY"],
                              [(r.id, places.get(r.location_id, r.location_id), r.name,
                                r.kind.value, "yes" if r.fluoroscopy else "")
                               for r in found]))


@click.command("visit-types", short_help="Visit type codes, durations and rooms.")
@json_option
@click.pass_obj
def visit_types_cmd(runtime: Runtime) -> None:
    """Visit types: the codes --visit-type takes, with duration, buffers and room."""
    from frontdesk.services import directory

    found = directory.visit_types(runtime.context())
    emit(runtime, found, table(
        ["CODE", "NAME", "MINUTES", "BUFFERS", "ROOM", "PROVIDER IDS"],
        [(v.code, v.name, v.duration_min, f"{v.buffer_before_min}/{v.buffer_after_min}",
          v.room_kind.value, ",".join(str(i) for i in v.provider_ids)) for v in found]))


@click.group("staff")
def staff_group() -> None:
    """Staff members (the usernames --as takes)."""


@staff_group.command("list")
@json_option
@click.pass_obj
def staff_list(runtime: Runtime) -> None:
    """Active staff members and their roles."""
    from frontdesk.services import directory

    found = directory.staff(runtime.context())
    emit(runtime, found, table(["USERNAME", "NAME", "ROLE", "ID"],
                              [(s.username, s.name, s.role.value, s.id) for s in found]))
