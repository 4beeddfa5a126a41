"""The capabilities, found by walking the packages: each `gridguard.<package>.capability` module declares what its
capability registers (SWEEPS for the sweeper, WHEN_PAID_REFUSED for delivery, …). Nothing keeps a list of them."""

from functools import cache
from types import ModuleType
from typing import Any

import gridguard
from gridguard.kernel.packages import submodules


@cache
def capability_modules() -> tuple[ModuleType, ...]:
    """Every package's `capability` module, packages by name."""
    return submodules(gridguard, "capability")


def registered(attribute: str) -> tuple[Any, ...]:
    """What every capability registers under `attribute` (a tuple each), in package order."""
    return tuple(item for module in capability_modules() for item in getattr(module, attribute, ()))
