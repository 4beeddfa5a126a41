"""PostgreSQL: a transaction begun and ended on the driver, with the ORM session joining it only when used.

An empty `AsyncSession` transaction that runs one statement on the driver (gridguard/db/direct.py) cost 3.3–4.0
times the same BEGIN, statement and COMMIT sent on the pooled asyncpg connection by hand (`python -m
bench.transaction --database-url …`, 2026-12-04): seven greenlet switches, the session's and the connection's
transaction state, its flush and its close. This way: two switches, 1.5–2.2 times. The report path runs only driver
statements, so it paid that for nothing.

Here the pooled connection is checked out, and its transaction begun, committed or rolled back, on asyncpg itself
(through SQLAlchemy's asyncpg adapter, so the adapter, the pool and the session agree on whether a transaction is
open). The use case still gets an `AsyncSession`, bound to that connection and carrying it for `Direct`; anything
it does through the ORM (a cache miss, a duplicate offer, a roster lookup) begins the session on the same connection,
inside the same transaction, and then the session commits it as any session would.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.util import greenlet_spawn
from sqlmodel.ext.asyncio.session import AsyncSession

from gridguard.db.direct import DRIVER


@asynccontextmanager
async def driver_transaction(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """A session in one transaction on a pooled connection of `engine`: committed on success, rolled back on error.
    What it loaded is detached at the end either way, as a closed session leaves it, so nothing reaches for the
    connection once it is back in the pool."""
    pooled = await engine.raw_connection()
    session = AsyncSession(
        bind=AsyncConnection(engine, Connection(engine.sync_engine, connection=pooled)), expire_on_commit=False
    )
    session.info[DRIVER] = (engine.dialect, pooled)
    try:
        async with _ended(session, pooled.dbapi_connection):
            yield session
    finally:
        if session.identity_map:
            session.expunge_all()
        session.info.pop(DRIVER, None)
        await greenlet_spawn(pooled.close)


@asynccontextmanager
async def _ended(session: AsyncSession, adapted: Any) -> AsyncIterator[None]:
    """Commit on success, roll back on error: through the session if the ORM was used, else on the driver. A commit
    that fails leaves nothing open: the adapter forgets a transaction it tried to end, and the pool rolls back
    whatever else is open when the connection goes back."""
    try:
        yield
    except BaseException:
        if session.in_transaction():
            await session.rollback()
        elif adapted._transaction is not None:
            await adapted._call_and_discard(adapted._transaction.rollback)
        raise
    if session.new or session.dirty or session.deleted or session.in_transaction():
        await session.commit()
    elif adapted._transaction is not None:
        await adapted._call_and_discard(adapted._transaction.commit)
