"""Finding what a folder holds: the one walk the table registry, the capabilities and the Telegram edges share, so
a new capability is picked up by being there."""

import importlib
import importlib.util
import pkgutil
from types import ModuleType


def submodules(package: ModuleType, leaf: str) -> tuple[ModuleType, ...]:
    """`<package>.<sub>.<leaf>`, imported, for every subpackage that has one, subpackages by name."""
    found = []
    for sub in sorted(pkgutil.iter_modules(package.__path__, f"{package.__name__}."), key=lambda p: p.name):
        name = f"{sub.name}.{leaf}"
        if sub.ispkg and importlib.util.find_spec(name) is not None:
            found.append(importlib.import_module(name))
    return tuple(found)
