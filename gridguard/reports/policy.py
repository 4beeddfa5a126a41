"""The escalation policy: which steps a report reaches at once, and when the later ones follow."""

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from gridguard.kernel.errors import DomainError
from gridguard.reports.enums import Category, Severity

SEVERITIES = tuple(Severity)
CATEGORIES = tuple(Category)


def minutes_text(seconds: int) -> str:
    """Seconds as the minutes people type: 300 -> "5", 90 -> "1.5"."""
    return f"{seconds // 60}" if seconds % 60 == 0 else f"{seconds / 60:.1f}"


@dataclass(frozen=True)
class Area:
    min_latitude: float
    max_latitude: float
    min_longitude: float
    max_longitude: float

    def contains(self, latitude: float, longitude: float) -> bool:
        return (
            self.min_latitude <= latitude <= self.max_latitude and self.min_longitude <= longitude <= self.max_longitude
        )


@dataclass(frozen=True)
class SeverityPolicy:
    start: tuple[int, ...]
    after: dict[int, int]
    """Step -> seconds after filing."""


@dataclass(frozen=True)
class Policy:
    severities: dict[str, SeverityPolicy]
    renotify_every_seconds: int
    renotify_times: int
    min_timeout_seconds: int
    max_timeout_factor: float
    abandon_draft_seconds: int
    auto_close_seconds: int
    duplicate_radius_meters: float
    duplicate_window_seconds: int
    area: Area

    def timeline(self, severity: str, overrides: Mapping[int, int] | None = None) -> list[tuple[int, int]]:
        """Later steps with their seconds after filing, in order; a township's overrides applied."""
        after = {**self.severities[severity].after, **(overrides or {})}
        return sorted(after.items())

    def check_override(self, severity: str, step: int, seconds: int) -> None:
        default = self.severities[severity].after.get(step)
        if default is None:
            raise DomainError("policy.no_such_step", severity=severity, step=step)
        high = int(default * self.max_timeout_factor)
        if not self.min_timeout_seconds <= seconds <= high:
            raise DomainError(
                "policy.out_of_bounds", low=minutes_text(self.min_timeout_seconds), high=minutes_text(high)
            )


def load_policy(path: Path) -> Policy:
    with path.open("rb") as handle:
        raw = tomllib.load(handle)
    severities = {
        name: SeverityPolicy(tuple(spec["start"]), {int(step): int(s) for step, s in spec["after"].items()})
        for name, spec in raw["severity"].items()
    }
    if set(severities) != set(SEVERITIES):
        raise ValueError(f"{path}: severities must be exactly {', '.join(SEVERITIES)}")
    return Policy(
        severities=severities,
        renotify_every_seconds=raw["renotify_every_seconds"],
        renotify_times=raw["renotify_times"],
        min_timeout_seconds=raw["min_timeout_seconds"],
        max_timeout_factor=raw["max_timeout_factor"],
        abandon_draft_seconds=raw["abandon_draft_seconds"],
        auto_close_seconds=raw["auto_close_seconds"],
        duplicate_radius_meters=raw["duplicate_radius_meters"],
        duplicate_window_seconds=raw["duplicate_window_seconds"],
        area=Area(**raw["area"]),
    )
