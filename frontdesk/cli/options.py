"""Options and parameter types that several commands share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from frontdesk.cli.runtime import Runtime

MAX_ID = 2**31 - 1
ID = click.IntRange(1, MAX_ID)
F = TypeVar("F", bound=Callable[..., Any])


def _set_json(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        ctx.ensure_object(Runtime).as_json = True


def json_option(f: F) -> F:
    return click.option("--json", is_flag=True, expose_value=False, callback=_set_json,
                        help="Print JSON on stdout instead of a table.")(f)


def if_version_option(f: F) -> F:
    return click.option(
        "--if-version", "expected_version", type=click.IntRange(1), metavar="N",
        help="Act only if the appointment is still at this version (from `show`); exit 4 if not.",
    )(f)
