"""A pooled PostgreSQL connection that died meanwhile (the server restarted, a backend was terminated) is replaced at
checkout, so the next use case works as if nothing happened (gridguard/db/database.py)."""

import asyncio
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from gridguard.db.database import Database
from tests.conftest import TEST_DATABASE_URL

pytestmark = pytest.mark.skipif(
    not TEST_DATABASE_URL, reason="PostgreSQL only (CI's second run): set TEST_DATABASE_URL"
)


async def _backend(db: Database) -> tuple[int, Any]:
    """The server's process id of the connection a transaction ran on, and that connection's driver."""
    async with db.transaction() as session:
        connection = await session.connection()
        raw = await connection.get_raw_connection()
        pid = int((await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one())
        return pid, raw.driver_connection


async def _seen_closed(driver: Any) -> None:
    """Until the client has read the server's close: pg_terminate_backend only signals the backend, which then
    exits and closes the socket a moment later."""
    for _ in range(500):
        if driver.is_closed():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the terminated connection still looks open")


async def test_a_transaction_after_its_pooled_connection_was_terminated_runs_on_a_fresh_one() -> None:
    assert TEST_DATABASE_URL is not None
    db = Database(TEST_DATABASE_URL, pool_size=1, max_overflow=0)
    admin = create_async_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    try:
        before, driver = await _backend(db)
        async with admin.connect() as connection:
            await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": before})
        await _seen_closed(driver)

        after, _ = await _backend(db)

        assert after != before
        assert (await _backend(db))[0] == after
    finally:
        await db.dispose()
        await admin.dispose()
