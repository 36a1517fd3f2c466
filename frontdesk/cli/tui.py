"""The full-screen app run from the command line: ``frontdesk`` alone and ``frontdesk call``."""

from __future__ import annotations

import signal

import click

from frontdesk.cli.runtime import Runtime


def run_app(ctx: click.Context, runtime: Runtime, *, theme: str | None, listen: bool = True,
            pop: str | None = None) -> None:
    """The full-screen app until it ends, its exit code the command's. ``listen``: take calls
    from the phone system (``frontdesk call --from``) on this user's local channel; ``pop``:
    the number calling now (E.164)."""
    from textual.theme import BUILTIN_THEMES

    from frontdesk.ui.app import make_app

    if theme is not None and theme not in BUILTIN_THEMES:
        raise click.BadParameter(
            f"no theme {theme!r}; choose one of: {', '.join(sorted(BUILTIN_THEMES))}",
            param_hint="--theme")
    where = None
    if listen:
        from frontdesk.services.pop.channel import pop_dir

        where = pop_dir()
    app = make_app(runtime.target(), demo=runtime.demo, clock=runtime.clock, theme=theme,
                   passwords_apart=True, pop=pop, listen=where)
    # A hung-up terminal (the SSH connection is gone) must end the app. Textual relies on
    # SIGHUP's default action; started with SIGHUP ignored (nohup, a wrapper) it would
    # keep running, reading end-of-input, with nobody there.
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    app.run()
    code = app.return_code or 0
    if code:
        ctx.exit(code)
