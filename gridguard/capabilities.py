"""The capabilities, found by walking the packages: each `gridguard.<package>.capability` module declares what its
capability registers (SWEEPS for the sweeper, WHEN_PAID_REFUSED for delivery, …). Nothing keeps a list of them."""

import importlib
import importlib.util
import pkgutil
from functools import cache
from types import ModuleType
from typing import Any

import gridguard


@cache
def capability_modules() -> tuple[ModuleType, ...]:
    """Every package's `capability` module, packages by name."""
    found = []
    for package in sorted(pkgutil.iter_modules(gridguard.__path__, "gridguard."), key=lambda p: p.name):
        name = f"{package.name}.capability"
        if package.ispkg and importlib.util.find_spec(name) is not None:
            found.append(importlib.import_module(name))
    return tuple(found)


def registered(attribute: str) -> tuple[Any, ...]:
    """What every capability registers under `attribute` (a tuple each), in package order."""
    return tuple(item for module in capability_modules() for item in getattr(module, attribute, ()))
