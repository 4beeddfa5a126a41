"""Finding what a folder holds: the one walk the table registry, the capabilities and the Telegram edges share, so
a new capability is picked up by being there."""

import importlib
import pkgutil
from pathlib import Path
from types import ModuleType


def submodules(package: ModuleType, leaf: str) -> tuple[ModuleType, ...]:
    """`<package>.<sub>.<leaf>`, imported, for every subpackage that has one, subpackages by name. A subpackage
    without one is not imported at all (the table registry must not import the Telegram edge, and aiogram)."""
    found = []
    for sub in sorted(pkgutil.iter_modules(package.__path__, f"{package.__name__}."), key=lambda p: p.name):
        folder = Path(getattr(sub.module_finder, "path", "")) / sub.name.rsplit(".", 1)[-1]
        if sub.ispkg and ((folder / f"{leaf}.py").is_file() or (folder / leaf).is_dir()):
            found.append(importlib.import_module(f"{sub.name}.{leaf}"))
    return tuple(found)
