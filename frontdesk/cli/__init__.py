"""The ``frontdesk`` command: the TUI with no subcommand, scriptable desk commands otherwise.

Import cost matters because ``frontdesk`` alone opens the TUI: only click and the standard
library load here; services, SQLAlchemy and Textual load inside the commands that need them.

Every failure ends as one plain line on stderr and a documented exit code (see
``frontdesk.cli.errors`` and the README's "Exit codes"); no traceback reaches the desk.

``root`` holds the group and the error mapping; each feature's commands live in their own
module (``db``, ``directory``, ``appointments``, ``patients``) on top of the shared
``runtime``, ``options``, ``parsing`` and ``output``.
"""

from frontdesk.cli.errors import CommandFailed
from frontdesk.cli.root import main
from frontdesk.cli.runtime import Runtime

__all__ = ["CommandFailed", "Runtime", "main"]
