"""Textual's web driver, made to end the app when the server goes away.

textual-serve talks to each app process over its stdin and stdout. Textual's own driver stops
reading at end of file but leaves the app running with nobody attached: a server that crashed
or was killed would leave its apps behind for good. This driver asks the app to exit when its
input ends, and ends the process itself if the app has not managed it within a few seconds.
"""

from __future__ import annotations

import os
import threading

from textual import messages
from textual.drivers.web_driver import WebDriver

EXIT_GRACE_SECONDS = 5.0
"""After the server is gone, how long the app has to exit cleanly before the process ends."""


class FrontDeskWebDriver(WebDriver):
    """The web driver, plus: end of input (the server is gone) ends the app."""

    def run_input_thread(self) -> None:
        super().run_input_thread()
        if self.exit_event.is_set():
            return  # the app is stopping normally
        # stdin reached end of file: the server (or the pipe to it) is gone.
        self._app.post_message(messages.ExitApp())
        backstop = threading.Timer(EXIT_GRACE_SECONDS, os._exit, args=(1,))
        backstop.daemon = True
        backstop.start()
