"""The layer rules of docs/architecture.md, checked on the source: data flows Telegram -> gridguard/telegram (the
edge) -> the capability packages and the shared core below them, and nothing below the edge knows the channel."""

import ast
import importlib
from pathlib import Path

import pytest

from bot.paths import PROJECT_ROOT

EDGE_PACKAGES = ("aiogram", "gridguard.telegram", "bot")
DATABASE_CALLS = {"select", "insert", "update", "delete"}
TRANSACTIONS = {"transaction", "reading"}
"""What opens a transaction: the domain's use cases do, the edge never."""
SESSION_METHODS = {"exec", "execute", "add", "add_all", "delete", "get", "flush", "commit"}


def python_files(folder: str) -> list[Path]:
    return sorted((PROJECT_ROOT / folder).rglob("*.py"))


EDGE_FILES = [*python_files("gridguard/telegram"), PROJECT_ROOT / "bot" / "cli.py", *python_files("bot/commands")]
"""The chat's edge and the command line's: each calls a use case, which owns its transaction."""
DOMAIN_FILES = [p for p in python_files("gridguard") if p not in EDGE_FILES]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", DOMAIN_FILES, ids=lambda p: p.relative_to(PROJECT_ROOT).as_posix())
def test_the_domain_knows_nothing_of_the_channel(path: Path) -> None:
    offending = {m for m in imported_modules(path) if m == "aiogram" or m.startswith(EDGE_PACKAGES)}
    assert not offending, f"{path.relative_to(PROJECT_ROOT)} imports {sorted(offending)}"


@pytest.mark.parametrize("path", EDGE_FILES, ids=lambda p: p.relative_to(PROJECT_ROOT).as_posix())
def test_the_edge_calls_the_domain_not_the_database(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    offending = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        function = node.func
        if isinstance(function, ast.Name) and function.id in DATABASE_CALLS:
            offending.append(f"{function.id}() at line {node.lineno}")
        if (
            isinstance(function, ast.Attribute)
            and function.attr in SESSION_METHODS
            and isinstance(function.value, ast.Name)
            and function.value.id == "session"
        ):
            offending.append(f"session.{function.attr}() at line {node.lineno}")
        if isinstance(function, ast.Attribute) and function.attr in TRANSACTIONS:
            offending.append(f".{function.attr}() at line {node.lineno}: a use case owns its transaction")
    assert not offending, f"{path.relative_to(PROJECT_ROOT)} touches the database: {offending}"


ROLE_RULES = "gridguard/directory/permissions.py"
ROLE_RECORDS = {"gridguard/directory/members.py"}
"""Profiles record which roles a member holds (an admin role makes an admin); they decide nothing else."""


def role_rules_in(path: Path) -> list[str]:
    """Named roles (`Role.STATION_HEAD`) and the action table, where a rule would be decided."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "Role":
            found.append(f"Role.{node.attr} at line {node.lineno}")
        if isinstance(node, ast.Name) and node.id == "ACTION_ROLES":
            found.append(f"ACTION_ROLES at line {node.lineno}")
    return found


@pytest.mark.parametrize("path", python_files("gridguard"), ids=lambda p: p.relative_to(PROJECT_ROOT).as_posix())
def test_who_may_do_what_is_decided_in_permissions_only(path: Path) -> None:
    relative = path.relative_to(PROJECT_ROOT).as_posix()
    if relative == ROLE_RULES or relative in ROLE_RECORDS:
        return
    assert not role_rules_in(path), f"{relative} decides on roles: {role_rules_in(path)}"


def test_every_kind_of_button_has_its_own_callback_prefix() -> None:
    """Two kinds of button sharing a prefix would be told apart only by luck (how many parts their data has)."""
    from aiogram.filters.callback_data import CallbackData

    from gridguard.telegram import build_routers

    build_routers()
    prefixes = [kind.__prefix__ for kind in CallbackData.__subclasses__()]
    assert len(prefixes) > 20
    assert sorted(prefixes) == sorted(set(prefixes))


CAPABILITIES = {path.parent.name for path in (PROJECT_ROOT / "gridguard").glob("*/capability.py")}
"""The capability packages: those with a `capability` module (found, as the sweeper finds them)."""
SHARED_CORE = [
    *[p for folder in ("kernel", "db", "directory", "delivery") for p in python_files(f"gridguard/{folder}")],
    *sorted((PROJECT_ROOT / "gridguard").glob("*.py")),
]


def capability_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "gridguard" and parts[1] in CAPABILITIES else None


@pytest.mark.parametrize("path", SHARED_CORE, ids=lambda p: p.relative_to(PROJECT_ROOT).as_posix())
def test_the_shared_core_imports_no_capability(path: Path) -> None:
    """The kernel, the database, the directory (permissions included: capabilities import their actors from it),
    delivery, the sweeps' convention: a capability registers what they call back (gridguard/capabilities.py)."""
    assert {"reports", "duty", "reminders", "callouts"} <= CAPABILITIES
    offending = {m for m in imported_modules(path) if capability_of(m)}
    assert not offending, f"{path.relative_to(PROJECT_ROOT)} imports {sorted(offending)}"


def public_modules(capability: str) -> set[str]:
    module = importlib.import_module(f"gridguard.{capability}.capability")
    return {f"gridguard.{capability}.{name}" for name in getattr(module, "PUBLIC", ())}


@pytest.mark.parametrize(
    "path",
    [p for capability in sorted(CAPABILITIES) for p in python_files(f"gridguard/{capability}")],
    ids=lambda p: p.relative_to(PROJECT_ROOT).as_posix(),
)
def test_a_capability_uses_only_what_another_makes_public(path: Path) -> None:
    """Each capability module lists in PUBLIC what other capabilities may import (its tables, its enums, the
    roster others ask who is on duty); the rest is its own."""
    own = path.relative_to(PROJECT_ROOT).parts[1]
    offending = {
        m
        for m in imported_modules(path)
        if (other := capability_of(m)) not in (None, own) and m not in public_modules(str(other))
    }
    assert not offending, (
        f"{path.relative_to(PROJECT_ROOT)} imports internals of another capability: {sorted(offending)}"
    )


WIZARD = "gridguard/telegram/wizard.py"
RAW_FSM_DATA = {"get_data", "set_data", "update_data"}


@pytest.mark.parametrize("path", python_files("gridguard"), ids=lambda p: p.relative_to(PROJECT_ROOT).as_posix())
def test_conversation_data_is_read_and_written_typed(path: Path) -> None:
    """A wizard's data goes through wizard.read/write and its WizardData model: no step names a key as a string."""
    if path.relative_to(PROJECT_ROOT).as_posix() == WIZARD:
        return
    raw = [
        f"{node.func.attr}() at line {node.lineno}"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in RAW_FSM_DATA
    ]
    assert not raw, f"{path.relative_to(PROJECT_ROOT)} reads or writes FSM data by key: {raw}"
