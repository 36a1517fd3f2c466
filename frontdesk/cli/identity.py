"""Who runs a command, proven before it acts: the staff account the OS user is mapped to
(``[signin] os_users``, read from the process's real uid), or ``--as USERNAME`` with that
person's password — asked with no echo on the terminal, or read from ``--password-file`` by a
script. A password is never an option's value or an environment variable: ``ps`` and another
process's environment would show it. Unproven: exit 6, one plain line, nothing written.
"""

from __future__ import annotations

import functools
import getpass
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

import click

from frontdesk.cli.errors import Unproven
from frontdesk.cli.runtime import Runtime

F = TypeVar("F", bound=Callable[..., Any])

TTY = "/dev/tty"
AS_HELP = ("Your staff username. Not needed when your OS user is mapped to your account "
           "([signin] os_users); otherwise your password is asked (or read from "
           "--password-file).")
FILE_HELP = ("Read your password from the first line of this file, for scripts: a file only "
             "you can read (chmod 600) or a pipe, e.g. --password-file <(pass show frontdesk). "
             "Default: $FRONTDESK_PASSWORD_FILE.")


def acting_as(param: str = "staff", *, first_admin: bool = False,
              deferred: bool = False) -> Callable[[F], F]:
    """Options ``--as`` and ``--password-file`` for a command; the command receives the proven
    username as ``param``. ``first_admin``: while the practice has no admin, nobody needs to
    prove anything (the first admin account is being added). ``deferred``: the command receives
    a function that proves it when called (a command that must look at its input before the
    database is opened)."""

    def decorate(command: F) -> F:
        @functools.wraps(command)
        def proven(*args: Any, **kwargs: Any) -> Any:
            claimed, password_file = kwargs.pop("as_user"), kwargs.pop("password_file")
            runtime = click.get_current_context().ensure_object(Runtime)

            def who() -> str:
                return prove(runtime, claimed, password_file, first_admin=first_admin)

            kwargs[param] = who if deferred else who()
            return command(*args, **kwargs)

        with_file = click.option("--password-file", type=click.Path(path_type=Path),
                                 envvar="FRONTDESK_PASSWORD_FILE", metavar="PATH",
                                 help=FILE_HELP)(proven)
        return cast(F, click.option("--as", "as_user", metavar="USERNAME",
                                    help=AS_HELP)(with_file))

    return decorate


def prove(runtime: Runtime, claimed: str | None, password_file: Path | None, *,
          first_admin: bool = False) -> str:
    """The username of who runs the command, once proven (Unproven otherwise).

    A wrong password counts toward the account's lockout like a sign-in in the app."""
    if claimed is None and password_file is None:
        light = runtime.light()  # a read command's light way: the same mapping, read plainly
        found = light.mapped_staff() if light is not None else None
        if found is not None:
            return found.username
    from frontdesk.db.queries import username_key
    from frontdesk.services import accounts

    ctx = runtime.context()
    mapped = accounts.os_user_account(ctx)
    wanted = None if claimed is None else username_key(claimed)
    if wanted is None and password_file is None:
        if mapped is not None:
            return mapped.username
        if first_admin and not accounts.has_admin(ctx):
            return ""
        raise Unproven(f"who is running this? Your OS user {ctx.origin.os_user} is not mapped "
                       "to a staff account: give --as USERNAME (your password is asked, or "
                       "read from --password-file)")
    if wanted is None:
        raise Unproven("--password-file proves who you are only with --as USERNAME")
    checked_username(wanted, "--as")
    if mapped is not None and mapped.username == wanted and password_file is None:
        return mapped.username
    password = (read_password_file(password_file) if password_file is not None
                else ask_password(wanted))
    return accounts.prove(ctx, username=wanted, password=password).username


def override_option(f: F) -> F:
    """``--override-by`` and ``--override-password-file`` for a command that may book against a
    payer rule."""
    with_file = click.option(
        "--override-password-file", type=click.Path(path_type=Path), metavar="PATH",
        help="The authoriser's password, for scripts: a file only you can read, or a pipe. "
             "Without it, their password is asked on the terminal.")(f)
    return click.option(
        "--override-by", metavar="USERNAME",
        help="Who authorises the override, when not you: a scheduler, manager or admin, who "
             "types their own password.")(with_file)


def authoriser_password(staff: str, override_by: str | None, reason: str | None,
                        password_file: Path | None) -> str | None:
    """The password of whoever authorises an override for someone else (the services check
    it); None when there is no override or the person booking authorises it themselves."""
    from frontdesk.db.queries import username_key

    wanted = username_key(override_by or "")
    if not (reason or "").strip() or not wanted or wanted == username_key(staff):
        return None
    if password_file is not None:
        return read_password_file(password_file)
    return ask_password(checked_username(wanted, "--override-by"))


def checked_username(username: str, option: str) -> str:
    """``username`` when it could be a staff username; Unproven (never echoing a 10,000
    character value back) otherwise."""
    from frontdesk.services.accounts import USERNAME_RULE

    if not USERNAME_RULE.match(username):
        raise Unproven(f"{option}: not a staff username (2-40 characters: lowercase letters, "
                       "digits, '.', '-' and '_')")
    return username


def read_password_file(path: Path) -> str:
    """The first line of ``path``: a pipe, or a file nobody else can read."""
    from frontdesk.services.files import others_can_read

    try:
        with open(path.expanduser(), encoding="utf-8") as handle:
            if others_can_read(handle.fileno()):
                raise Unproven(f"{path} can be read by other users: chmod 600 it first")
            line = handle.readline()
    except OSError as exc:
        raise Unproven(f"cannot read the password file {path}: "
                       f"{exc.strerror or type(exc).__name__}") from None
    password = line.rstrip("\r\n")
    if not password:
        raise Unproven(f"the password file {path} is empty")
    return password


def ask_password(username: str) -> str:
    """Ask on the terminal itself with no echo (like sudo and ssh), so a command whose standard
    input is a pipe still asks; with no terminal (a script, cron), say how to prove it instead."""
    try:
        with open(TTY, "rb"):
            pass
    except OSError:
        raise Unproven(f"no terminal to ask {username}'s password on: give --password-file "
                       "(or run it as an OS user mapped to the account)") from None
    return getpass.getpass(f"Password for {username}: ")
