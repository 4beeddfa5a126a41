"""Apply Alembic migrations from code (used by `python -m bot`, `migrate`, the sandbox and tests)."""

import asyncio
import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from gridguard.db.database import ensure_sqlite_folder

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def version_locations() -> list[Path]:
    """The shared history (`migrations/versions`), and each package's own `migrations` folder: a capability added
    later brings its tables' migrations in its folder, one history with the rest."""
    return [PROJECT_ROOT / "migrations" / "versions", *sorted(PROJECT_ROOT.glob("gridguard/*/migrations"))]


def alembic_config(database_url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.set_main_option("version_locations", os.pathsep.join(str(path) for path in version_locations()))
    config.attributes["database_url"] = database_url
    return config


def upgrade_to_head(database_url: str) -> None:
    ensure_sqlite_folder(database_url)
    command.upgrade(alembic_config(database_url), "head")


async def upgrade_to_head_async(database_url: str) -> None:
    """Alembic's env runs its own event loop, so it gets a thread of its own."""
    await asyncio.to_thread(upgrade_to_head, database_url)


def head_revision() -> str | None:
    """The newest migration this code carries."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
