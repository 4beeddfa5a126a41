"""`python -m bot copy-database --to URL`: every table of one database into another, empty one (SQLite to
PostgreSQL when a deployment outgrows one machine).

Both are at the same migration first (the caller migrates them). Tables go parents first and rows in id order, so
every foreign key finds its row; PostgreSQL's id sequences then continue after the copied rows. The counts of every
table are compared at the end.
"""

from sqlalchemy import Integer, Table, func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import SQLModel

import gridguard.db.registry  # noqa: F401  (every table on SQLModel.metadata)
from gridguard.db.database import create_engine

BATCH = 1000
SEEDED_BY_MIGRATIONS = frozenset({"directory_version"})
"""Tables a migration fills: an empty database holds their rows, and the copy replaces them."""


class CopyError(Exception):
    """One line saying why nothing (more) was copied."""


def tables() -> list[Table]:
    return list(SQLModel.metadata.sorted_tables)


async def copy_database(source_url: str, target_url: str) -> dict[str, int]:
    """Rows copied, by table; refuses a target holding any row."""
    source, target = create_engine(source_url), create_engine(target_url)
    try:
        async with source.connect() as reading, target.begin() as writing:
            filled = [t.name for t in tables() if t.name not in SEEDED_BY_MIGRATIONS and await _count(writing, t)]
            if filled:
                raise CopyError(f"the target is not empty ({', '.join(filled[:5])} hold rows); give an empty database")
            copied = {t.name: await _copy_table(reading, writing, t) for t in tables()}
            if writing.dialect.name == "postgresql":
                await _continue_sequences(writing)
            for table in tables():
                there = await _count(writing, table)
                if there != copied[table.name]:
                    raise CopyError(f"{table.name}: {copied[table.name]} rows read but {there} in the target")
        return copied
    finally:
        await source.dispose()
        await target.dispose()


async def _count(connection: AsyncConnection, table: Table) -> int:
    return int((await connection.execute(select(func.count()).select_from(table))).scalar_one())


async def _copy_table(reading: AsyncConnection, writing: AsyncConnection, table: Table) -> int:
    if table.name in SEEDED_BY_MIGRATIONS:
        await writing.execute(table.delete())
    copied = 0
    rows = await reading.stream(select(table).order_by(*table.primary_key.columns))
    async for batch in rows.mappings().partitions(BATCH):
        await writing.execute(table.insert(), [dict(row) for row in batch])
        copied += len(batch)
    return copied


async def _continue_sequences(writing: AsyncConnection) -> None:
    """New rows on PostgreSQL take ids after the copied ones."""
    for table in tables():
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not isinstance(keys[0].type, Integer):
            continue
        name = keys[0].name
        statement = text(
            f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', '{name}'), "
            f'coalesce((SELECT max("{name}") FROM "{table.name}"), 0) + 1, false) '
            f"WHERE pg_get_serial_sequence('\"{table.name}\"', '{name}') IS NOT NULL"
        )
        await writing.execute(statement)
