"""A pooled PostgreSQL connection that died meanwhile (the server restarted, a backend was terminated) is replaced at
checkout, so the next use case works as if nothing happened (gridguard/db/database.py)."""

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from gridguard.db.database import Database
from tests.conftest import TEST_DATABASE_URL

pytestmark = pytest.mark.skipif(
    not TEST_DATABASE_URL, reason="PostgreSQL only (CI's second run): set TEST_DATABASE_URL"
)


async def _backend_pid(db: Database) -> int:
    async with db.transaction() as session:
        connection = await session.connection()
        return int((await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one())


async def test_a_transaction_after_its_pooled_connection_was_terminated_runs_on_a_fresh_one() -> None:
    assert TEST_DATABASE_URL is not None
    db = Database(TEST_DATABASE_URL, pool_size=1, max_overflow=0)
    admin = create_async_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    try:
        before = await _backend_pid(db)
        async with admin.connect() as connection:
            await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": before})

        after = await _backend_pid(db)

        assert after != before
        assert await _backend_pid(db) == after
    finally:
        await db.dispose()
        await admin.dispose()
