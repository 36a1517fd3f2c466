"""``frontdesk call --from NUMBER``: what the practice's phone system runs when the phone rings
(docs/caller-pop.md). The running app of the same OS user is told (its call screen opens on the
caller); with none running, the app opens and does so once the person has signed in."""

from __future__ import annotations

import sys

import click

from frontdesk.cli.errors import CommandFailed
from frontdesk.cli.runtime import Runtime

SAID = {
    "shown": "the call screen is open on the caller",
    "queued": "a call is open there: it says \"F2 to take it\"",
    "held": "it opens once someone has signed in",
}


IN_SSH = ("no frontdesk of yours is running on this database to take the call, and this is an "
          "SSH login: `call --from` opens no new app in one (a phone server's key must never "
          "open the desk's app); keep frontdesk open at the desk, or add --new to open one "
          "here on purpose")


def has_terminal() -> bool:
    """Whether the app can open here: a terminal to draw on and to read keys from."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def in_ssh_login() -> bool:
    """Whether this command runs inside an SSH login (as the sshd says, not the environment)."""
    from frontdesk.services.origin import over_ssh

    return over_ssh()


@click.command("call")
@click.option("--from", "number", required=True, metavar="NUMBER",
              help="The caller's phone number, as the phone system gives it (918-555-0142, "
                   "+19185550142, …).")
@click.option("--new", "new_app", is_flag=True,
              help="Open a new app even when one of yours is running.")
@click.pass_context
def call_cmd(ctx: click.Context, number: str, new_app: bool) -> None:
    """Open the call screen on the caller with this number: the patient on file, the several
    with this number to pick from, or the new-patient form with the number filled in.

    A running frontdesk of yours (this OS user's on this machine and this database, the one
    started last) is handed the number and this command ends; otherwise the app opens here, and
    the call shows once you have signed in. A number that is not one is refused (exit 2) and
    nothing opens; with no app running and no terminal (a phone system's background command),
    or inside an SSH login without --new, nothing opens (exit 1)."""
    from frontdesk.services.phones import e164
    from frontdesk.ui.text import phone_text

    wanted = e164(number)  # InvalidInput: exit 2, "phone: …", nothing opened
    runtime = ctx.ensure_object(Runtime)
    if not new_app:
        from frontdesk.services.pop.channel import (
            ChannelRefused,
            database_tag,
            hand_over,
            pop_dir,
        )

        try:
            answer = hand_over(wanted, pop_dir(), database=database_tag(runtime.target()))
        except ChannelRefused as exc:
            click.echo(f"warning: no running frontdesk asked: {exc}", err=True)
            answer = None
        if answer is not None:
            click.echo(f"Call from {phone_text(wanted)} handed to your running frontdesk: "
                       f"{SAID[answer]}.")
            return
        if in_ssh_login():
            raise CommandFailed(IN_SSH)
    if not has_terminal():
        raise CommandFailed(
            "no frontdesk of yours is running to take the call, and there is no terminal to "
            "open one in: keep frontdesk open at the desk")
    from frontdesk.cli.tui import run_app

    run_app(ctx, runtime, theme=ctx.find_root().params.get("theme"), pop=wanted)
