"""The recalls worklist (``RecallsScreen(backend)``): its screen, what it shows, its dialogs."""

from frontdesk.ui.worklists.recalls.screen import RecallsScreen

__all__ = ["RecallsScreen"]
