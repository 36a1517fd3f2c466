"""Child process of the start-up benchmark: prints the monotonic time of the first paint.

``python -m bench.startup minimal`` runs the smallest Textual app; ``python -m bench.startup
frontdesk DB`` runs frontdesk built by its factory (``frontdesk.ui.app.make_app``). Both run
headless at 80x24 and exit right after the first refresh. CLOCK_MONOTONIC is system-wide on
Linux and macOS, so the parent subtracts its own reading taken just before spawning us.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from textual.app import App
from textual.pilot import Pilot

MISSING = 3


def painted(app: App[Any]) -> None:
    print(f"PAINT {time.monotonic():.6f}", flush=True)
    app.exit()


class Minimal(App[None]):
    def on_mount(self) -> None:
        self.call_after_refresh(painted, self)


async def _after_first_refresh(pilot: Pilot[Any]) -> None:
    pilot.app.call_after_refresh(painted, pilot.app)


def main(argv: list[str]) -> int:
    which = argv[0] if argv else "minimal"
    if which == "minimal":
        Minimal().run(headless=True, size=(80, 24))
        return 0
    try:
        from frontdesk.ui.app import make_app
    except ImportError as exc:
        print(f"MISSING {exc}", flush=True)
        return MISSING
    app = make_app(argv[1])
    app.run(headless=True, size=(80, 24), auto_pilot=_after_first_refresh)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
