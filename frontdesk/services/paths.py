"""Where frontdesk keeps its files: one seam, overridable by environment for tests.

``--db`` / ``FRONTDESK_DB`` always win over these defaults.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_config_dir, user_data_dir

APP = "frontdesk"


def data_dir() -> Path:
    return Path(os.environ.get("FRONTDESK_DATA_DIR") or user_data_dir(APP))


def config_dir() -> Path:
    return Path(os.environ.get("FRONTDESK_CONFIG_DIR") or user_config_dir(APP))


def default_db() -> str:
    """The practice's own database: never filled with demo data."""
    return str(data_dir() / "frontdesk.db")


def demo_db() -> str:
    """The demo practice's database, separate from the real one."""
    return str(data_dir() / "demo.db")


def resolve_db(db: str | None, *, demo: bool = False) -> str:
    """--db, else FRONTDESK_DB, else the demo or the default file."""
    chosen = db or os.environ.get("FRONTDESK_DB")
    if chosen:
        return chosen
    return demo_db() if demo else default_db()


def settings_file() -> Path:
    return config_dir() / "settings.toml"
