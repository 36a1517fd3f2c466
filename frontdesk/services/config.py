"""Practice settings from ``settings.toml`` in the config directory, over packaged defaults."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from frontdesk.domain.settings import Settings, parse_settings
from frontdesk.services.paths import settings_file


@dataclass(frozen=True)
class LoadedSettings:
    settings: Settings
    problems: tuple[str, ...]  # "file: key: reason" lines, for the person to fix


def load_settings(path: Path | None = None) -> LoadedSettings:
    """Defaults when the file is absent; each bad value reported and left at its default."""
    target = path or settings_file()
    if not target.exists():
        return LoadedSettings(Settings(), ())
    try:
        data = tomllib.loads(target.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        return LoadedSettings(Settings(), (f"{target}: cannot read: {exc}",))
    except tomllib.TOMLDecodeError as exc:
        return LoadedSettings(Settings(), (f"{target}: not valid TOML: {exc}",))
    settings, problems = parse_settings(data)
    return LoadedSettings(settings, tuple(f"{target}: {p.key}: {p.reason}" for p in problems))
