"""Practice settings from ``settings.toml`` in the config directory, over packaged defaults."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from frontdesk.db.files import make_folders
from frontdesk.domain.settings import Settings, parse_settings
from frontdesk.services.files import check_shared_group
from frontdesk.services.paths import settings_file


@dataclass(frozen=True)
class LoadedSettings:
    settings: Settings
    problems: tuple[str, ...]  # "file: key: reason" lines, for the person to fix


def load_settings(path: Path | None = None) -> LoadedSettings:
    """Defaults when the file is absent; each bad value reported and left at its default.

    The first run makes the settings folder (owner-only, 0700), so the file a practice puts
    there later starts out private.
    """
    target = path or settings_file()
    if not target.exists():
        if path is None:
            try:
                make_folders(target.parent)
            except OSError as exc:
                return LoadedSettings(Settings(), (
                    f"{target.parent}: cannot make the settings folder: {exc.strerror}",))
        return LoadedSettings(Settings(), ())
    try:
        data = tomllib.loads(target.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        return LoadedSettings(Settings(), (f"{target}: cannot read: {exc}",))
    except tomllib.TOMLDecodeError as exc:
        return LoadedSettings(Settings(), (f"{target}: not valid TOML: {exc}",))
    settings, problems = parse_settings(data)
    lines = [f"{target}: {p.key}: {p.reason}" for p in problems]
    _modes, unusable = check_shared_group(settings.storage)
    if unusable:
        lines.append(f"{target}: storage.shared_group: {unusable}")
    return LoadedSettings(settings, tuple(lines))
