"""PostgreSQL: transactions wait for a connection on the database's own slots, so SQLAlchemy's pool never waits
(gridguard/db/database.py): more transactions than connections take turns, and one waits no longer than the
checkout timeout."""

import asyncio

import pytest
from sqlalchemy import text

from gridguard.db import database
from gridguard.db.database import Database
from tests.conftest import TEST_DATABASE_URL

pytestmark = pytest.mark.skipif(
    not TEST_DATABASE_URL, reason="PostgreSQL only (CI's second run): set TEST_DATABASE_URL"
)


async def _hold(db: Database, seconds: float, reading: bool = False) -> int:
    async with db.reading() if reading else db.transaction() as session:
        await asyncio.sleep(seconds)
        return int((await session.exec(text("SELECT 1"))).scalar_one())  # type: ignore[call-overload]


async def test_twenty_transactions_on_two_connections_take_turns_where_the_pool_alone_would_time_out() -> None:
    assert TEST_DATABASE_URL is not None
    db = Database(TEST_DATABASE_URL, pool_size=2, max_overflow=0, pool_timeout=0.01)
    try:
        done = await asyncio.gather(*(_hold(db, 0.01, reading=n % 2 == 0) for n in range(20)))
        assert done == [1] * 20
    finally:
        await db.dispose()


async def test_a_transaction_waits_for_a_connection_no_longer_than_the_checkout_timeout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert TEST_DATABASE_URL is not None
    monkeypatch.setattr(database, "CHECKOUT_TIMEOUT_SECONDS", 0.05)
    db = Database(TEST_DATABASE_URL, pool_size=1, max_overflow=0)
    try:
        holding = asyncio.create_task(_hold(db, 0.3))
        await asyncio.sleep(0.05)
        with pytest.raises(TimeoutError):
            await _hold(db, 0)
        assert await holding == 1
        assert await _hold(db, 0) == 1
    finally:
        await db.dispose()
