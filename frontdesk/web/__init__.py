"""The app in a browser: a textual-serve server whose every browser tab runs its own frontdesk
process (``frontdesk serve``), and the driver those processes use.

Nothing here knows the practice: the server starts ``python -m frontdesk`` with the options the
command line was given, and each process signs its person in like any terminal would. The
database (a URL may carry a password) is not among those options: each process reads it from a
pipe it inherits, named by ``--db-fd``.
"""

import select

DB_FD_OPTION = "--db-fd"
"""The app process's (hidden) option naming the inherited pipe that holds its database."""
MAX_DATABASE_BYTES = select.PIPE_BUF
"""A write this size to an empty pipe goes in whole at once, without a reader: the hand-over
never blocks."""
