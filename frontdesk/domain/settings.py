"""Practice settings: packaged defaults, overridable from a TOML file.

Parsing is pure: it takes the decoded TOML mapping and returns the settings plus a list of
problems (key and reason) so the caller can tell the person which file and key was wrong while
the default stays in force.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any, TypeVar

from frontdesk.domain.pathway import (
    PATHWAY_BOUNDS,
    PAYER_BOUNDS,
    PathwayRules,
    PayerRules,
    Rules,
)


@dataclass(frozen=True, slots=True)
class BookingRules:
    slot_step_min: int = 15
    min_notice_min: int = 60
    horizon_days: int = 180
    hold_min: int = 5
    late_cancel_hours: int = 24
    #: a visit the pathway routes to physician review is offered and booked with physicians
    #: only (not an APRN or PA); false lets the practice's APPs take those visits too
    physician_review_by_physicians_only: bool = True


@dataclass(frozen=True, slots=True)
class CallbackRules:
    relief_report_hours: int = 24  # a relief-report callback falls due this long after the block
    override_roles: tuple[str, ...] = ("scheduler", "manager", "admin")  # payer-rule overrides


@dataclass(frozen=True, slots=True)
class SignInSettings:
    max_failures: int = 5  # failed sign-ins in a row that lock the account
    lockout_minutes: int = 15  # how long such a lock lasts
    idle_minutes: int = 5  # the screen locks after this long without input; 0: never
    #: OS user name -> staff username: over SSH, that OS user is signed in without a password
    os_users: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StorageSettings:
    #: an OS group that shares the database, its folder and the app's reports (group-readable
    #: and writable on purpose, as on an SSH server); empty: for their owner alone
    shared_group: str = ""


@dataclass(frozen=True, slots=True)
class Settings:
    booking: BookingRules = BookingRules()
    practice_name: str = "Tulsa Pain Management"
    practice_phone: str = "+19187427030"
    pathway: PathwayRules = PathwayRules()
    payers: tuple[PayerRules, ...] = (PayerRules(),)
    callbacks: CallbackRules = CallbackRules()
    signin: SignInSettings = SignInSettings()
    storage: StorageSettings = StorageSettings()

    @property
    def rules(self) -> Rules:
        return Rules(practice=self.pathway, payers=self.payers)


#: (section, key) -> (lowest, highest) allowed.
_BOUNDS: dict[str, tuple[float, float]] = {
    "slot_step_min": (5, 60),
    "min_notice_min": (0, 7 * 24 * 60),
    "horizon_days": (1, 730),
    "hold_min": (1, 60),
    "late_cancel_hours": (0, 14 * 24),
    **PATHWAY_BOUNDS,  # the protocol's and the payers' thresholds: beside their rules
    **PAYER_BOUNDS,
    # callbacks
    "relief_report_hours": (1, 24 * 14),
    # signin
    "max_failures": (1, 100),
    "lockout_minutes": (1, 24 * 60),
    "idle_minutes": (0, 24 * 60),
}
T = TypeVar("T")
_ROLES = ("receptionist", "scheduler", "manager", "admin")
_USERNAME = re.compile(r"^[a-z0-9._-]{2,40}$")  # as services.accounts requires
_OS_USER = re.compile(r"^[A-Za-z0-9._][A-Za-z0-9._@-]{0,63}$")
_GROUP = re.compile(r"^[A-Za-z_][A-Za-z0-9._-]{0,31}$")  # a POSIX group name


@dataclass(frozen=True, slots=True)
class SettingProblem:
    key: str
    reason: str


def parse_settings(data: Mapping[str, Any]) -> tuple[Settings, list[SettingProblem]]:
    problems: list[SettingProblem] = []
    booking = _section(data, "booking", BookingRules(), problems)
    pathway = _section(data, "pathway", PathwayRules(), problems)
    callbacks = _section(data, "callbacks", CallbackRules(), problems)
    signin = _section(data, "signin", SignInSettings(), problems)
    storage = _section(data, "storage", StorageSettings(), problems)
    payers = _payers(data, problems)
    settings = Settings(booking=booking, pathway=pathway, callbacks=callbacks, payers=payers,
                        signin=signin, storage=storage)
    raw_practice = data.get("practice", {})
    if isinstance(raw_practice, Mapping):
        for key in ("name", "phone"):
            if key in raw_practice:
                value = raw_practice[key]
                if isinstance(value, str) and value.strip():
                    if key == "name":
                        settings = replace(settings, practice_name=value.strip())
                    else:
                        settings = replace(settings, practice_phone=value.strip())
                else:
                    problems.append(SettingProblem(f"practice.{key}", "must be non-empty text"))
    else:
        problems.append(SettingProblem("practice", "must be a table"))
    return settings, problems


def _section(data: Mapping[str, Any], name: str, default: T,
                problems: list[SettingProblem], prefix: str = "") -> T:
    """``default`` with each valid key of the ``name`` table applied; bad keys reported."""
    raw = data.get(name, {})
    label = f"{prefix}{name}"
    if not isinstance(raw, Mapping):
        problems.append(SettingProblem(label, "must be a table"))
        return default
    known = {f.name: f for f in fields(default)}  # type: ignore[arg-type]
    result = default
    for key, value in raw.items():
        full = f"{label}.{key}"
        if key not in known:
            problems.append(SettingProblem(full, "unknown setting"))
            continue
        current = getattr(default, key)
        checked = _check(full, key, value, current, problems)
        if checked is not None:
            result = replace(result, **{key: checked})  # type: ignore[type-var]
    return result


def _check(full: str, key: str, value: Any, current: Any,
           problems: list[SettingProblem]) -> Any:
    if isinstance(current, dict):
        return _os_users(full, value, problems)
    if isinstance(current, bool):
        if not isinstance(value, bool):
            problems.append(SettingProblem(full, f"must be true or false, got {value!r}"))
            return None
        return value
    if isinstance(current, tuple):
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip()
                                                  for v in value):
            problems.append(SettingProblem(full, "must be a list of names"))
            return None
        names = tuple(v.strip().casefold() for v in value)
        if key == "override_roles" and not set(names) <= set(_ROLES):
            problems.append(SettingProblem(full, f"roles are {', '.join(_ROLES)}"))
            return None
        return names
    if isinstance(current, str):
        if not isinstance(value, str) or not value.strip():
            problems.append(SettingProblem(full, "must be non-empty text"))
            return None
        if key == "shared_group" and not _GROUP.match(value.strip()):
            problems.append(SettingProblem(full, "must be the name of an OS group"))
            return None
        return value.strip()
    low, high = _BOUNDS[key]
    whole = isinstance(current, int)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (
            whole and not isinstance(value, int)):
        kind = "a whole number" if whole else "a number"
        problems.append(SettingProblem(full, f"must be {kind}, got {value!r}"))
        return None
    if not low <= value <= high:
        problems.append(SettingProblem(full, f"must be between {low:g} and {high:g}"))
        return None
    return float(value) if not whole else value


def _os_users(full: str, value: Any, problems: list[SettingProblem]) -> dict[str, str] | None:
    """``os_users = { jdoe = "sam" }``: OS user names to staff usernames (lower-cased)."""
    if not isinstance(value, Mapping):
        problems.append(SettingProblem(full, 'must be a table, e.g. { jdoe = "sam" }'))
        return None
    result: dict[str, str] = {}
    for os_user, username in value.items():
        if not isinstance(os_user, str) or not _OS_USER.match(os_user):
            problems.append(SettingProblem(f"{full}.{str(os_user)[:40]}",
                                           "not an OS user name"))
            return None
        if not isinstance(username, str) or not _USERNAME.match(username.strip().lower()):
            problems.append(SettingProblem(f"{full}.{os_user}",
                                           "must be a staff username (text)"))
            return None
        result[os_user] = username.strip().lower()
    return result


def _payers(data: Mapping[str, Any], problems: list[SettingProblem]) -> tuple[PayerRules, ...]:
    """``[payers.KEY]`` tables over the packaged Medicare rules; a new key starts from them too
    (set its ``label`` and ``names``)."""
    raw = data.get("payers")
    defaults = {p.key: p for p in Settings().payers}
    if raw is None:
        return tuple(defaults.values())
    if not isinstance(raw, Mapping):
        problems.append(SettingProblem("payers", "must be a table of payers"))
        return tuple(defaults.values())
    result = dict(defaults)
    for key in raw:
        base = defaults.get(key, replace(PayerRules(), key=key, label=key.title(), names=()))
        result[key] = _section(raw, key, base, problems, prefix="payers.")
        if result[key].key != key:
            result[key] = replace(result[key], key=key)
    return tuple(result.values())
