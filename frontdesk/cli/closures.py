"""Closures: list them, and install the default practice holidays."""

from __future__ import annotations

import click

from frontdesk.cli.identity import acting_as
from frontdesk.cli.options import json_option
from frontdesk.cli.output import emit, table
from frontdesk.cli.parsing import PRACTICE_ZONE, parse_day, practice_today
from frontdesk.cli.runtime import Runtime


@click.command("closures", short_help="Holidays, location closures and time off.")
@click.option("--from", "from_", metavar="DATE", help="First day (default today).")
@click.option("--days", type=click.IntRange(1, 730), default=90, show_default=True,
              help="How many days to list.")
@json_option
@click.pass_obj
def closures_cmd(runtime: Runtime, from_: str | None, days: int) -> None:
    """Closures from a day on: practice holidays, location closures and provider time off."""
    from datetime import datetime, time, timedelta
    from zoneinfo import ZoneInfo

    from frontdesk.services import directory, holidays
    from frontdesk.services.views import ClosureView

    ctx = runtime.context()
    zone = ZoneInfo(PRACTICE_ZONE)
    today = practice_today(ctx)
    first = parse_day(from_, field_name="from", today=today) if from_ else today
    start = datetime.combine(first, time(), zone)
    found = holidays.closures(ctx, start=start, end=start + timedelta(days=days))
    places = {loc.id: loc.name for loc in directory.locations(ctx, retired=True)}
    people = {p.id: p.name for p in directory.providers(ctx)}

    def who(provider_id: int | None, location_id: int | None) -> str:
        if provider_id is not None:
            return people.get(provider_id, f"provider {provider_id}")
        if location_id is not None:
            return places.get(location_id, f"location {location_id}")
        return "whole practice"

    def span(c: ClosureView) -> str:
        a, b = c.start.astimezone(zone), c.end.astimezone(zone)
        if a.time() == b.time() == time():
            last = b.date() - timedelta(days=1)
            return f"{a:%a %Y-%m-%d}" + ("" if last == a.date() else f" to {last:%a %Y-%m-%d}")
        return f"{a:%a %Y-%m-%d %H:%M} to {b:%a %Y-%m-%d %H:%M}"

    emit(runtime, found, table(["ID", "WHEN", "KIND", "WHO", "REASON"],
                              [(c.id, span(c), c.kind, who(c.provider_id, c.location_id),
                                c.reason) for c in found]))


@click.group("holidays")
def holidays_group() -> None:
    """The practice's default holidays (US federal plus Oklahoma's day after Thanksgiving)."""


@holidays_group.command("install")
@click.option("--year", "years", type=click.IntRange(2000, 2100), multiple=True, required=True,
              help="A year to install; repeat for several.")
@acting_as()
@json_option
@click.pass_obj
def install_cmd(runtime: Runtime, years: tuple[int, ...], staff: str) -> None:
    """Add the default holidays of each --year as practice-wide closures (skips ones present)."""
    from frontdesk.services import holidays

    added = holidays.add_practice_holidays(runtime.context(), staff=staff, years=years)
    emit(runtime, {"added": added, "years": sorted(set(years))},
         f"added {added} holiday closure(s) for {', '.join(map(str, sorted(set(years))))}")
