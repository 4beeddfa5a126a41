"""Apply Alembic migrations from code (used by `python -m bot`, `migrate`, the sandbox and tests)."""

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from gridguard.db.database import ensure_sqlite_folder

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def alembic_config(database_url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
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
