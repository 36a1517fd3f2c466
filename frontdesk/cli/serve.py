"""``frontdesk serve``: the app in a browser (textual-serve), one app process per tab."""

from __future__ import annotations

import os
import sys

import click

from frontdesk.cli.errors import CommandFailed, InputRejected
from frontdesk.cli.runtime import Runtime
from frontdesk.web import DB_FD_OPTION, MAX_DATABASE_BYTES

REMOTE_WARNING = (
    "warning: serving on {host}, reachable from other machines. The page and its keystrokes "
    "(passwords, patient details) travel unencrypted: put a TLS-terminating reverse proxy "
    "with its own authentication in front (see docs/browser.md), and let only it reach "
    "this port."
)


def check_host(host: str, *, allow_remote: bool) -> str | None:
    """Refuse a non-loopback address unless allowed; when allowed, the warning to print."""
    from frontdesk.web.server import is_loopback

    if is_loopback(host):
        return None
    if not allow_remote:
        raise InputRejected(
            f"--host {host} would let other machines reach the app; serving beyond this "
            "machine needs --allow-remote (and a TLS reverse proxy with authentication in "
            "front)")
    return REMOTE_WARNING.format(host=host)


def app_command(runtime: Runtime, theme: str | None) -> list[str]:
    """What each browser session runs: this frontdesk, with the options this command was given.

    Not the database: the server hands each app the one this command opened through a pipe
    (``--db-fd``, see :func:`database_from_fd`), so a password in a URL never reaches a command
    line. The environment is this one, so the settings folder is the same.
    """
    argv = [sys.executable, "-m", "frontdesk"]
    if runtime.demo:
        argv.append("--demo")
    if theme is not None:
        argv += ["--theme", theme]
    return argv


def database_from_fd(fd: int) -> str:
    """The database ``frontdesk serve`` handed this app process: all its pipe holds."""
    try:
        with os.fdopen(fd, "rb") as pipe:
            data = pipe.read(MAX_DATABASE_BYTES + 1)
    except OSError as exc:
        raise click.BadParameter(f"cannot read descriptor {fd}: {exc.strerror or exc}",
                                 param_hint=DB_FD_OPTION) from None
    try:
        database = data.decode()
    except UnicodeDecodeError:
        database = ""
    if not database or len(data) > MAX_DATABASE_BYTES:
        raise click.BadParameter(f"descriptor {fd} holds no database", param_hint=DB_FD_OPTION)
    return database


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Only loopback unless --allow-remote.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True,
              help="Port to listen on.")
@click.option("--allow-remote", is_flag=True,
              help="Allow a --host other machines can reach (put a TLS reverse proxy with "
                   "authentication in front).")
@click.option("--public-url", metavar="URL",
              help="The address browsers use, when a reverse proxy is in front, e.g. "
                   "https://desk.example.org. Default: http://HOST:PORT.")
@click.pass_context
def serve_cmd(ctx: click.Context, host: str, port: int, allow_remote: bool,
              public_url: str | None) -> None:
    """Serve the app to web browsers (for managers): each tab signs in and runs its own app.

    Uses the same database and settings as `frontdesk` would (--db, --demo, $FRONTDESK_DB);
    the apps get the database through a pipe, never on their command lines. Give a PostgreSQL
    password in $FRONTDESK_DB or ~/.pgpass, not in --db (see docs/postgresql.md). Ctrl+C stops
    the server and every session.
    """
    warning = check_host(host, allow_remote=allow_remote)
    runtime = ctx.ensure_object(Runtime)
    theme = ctx.parent.params.get("theme") if ctx.parent is not None else None
    if theme is not None:
        from textual.theme import BUILTIN_THEMES

        if theme not in BUILTIN_THEMES:
            raise click.BadParameter(
                f"no theme {theme!r}; choose one of: {', '.join(sorted(BUILTIN_THEMES))}",
                param_hint="--theme")
    if public_url is not None and not public_url.startswith(("http://", "https://")):
        raise click.BadParameter("give the full address, e.g. https://desk.example.org",
                                 param_hint="--public-url")
    target = runtime.target()
    if len(target.encode()) > MAX_DATABASE_BYTES:
        raise InputRejected(f"db: longer than {MAX_DATABASE_BYTES} bytes")
    if warning is not None:
        click.echo(warning, err=True)
    # Open (and migrate) the database now, so a wrong --db fails here and not in every tab.
    runtime.context(target=target)
    runtime.close()

    from frontdesk.web.server import FrontDeskServer

    server = FrontDeskServer(app_command(runtime, theme), database=target, host=host, port=port,
                             public_url=public_url.rstrip("/") if public_url else None)
    try:
        server.serve()
    except OSError as exc:
        raise CommandFailed(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
