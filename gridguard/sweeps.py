"""The periodic sweeps, in one convention: each capability registers its own in its `capability` module as
`SWEEPS`, a sweep is `(session, tick) -> how many things it acted on`, and the scheduler runs every registered
sweep as often as it asks. A new capability's sweeps run by its being there."""

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from gridguard.capabilities import registered

EVERY_TICK = timedelta(0)
CLOCK_SWEEPS_EVERY = timedelta(seconds=30)
"""How often the clock-driven sweeps (duty, reminders, call-out reminders) look: their messages are
minute-grained, and how far they have looked is kept in the database."""


Setting = TypeVar("Setting")


@dataclass(frozen=True)
class Tick:
    """What every sweep is given besides its transaction: the one `now`, and the deployment's settings."""

    now: datetime
    zone: ZoneInfo
    default_language: str
    admin_ids: frozenset[int] = frozenset()
    settings: Mapping[type, Any] = field(default_factory=dict)
    """Capabilities' own settings by their type (the escalation policy, the duty reminder times), as the process
    that runs the sweeps was configured."""

    def setting(self, kind: type[Setting]) -> Setting:
        """The capability's setting of type `kind`; a sweep that needs one the process did not give is a bug."""
        value: Setting = self.settings[kind]
        return value


@dataclass(frozen=True)
class Sweep:
    name: str
    run: Callable[[AsyncSession, Tick], Awaitable[int]]
    every: timedelta = EVERY_TICK
    """How often it runs (every tick, or at most this often)."""


def registered_sweeps() -> tuple[Sweep, ...]:
    """Every capability's sweeps: each `gridguard.<package>.capability` module's SWEEPS, packages by name."""
    return registered("SWEEPS")
