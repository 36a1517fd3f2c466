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

from frontdesk.domain.model import Region
from frontdesk.domain.pathway import (
    PATHWAY_BOUNDS,
    PAYER_BOUNDS,
    PathwayRules,
    PayerRules,
    Rules,
)
from frontdesk.domain.payers import (
    DEFAULT_PLANS,
    DEFAULT_RULE_SETS,
    NO_RULES,
    Catalogue,
    PayerPlan,
    folded,
)
from frontdesk.domain.reminders import ReminderSettings, layered_reminders, parse_reminders


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
    payers: tuple[PayerRules, ...] = DEFAULT_RULE_SETS  # rule sets, by key ([payers.KEY])
    plans: tuple[PayerPlan, ...] = DEFAULT_PLANS  # the payer catalogue ([plans.KEY])
    callbacks: CallbackRules = CallbackRules()
    signin: SignInSettings = SignInSettings()
    storage: StorageSettings = StorageSettings()
    #: [reminders]: when, in what words and through which servers reminders go out
    reminders: ReminderSettings = ReminderSettings()
    #: the settings file's own [payers.KEY] and [plans.KEY] tables, as written: the practice
    #: file's tables are layered over them (``payer_tables``)
    file_payers: Mapping[str, Any] = field(default_factory=dict, compare=False)
    file_plans: Mapping[str, Any] = field(default_factory=dict, compare=False)
    #: the settings file's own [reminders] table: the practice file's lies over it
    file_reminders: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @property
    def rules(self) -> Rules:
        return Rules(practice=self.pathway, payers=self.payers)

    @property
    def catalogue(self) -> Catalogue:
        return Catalogue(self.plans, self.payers)


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
    plans = _plans(data, payers, problems)
    reminders, reminder_problems = parse_reminders(data.get("reminders"))
    problems.extend(SettingProblem(key, reason) for key, reason in reminder_problems)
    settings = Settings(booking=booking, pathway=pathway, callbacks=callbacks, payers=payers,
                        plans=plans, signin=signin, storage=storage, reminders=reminders,
                        file_payers=_tables(data.get("payers")),
                        file_plans=_tables(data.get("plans")),
                        file_reminders=_tables(data.get("reminders")))
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
    if key == "region_groups":
        return _region_groups(full, value, problems)
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


def _region_groups(full: str, value: Any,
                   problems: list[SettingProblem]) -> tuple[tuple[Region, ...], ...] | None:
    """``region_groups = [["cervical", "thoracic"]]``: regions whose sessions count together
    against a payer's caps; a region in no group counts alone, and in at most one."""
    example = 'must be a list of lists of regions, e.g. [["cervical", "thoracic"]]'
    if not isinstance(value, list) or not all(isinstance(g, list) and g for g in value):
        problems.append(SettingProblem(full, example))
        return None
    names = ", ".join(r.value for r in Region)
    seen: set[Region] = set()
    groups: list[tuple[Region, ...]] = []
    for group in value:
        regions: list[Region] = []
        for name in group:
            try:
                region = Region(name.strip().lower()) if isinstance(name, str) else None
            except ValueError:
                region = None
            if region is None:
                problems.append(SettingProblem(full, f"{str(name)[:40]!r} is not a region: "
                                                     f"regions are {names}"))
                return None
            if region in seen:
                problems.append(SettingProblem(full, f"{region.value} is in more than one "
                                                     "group (or twice in one)"))
                return None
            seen.add(region)
            regions.append(region)
        groups.append(tuple(regions))
    return tuple(groups)


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
    """``[payers.KEY]`` tables: the payer rule sets, over the packaged ones; a new key starts
    from the Medicare (Novitas L34892) figures (set its ``label`` and what differs)."""
    raw = data.get("payers")
    defaults = {p.key: p for p in Settings().payers}
    if raw is None:
        return tuple(defaults.values())
    if not isinstance(raw, Mapping):
        problems.append(SettingProblem("payers", "must be a table of payer rule sets"))
        return tuple(defaults.values())
    result = dict(defaults)
    for key in raw:
        if not _KEY.match(str(key)) or key == NO_RULES:
            problems.append(SettingProblem(f"payers.{str(key)[:40]}",
                                           "a rule set key is lower-case letters, digits and "
                                           "hyphens (and not 'none')"))
            continue
        if isinstance(raw[key], Mapping) and "names" in raw[key]:
            problems.append(SettingProblem(
                f"payers.{key}.names", "the names people type are a plan's aliases now: "
                                       f"[plans.KEY] with rules = \"{key}\""))
            raw = {**raw, key: {k: v for k, v in raw[key].items() if k != "names"}}
        base = defaults.get(key, replace(PayerRules(), key=key, label=key.title()))
        result[key] = _section(raw, key, base, problems, prefix="payers.")
        if result[key].key != key:
            result[key] = replace(result[key], key=key)
    return tuple(result.values())


_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


def _plans(data: Mapping[str, Any], rule_sets: tuple[PayerRules, ...],
           problems: list[SettingProblem]) -> tuple[PayerPlan, ...]:
    """``[plans.KEY]`` tables: the payer catalogue over the packaged plans. A plan has a
    ``name``, the ``aliases`` people type, and ``rules``: the key of a ``[payers.KEY]`` rule
    set, or "none" (self-pay: no payer rules). A new plan must say which ``rules`` apply;
    two plans may not share a name or alias (typed text must name one plan)."""
    raw = data.get("plans")
    result = {p.key: p for p in DEFAULT_PLANS}
    if raw is not None and not isinstance(raw, Mapping):
        problems.append(SettingProblem("plans", "must be a table of payer plans"))
        raw = None
    known_rules = {r.key for r in rule_sets} | {NO_RULES}
    for key, table in (raw or {}).items():
        label = f"plans.{str(key)[:40]}"
        if not _KEY.match(str(key)):
            problems.append(SettingProblem(label, "a plan key is lower-case letters, digits "
                                                  "and hyphens"))
            continue
        if not isinstance(table, Mapping):
            problems.append(SettingProblem(label, "must be a table"))
            continue
        plan = result.get(key, PayerPlan(key, key.replace("-", " ").title(), (), ""))
        ok = True
        for field_name, value in table.items():
            full = f"{label}.{field_name}"
            if field_name == "name" and isinstance(value, str) and 0 < len(value.strip()) <= 60:
                plan = replace(plan, name=value.strip())
            elif field_name == "aliases" and isinstance(value, list) and all(
                    isinstance(v, str) and 0 < len(v.strip()) <= 60 for v in value):
                plan = replace(plan, aliases=tuple(v.strip() for v in value))
            elif field_name == "rules" and isinstance(value, str) and value in known_rules:
                plan = replace(plan, rules=value)
            elif field_name in ("name", "aliases", "rules"):
                ok = False
                problems.append(SettingProblem(full, {
                    "name": "must be text of at most 60 characters",
                    "aliases": "must be a list of names of at most 60 characters",
                    "rules": "must be a [payers.KEY] rule set key or \"none\" (known: "
                             + ", ".join(sorted(known_rules)) + ")"}[field_name]))
            else:
                ok = False
                problems.append(SettingProblem(full, "unknown setting"))
        if ok and not plan.rules:
            ok = False
            problems.append(SettingProblem(f"{label}.rules", "say which rule set applies "
                                                             "(a [payers.KEY] key or \"none\")"))
        if ok:
            result[key] = plan
    return _distinct(tuple(result.values()), set(raw or {}), problems)


def _distinct(plans: tuple[PayerPlan, ...], edited: set[str],
              problems: list[SettingProblem]) -> tuple[PayerPlan, ...]:
    """Typed text must name one plan: a plan the settings changed or added that shares a name
    or alias with another is reported and not taken — a packaged plan keeps its packaged form,
    a new one is left out — so an edit never pushes an untouched plan out of the list."""
    defaults = {p.key: p for p in DEFAULT_PLANS}
    seen: dict[str, str] = {}
    chosen: dict[str, PayerPlan] = {}

    def names(plan: PayerPlan) -> set[str]:
        return {folded(n) for n in (plan.key, plan.name, *plan.aliases)} - {""}

    order = [p for p in plans if p.key not in edited] + [p for p in plans if p.key in edited]
    for plan in order:
        clash = next((seen[n] for n in names(plan) if n in seen), None)
        if clash is not None:
            problems.append(SettingProblem(f"plans.{plan.key}",
                                           f"shares a name or alias with plans.{clash}"))
            fallback = defaults.get(plan.key)
            if fallback is None or any(n in seen for n in names(fallback)):
                continue
            plan = fallback
        seen.update(dict.fromkeys(names(plan), plan.key))
        chosen[plan.key] = plan
    return tuple(chosen[p.key] for p in plans if p.key in chosen)


def _tables(raw: Any) -> dict[str, Any]:
    return {str(k): v for k, v in raw.items()} if isinstance(raw, Mapping) else {}


def layered(base: Mapping[str, Any], over: Mapping[str, Any] | None) -> dict[str, Any]:
    """``[section.KEY]`` tables: each table of ``over`` laid key by key over ``base``'s table
    of the same KEY (a key ``over`` does not set keeps ``base``'s value)."""
    out: dict[str, Any] = {k: dict(v) if isinstance(v, Mapping) else v for k, v in base.items()}
    for key, table in (over or {}).items():
        below = out.get(key)
        if isinstance(table, Mapping) and isinstance(below, Mapping):
            out[key] = {**below, **table}
        else:
            out[key] = table
    return out


def payer_tables(settings: Settings, payers: Mapping[str, Any] | None,
                 plans: Mapping[str, Any] | None
                 ) -> tuple[tuple[PayerRules, ...], tuple[PayerPlan, ...], list[SettingProblem]]:
    """The rule sets and the catalogue from the packaged ones, then the settings file's
    tables, then ``payers`` / ``plans`` (what the practice file gave) over those."""
    problems: list[SettingProblem] = []
    rules = _payers({"payers": layered(settings.file_payers, payers)}, problems)
    catalogue = _plans({"plans": layered(settings.file_plans, plans)}, rules, problems)
    return rules, catalogue, problems


def practice_overlay(settings: Settings, stored: Mapping[str, Any]) -> Settings:
    """``settings`` with what ``frontdesk practice apply`` stored over it: ``practice`` (name,
    phone), ``payers`` and ``plans`` ([payers.KEY] and [plans.KEY] tables laid key by key
    over the settings file's own tables, which lie over the packaged ones), ``reminders``
    (laid over the settings file's [reminders], whose secrets and machine settings stay): the
    practice file wins only for the keys it sets. A stored value that no longer checks is
    left out."""
    result = settings
    practice = stored.get("practice")
    if isinstance(practice, Mapping):
        name, phone = practice.get("name"), practice.get("phone")
        if isinstance(name, str) and name.strip():
            result = replace(result, practice_name=name.strip())
        if isinstance(phone, str) and phone.strip():
            result = replace(result, practice_phone=phone.strip())
    if "payers" in stored or "plans" in stored:
        payers, plans = stored.get("payers"), stored.get("plans")
        rules, catalogue, _problems = payer_tables(
            settings, payers if isinstance(payers, Mapping) else None,
            plans if isinstance(plans, Mapping) else None)
        result = replace(result, payers=rules, plans=catalogue)
    reminders = stored.get("reminders")
    if isinstance(reminders, Mapping):
        layered, _unchecked = parse_reminders(layered_reminders(settings.file_reminders,
                                                                reminders))
        result = replace(result, reminders=layered)
    return result
