"""The practice's shape: who works where and when, their names, and the rooms each site needs."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence

from frontdesk.domain.model import ProviderKind, RoomKind
from frontdesk.services.demo.content import AWAY_DAYS, GIVEN, HOME_DAYS, PROVIDER_SURNAMES


def _kinds(count: int) -> list[ProviderKind]:
    physicians = max(1, round(count * 0.5))
    therapists = max(1, round(count * 0.2))
    apps = max(1, count - physicians - therapists)
    physicians = count - therapists - apps
    return ([ProviderKind.PHYSICIAN] * physicians + [ProviderKind.APP] * apps
            + [ProviderKind.THERAPIST] * therapists)


def _weekly(kinds: Sequence[ProviderKind], locations: int) -> list[dict[int, int]]:
    """Weekday -> location index per provider: home three days, away two, never two places."""
    massage = _massage_sites(kinds.count(ProviderKind.THERAPIST), locations)
    out: list[dict[int, int]] = []
    counters: dict[ProviderKind, int] = defaultdict(int)
    for kind in kinds:
        n = counters[kind]
        counters[kind] += 1
        if kind is ProviderKind.THERAPIST:
            home, away = massage[n % len(massage)], massage[(n + 1) % len(massage)]
        elif kind is ProviderKind.PHYSICIAN:
            home, away = n % locations, (n + 1) % locations
        else:
            home = (n + locations // 2) % locations
            away = (home + 2) % locations
        out.append({d: home for d in HOME_DAYS} | {d: away for d in AWAY_DAYS})
    return out


def _massage_sites(therapists: int, locations: int) -> list[int]:
    order = sorted(range(locations), key=lambda i: (i % 3 == 2, i))
    return order[: max(1, min(locations, math.ceil(therapists * 1.5)))]


def _large(locations: int) -> int:
    return max(1, math.ceil(locations * 0.6))


def _rooms(kinds: Sequence[ProviderKind], weekly: Sequence[dict[int, int]],
           locations: int) -> list[list[tuple[str, RoomKind]]]:
    """Rooms per location, sized so the providers there on the busiest weekday fit."""
    peak: dict[tuple[int, str], int] = defaultdict(int)
    for d in range(5):
        here: dict[tuple[int, str], int] = defaultdict(int)
        for kind, days in zip(kinds, weekly, strict=True):
            group = "massage" if kind is ProviderKind.THERAPIST else "exam"
            here[days[d], group] += 1
            if kind is ProviderKind.PHYSICIAN:
                here[days[d], "doctor"] += 1
        for key, count in here.items():
            peak[key] = max(peak[key], count)
    out: list[list[tuple[str, RoomKind]]] = []
    for i in range(locations):
        large = i < _large(locations)
        rooms = [(f"Exam {n}", RoomKind.EXAM)
                 for n in range(1, max(3 if large else 2, peak[i, "exam"]) + 1)]
        if large:
            suites = max(1, math.ceil(peak[i, "doctor"] / 2)) + (1 if i == 0 else 0)
            rooms += [(f"Procedure Suite {n}" if suites > 1 else "Procedure Suite",
                       RoomKind.PROCEDURE) for n in range(1, suites + 1)]
        rooms += [(f"Massage {n}" if peak[i, "massage"] > 1 else "Massage Room",
                   RoomKind.MASSAGE) for n in range(1, peak[i, "massage"] + 1)]
        out.append(rooms)
    return out


def _provider_name(index: int, kind: ProviderKind) -> str:
    given = GIVEN[index % len(GIVEN)]
    surname = PROVIDER_SURNAMES[(index * 7 + index // len(GIVEN)) % len(PROVIDER_SURNAMES)]
    if kind is ProviderKind.PHYSICIAN:
        return f"Dr. {given} {surname}, {'DO' if index % 4 == 3 else 'MD'}"
    if kind is ProviderKind.APP:
        return f"{given} {surname}, {'APRN' if index % 2 else 'PA-C'}"
    return f"{given} {surname}, LMT"
