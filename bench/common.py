"""Shared bits for benchmarks: a scratch database, timing and peak memory."""

import resource
import shutil
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

from sqlalchemy import text
from sqlmodel import SQLModel

from gridguard.db.database import Database
from gridguard.db.migrate import upgrade_to_head_async


@asynccontextmanager
async def scratch_database(url: str | None) -> AsyncIterator[Database]:
    """A migrated, empty database: a temporary SQLite file, or the given PostgreSQL database emptied."""
    folder = None
    if url is None:
        folder = tempfile.mkdtemp(prefix="gridguard-bench-")
        url = f"sqlite+aiosqlite:///{folder}/bench.db"
    await upgrade_to_head_async(url)
    db = Database(url)
    if not url.startswith("sqlite"):
        tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
        async with db.engine.begin() as connection:
            await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    try:
        yield db
    finally:
        await db.dispose()
        if folder:
            shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def stopwatch() -> Iterator[list[float]]:
    """Yields a list that holds the elapsed seconds once the block ends."""
    elapsed: list[float] = []
    start = time.perf_counter()
    yield elapsed
    elapsed.append(time.perf_counter() - start)


def peak_memory_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
