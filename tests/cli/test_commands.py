"""The root group loads each command's module only when that command is asked for: `frontdesk`
alone (the app) and each command pay for their own code (issue 19)."""

from __future__ import annotations

import subprocess
import sys

import click

from frontdesk.cli.root import COMMANDS, main


def test_every_command_is_found_by_its_name() -> None:
    ctx = click.Context(main)
    for name in COMMANDS:
        command = main.get_command(ctx, name)
        assert command is not None
        assert command.name == name
    assert main.list_commands(ctx) == sorted(COMMANDS)
    assert main.get_command(ctx, "no-such-command") is None


def test_the_root_group_loads_no_command_until_one_is_asked_for() -> None:
    code = ("import sys\n"
            "from frontdesk.cli import main\n"
            "print(sorted(m for m in sys.modules if m.startswith('frontdesk.cli.')))\n")
    loaded = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                            text=True).stdout.strip()
    assert loaded == ("['frontdesk.cli.errors', 'frontdesk.cli.output', 'frontdesk.cli.root', "
                      "'frontdesk.cli.runtime']")
