"""The reference lists: the ids, names and codes that the other commands take."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from frontdesk.cli.errors import InputRejected
from frontdesk.cli.identity import acting_as
from frontdesk.cli.options import json_option
from frontdesk.cli.output import emit, table
from frontdesk.cli.parsing import resolve_location
from frontdesk.cli.runtime import Runtime
from frontdesk.domain.model import Role

F = TypeVar("F", bound=Callable[..., Any])


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


@click.command("payers", short_help="The practice's payer list: plans and their rules.")
@click.argument("search", required=False)
@json_option
@click.pass_obj
def payers_cmd(runtime: Runtime, search: str | None) -> None:
    """The practice's payer catalogue: each plan's key and name, the rule set its facet and
    RFA bookings are checked against, and the names people type for it (what --payer takes).
    With SEARCH: the plans it names or nearly names, best first."""
    from frontdesk.services import payers

    ctx = runtime.context()
    plans = payers.search(ctx, search or "", limit=100) if search else list(ctx.settings.plans)
    catalogue = ctx.settings.catalogue
    rows = [{"key": p.key, "name": p.name, "aliases": list(p.aliases),
             "rules": p.rules, "rules_label": (r.label if (r := catalogue.rules_of(p))
                                               else "no payer rules")} for p in plans]
    emit(runtime, rows, table(["KEY", "NAME", "RULES", "ALSO TYPED AS"],
                              [(r["key"], r["name"], r["rules_label"], ", ".join(r["aliases"]))
                               for r in rows]) if rows else f"No plan matches {search!r}.")


@click.group("staff")
def staff_group() -> None:
    """Staff members (the usernames --as takes)."""


@staff_group.command("list")
@json_option
@click.pass_obj
def staff_list(runtime: Runtime) -> None:
    """Active staff members, their roles, and whose account is locked or has no password."""
    from frontdesk.services import accounts

    found = accounts.staff_status(runtime.context())
    emit(runtime, [s.view for s in found], table(
        ["USERNAME", "NAME", "ROLE", "ID", "STATUS"],
        [(s.view.username, s.view.name, s.view.role.value, s.view.id,
          "LOCKED" if s.locked_until else "" if s.password_set else "NO PASSWORD")
         for s in found]))


def _password_option(f: F) -> F:
    return click.option(
        "--password-stdin", is_flag=True,
        help="Read the password from the first line of standard input (for scripts) instead "
             "of asking twice. A password is never an option: it would show in `ps` and the "
             "shell history.")(f)


def _password(from_stdin: bool, *, prompt: str = "Password") -> str:
    if from_stdin:
        line: str = sys.stdin.readline()
        password = line.rstrip("\r\n")
        if not password:
            raise InputRejected("password: nothing on standard input")
        return password
    return str(click.prompt(prompt, hide_input=True, confirmation_prompt=True, err=True))


@staff_group.command("add")
@click.argument("username")
@click.option("--name", required=True, help="The person's name as the app shows it.")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]),
              help="What the account may do.")
@_password_option
@acting_as(first_admin=True)
@json_option
@click.pass_obj
def staff_add(runtime: Runtime, username: str, name: str, role: str, password_stdin: bool,
              staff: str) -> None:
    """Add a staff account (you need to be an admin). The password is asked for twice.

    While the practice has no active admin, the first admin account is added without --as.
    """
    from frontdesk.services import accounts

    ctx = runtime.context()
    password = _password(password_stdin)
    person = accounts.add_staff(ctx, by=staff, username=username, name=name,
                                role=Role(role), password=password)
    emit(runtime, person, f"Added {person.username} ({person.name}, {person.role.value}).")


@staff_group.command("disable")
@click.argument("username")
@acting_as()
@json_option
@click.pass_obj
def staff_disable(runtime: Runtime, username: str, staff: str) -> None:
    """Disable an account: it can no longer sign in (you need to be an admin)."""
    from frontdesk.services import accounts

    person = accounts.disable_staff(runtime.context(), by=staff, username=username)
    emit(runtime, person, f"Disabled {person.username} ({person.name}).")


@staff_group.command("reset-password")
@click.argument("username")
@_password_option
@acting_as()
@json_option
@click.pass_obj
def staff_reset_password(runtime: Runtime, username: str, password_stdin: bool,
                         staff: str) -> None:
    """Set a new password; also lifts a lock from failed sign-ins (you need to be an admin)."""
    from frontdesk.services import accounts

    ctx = runtime.context()
    password = _password(password_stdin, prompt="New password")
    person = accounts.reset_password(ctx, by=staff, username=username, password=password)
    emit(runtime, person, f"New password set for {person.username}; any lock is lifted.")
