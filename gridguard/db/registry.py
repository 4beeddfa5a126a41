"""Every table on SQLModel.metadata, for migrations and the database copy: each package's `tables` module, found
by walking the packages (a new capability's tables are registered by being there)."""

import importlib
import importlib.util
import pkgutil

import gridguard


def register_every_table() -> list[str]:
    """Import every `gridguard.<package>.tables`; the modules imported."""
    found = []
    for package in pkgutil.iter_modules(gridguard.__path__, f"{gridguard.__name__}."):
        if package.ispkg and importlib.util.find_spec(f"{package.name}.tables") is not None:
            importlib.import_module(f"{package.name}.tables")
            found.append(f"{package.name}.tables")
    return found


TABLE_MODULES = register_every_table()
