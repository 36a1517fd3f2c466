"""One benchmark row: samples in milliseconds, nearest-rank percentiles, a target verdict."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    name: str
    samples: tuple[float, ...]  # milliseconds
    target: str = ""
    limit_ms: float | None = None
    unit: str = "ms"

    @property
    def n(self) -> int:
        return len(self.samples)

    def pct(self, p: float) -> float:
        """Nearest-rank percentile: the value a p-share of samples do not exceed."""
        ordered = sorted(self.samples)
        rank = max(1, -(-len(ordered) * p // 100))
        return ordered[int(rank) - 1]

    @property
    def verdict(self) -> str:
        if self.limit_ms is None:
            return ""
        return "ok" if self.pct(95) <= self.limit_ms else "MISSED"
