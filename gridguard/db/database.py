"""Engine and session factory: SQLite (aiosqlite) tuned for concurrent use, or PostgreSQL (asyncpg)."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.util import await_only as await_
from sqlmodel.ext.asyncio.session import AsyncSession

from gridguard.db.driver_transaction import driver_transaction
from gridguard.db.sqlite_on_loop import connect_on_loop

SQLITE_BUSY_TIMEOUT_SECONDS = 30
READ_ONLY_OPTION = "gridguard_read_only"
POSTGRES_POOL: dict[str, Any] = {"pool_size": 10, "max_overflow": 0}
"""Ten connections kept open and no more: a burst of 200 reports queues for them (each transaction holds one for a
few round trips) instead of opening and closing overflow connections, which costs a connect, its authentication and
every statement prepared again. No use case opens a transaction inside another (the suite passes with one)."""
CHECKOUT_TIMEOUT_SECONDS = 30
"""How long a transaction waits for a PostgreSQL connection before it gives up (SQLAlchemy's own pool timeout)."""


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def on_postgres(session: "AsyncSession") -> bool:
    """Whether this session talks to PostgreSQL (for its dialect's INSERT … ON CONFLICT and row locks)."""
    return session.get_bind().dialect.name == "postgresql"


def ensure_sqlite_folder(url: str) -> None:
    """Create the folder of an SQLite file database so the first run just works."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)


def _tune_sqlite(engine: AsyncEngine) -> None:
    """Statements on the loop's thread (gridguard/db/sqlite_on_loop.py); WAL, a busy timeout, and BEGIN IMMEDIATE so two
    writers wait instead of failing.

    Read-only transactions (`Database.reading`) begin deferred, so they never queue behind writers.
    """

    @event.listens_for(engine.sync_engine, "do_connect")
    def on_do_connect(dialect: Any, _record: Any, cargs: list[Any], cparams: dict[str, Any]) -> Any:
        return dialect.dbapi.connect(*cargs, async_creator_fn=connect_on_loop, **cparams)

    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_SECONDS * 1000}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(connection: Any) -> None:
        """BEGIN sent to the driver itself: every transaction pays for it, and SQLAlchemy's execution around a
        statement costs more than the statement (gridguard/db/direct.py)."""
        read_only = connection.get_execution_options().get(READ_ONLY_OPTION, False)
        await_(_run_on_driver(connection.connection.driver_connection, "BEGIN" if read_only else "BEGIN IMMEDIATE"))


async def _run_on_driver(driver: Any, sql: str) -> None:
    cursor = await driver.execute(sql)
    await cursor.close()


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    if is_sqlite(url):
        ensure_sqlite_folder(url)
        engine = create_async_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS}, **kwargs)
        _tune_sqlite(engine)
        return engine
    engine = create_async_engine(url, **(POSTGRES_POOL | kwargs))
    event.listen(engine.sync_engine, "checkout", _refuse_closed_connection)
    return engine


def _refuse_closed_connection(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """A pooled PostgreSQL connection the server closed meanwhile (a restart, a terminated backend) is replaced at
    checkout: asyncpg saw the socket close while the connection sat in the pool, so asking costs no round trip,
    where SQLAlchemy's pre-ping costs three (BEGIN, a statement, ROLLBACK) on every checkout."""
    if dbapi_connection.driver_connection.is_closed():
        raise DisconnectionError("the server closed this pooled connection")


def _slots_for(pool: dict[str, Any]) -> asyncio.Semaphore | None:
    """One slot per connection the pool may open (none to count when its overflow is unlimited)."""
    return None if pool["max_overflow"] < 0 else asyncio.Semaphore(pool["pool_size"] + pool["max_overflow"])


class Database:
    """Owns the engine; hands out sessions and transactions (the unit of work)."""

    def __init__(self, url: str, write_gate: asyncio.Lock | None = None, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = create_engine(url, **engine_kwargs)
        self._write_gate = (write_gate or asyncio.Lock()) if is_sqlite(url) else None
        self._connection_slots = None if is_sqlite(url) else _slots_for(POSTGRES_POOL | engine_kwargs)
        self._sessions = async_sessionmaker(self.engine, class_=AsyncSession, expire_on_commit=False)
        self._read_sessions = async_sessionmaker(
            self.engine.execution_options(**{READ_ONLY_OPTION: True}),
            class_=AsyncSession,
            expire_on_commit=False,
        )
        self._autocommit_sessions = async_sessionmaker(
            self.engine.execution_options(isolation_level="AUTOCOMMIT"), class_=AsyncSession, expire_on_commit=False
        )

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session inside one transaction: committed on success, rolled back on error.

        On SQLite, writers of this process queue on an asyncio lock before BEGIN IMMEDIATE: the next one starts
        the moment the last commits, instead of sleeping in SQLite's busy handler (which backs off to 100 ms).
        On PostgreSQL the transaction is begun and ended on the driver (gridguard/db/driver_transaction.py).
        Never open a transaction inside another one.
        """
        if self._write_gate is None:
            async with self._on_the_driver() as session:
                yield session
            return
        async with self._write_gate, self._sessions() as session, session.begin():
            yield session

    @asynccontextmanager
    async def one_statement(self) -> AsyncIterator[AsyncSession]:
        """A session for a write that is one statement (an executemany too): on PostgreSQL it commits by itself,
        without BEGIN and COMMIT, two round trips of three; on SQLite it is a transaction as usual."""
        if self._write_gate is not None:
            async with self.transaction() as session:
                yield session
            return
        async with self._connection_slot(), self._autocommit_sessions() as session, session.begin():
            yield session

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        """A session for reads only: on SQLite its transaction doesn't take the write lock."""
        if self._write_gate is None:
            async with self._on_the_driver() as session:
                yield session
            return
        async with self._read_sessions() as session, session.begin():
            yield session

    @asynccontextmanager
    async def _on_the_driver(self) -> AsyncIterator[AsyncSession]:
        """PostgreSQL's transactions, for writing and reading alike: a connection slot, then the driver's own."""
        async with self._connection_slot(), driver_transaction(self.engine) as session:
            yield session

    @asynccontextmanager
    async def _connection_slot(self) -> AsyncIterator[None]:
        """PostgreSQL: wait for a free connection on a semaphore as large as the pool, so SQLAlchemy's pool always
        has one at checkout; its own queue waits with `asyncio.wait_for`, a task and a timer per waiter, and in a
        burst nearly every checkout waits (docs/performance.md, "Connection slots")."""
        slots = self._connection_slots
        if slots is None:
            yield
            return
        if slots.locked():
            async with asyncio.timeout(CHECKOUT_TIMEOUT_SECONDS):
                await slots.acquire()
        else:
            await slots.acquire()
        try:
            yield
        finally:
            slots.release()

    def separate_pool(self, pool_size: int = 2) -> "Database":
        """The same database through connections of its own (a bulkhead: delivery never waits behind a burst of
        handlers for a connection); on SQLite its writers still queue at this one's write gate."""
        return Database(self.url, write_gate=self._write_gate, pool_size=pool_size, max_overflow=pool_size)

    async def dispose(self) -> None:
        await self.engine.dispose()
