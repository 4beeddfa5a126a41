"""SQLite runs on the event loop's thread, and still never freezes the loop while another process holds the lock."""

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Result, event, text
from sqlmodel.ext.asyncio.session import AsyncSession

from gridguard.db.database import Database
from gridguard.db.sqlite_on_loop import LoopConnection, may_wait
from tests.conftest import sqlite_url


async def run(session: AsyncSession, sql: str) -> Result[Any]:
    connection = await session.connection()
    return await connection.execute(text(sql))


def _database_reporting_threads(path: Path) -> Database:
    db = Database(sqlite_url(path))

    @event.listens_for(db.engine.sync_engine, "connect")
    def add_thread_function(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.create_function("thread_id", 0, threading.get_ident)

    return db


async def test_statements_run_on_the_loop_thread(tmp_path: Path) -> None:
    db = _database_reporting_threads(tmp_path / "on_loop.db")
    try:
        async with db.reading() as session:
            ran_on = (await run(session, "SELECT thread_id()")).scalar_one()
        async with db.transaction() as session:
            wrote_on = (await run(session, "SELECT thread_id()")).scalar_one()
    finally:
        await db.dispose()
    assert ran_on == wrote_on == threading.get_ident()


@dataclass
class Locked:
    """A database with a `note` table whose write lock another process holds until `release`."""

    db: Database
    other_process: sqlite3.Connection

    def release(self) -> None:
        self.other_process.execute("COMMIT")

    async def notes(self) -> list[str]:
        async with self.db.reading() as session:
            return list((await run(session, "SELECT body FROM note")).scalars().all())

    async def write(self, body: str) -> None:
        async with self.db.transaction() as session:
            await run(session, f"INSERT INTO note VALUES ('{body}')")


@pytest.fixture
async def locked(tmp_path: Path) -> AsyncIterator[Locked]:
    path = tmp_path / "locked.db"
    db = Database(sqlite_url(path), pool_size=1, max_overflow=1)
    async with db.transaction() as session:
        await run(session, "CREATE TABLE note (body TEXT)")
    other_process = sqlite3.connect(path, isolation_level=None)
    other_process.execute("BEGIN IMMEDIATE")
    yield Locked(db, other_process)
    other_process.close()
    await db.dispose()


async def test_a_write_waiting_for_another_process_lock_leaves_the_loop_free(locked: Locked) -> None:
    writer = asyncio.create_task(locked.write("kept"))
    await asyncio.sleep(0.05)
    assert await locked.notes() == [], "a read is served while the write waits"
    assert not writer.done(), "the writer should still wait for the other process's lock"
    locked.release()
    await writer
    assert await locked.notes() == ["kept"]


async def test_a_writer_cancelled_while_waiting_for_the_lock_leaves_the_connection_sound(locked: Locked) -> None:
    """Its BEGIN IMMEDIATE goes on waiting on the worker thread; the rollback that follows the cancellation must
    queue behind it there, not run beside it on the loop's thread."""
    writer = asyncio.create_task(locked.write("never"))
    await asyncio.sleep(0.05)
    writer.cancel()
    await asyncio.sleep(0.05)
    locked.release()
    with pytest.raises(asyncio.CancelledError):
        await writer
    await locked.write("kept")
    assert await locked.notes() == ["kept"]


@pytest.fixture
def hops(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The calls sent to a connection's worker thread."""
    sent: list[str] = []
    original = LoopConnection._on_worker_thread

    async def counted(self: LoopConnection, call: Any) -> Any:
        sent.append(str(call.args[0]) if call.args else "")
        return await original(self, call)

    monkeypatch.setattr(LoopConnection, "_on_worker_thread", counted)
    return sent


async def test_a_free_write_lock_is_taken_without_leaving_the_loop(tmp_path: Path, hops: list[str]) -> None:
    db = Database(sqlite_url(tmp_path / "free.db"))
    try:
        async with db.transaction() as session:
            await run(session, "CREATE TABLE note (body TEXT)")
        hops.clear()
        async with db.transaction() as session:
            await run(session, "INSERT INTO note VALUES ('x')")
        async with db.reading() as session:
            waits = (await run(session, "PRAGMA busy_timeout")).scalar_one()
    finally:
        await db.dispose()
    assert hops == []
    assert waits == 30_000, "the connection's busy timeout is back after the BEGIN tried without waiting"


async def test_a_held_write_lock_is_waited_for_on_the_worker_thread(locked: Locked, hops: list[str]) -> None:
    writer = asyncio.create_task(locked.write("kept"))
    await asyncio.sleep(0.05)
    locked.release()
    await writer
    assert [sql.upper() for sql in hops] == ["BEGIN IMMEDIATE"]


def test_only_statements_that_take_a_lock_leave_the_loop() -> None:
    assert may_wait(("BEGIN IMMEDIATE",))
    assert may_wait(("  pragma journal_mode=WAL",))
    assert not may_wait(("BEGIN",))
    assert not may_wait(("SELECT 1", ()))
    assert not may_wait(())
