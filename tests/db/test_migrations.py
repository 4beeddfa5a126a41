"""Migrations and models agree, and every migration can be undone and redone."""

import asyncio
import os
import sys

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel

import gridguard.db.registry  # noqa: F401  (every table on SQLModel.metadata)
from bot.paths import PROJECT_ROOT
from gridguard.db.database import Database
from gridguard.db.migrate import alembic_config
from tests.conftest import TEST_DATABASE_URL


def differences(connection: Connection) -> list[object]:
    return list(compare_metadata(MigrationContext.configure(connection), SQLModel.metadata))


async def test_the_migrated_schema_matches_the_models(db: Database) -> None:
    async with db.engine.connect() as connection:
        assert await connection.run_sync(differences) == []


async def test_downgrade_to_base_and_upgrade_again(tmp_path: object) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/roundtrip.db"
    config = alembic_config(url)
    await asyncio.to_thread(command.upgrade, config, "head")
    await asyncio.to_thread(command.downgrade, config, "base")
    await asyncio.to_thread(command.upgrade, config, "head")
    db = Database(url)
    async with db.engine.connect() as connection:
        assert await connection.run_sync(differences) == []
    await db.dispose()


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="PostgreSQL only (CI's second run): set TEST_DATABASE_URL")
async def test_instances_starting_together_on_postgresql_migrate_one_after_another() -> None:
    assert TEST_DATABASE_URL is not None
    admin = create_async_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text("DROP DATABASE IF EXISTS gridguard_race WITH (FORCE)"))
        await connection.execute(text("CREATE DATABASE gridguard_race"))
    url = make_url(TEST_DATABASE_URL).set(database="gridguard_race").render_as_string(hide_password=False)
    try:
        migrations = [
            await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "migrate", env={**os.environ, "DATABASE_URL": url}, cwd=PROJECT_ROOT,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
            )
            for _ in range(3)
        ]  # fmt: skip
        outputs = [(await process.communicate())[0].decode() for process in migrations]
        assert [process.returncode for process in migrations] == [0, 0, 0], outputs
        db = Database(url)
        async with db.engine.connect() as connection:
            assert await connection.run_sync(differences) == []
        await db.dispose()
    finally:
        async with admin.connect() as connection:
            await connection.execute(text("DROP DATABASE IF EXISTS gridguard_race WITH (FORCE)"))
        await admin.dispose()
