"""The app in a browser: a textual-serve server whose every browser tab runs its own frontdesk
process (``frontdesk serve``), and the driver those processes use.

Nothing here knows the practice: the server starts ``python -m frontdesk`` with the options the
command line was given, and each process signs its person in like any terminal would.
"""
