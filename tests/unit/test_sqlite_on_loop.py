"""SQLite runs on the event loop's thread, and still never freezes the loop while another process holds the lock."""

import asyncio
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Result, event, text
from sqlmodel.ext.asyncio.session import AsyncSession

from models import Database
from models.sqlite_on_loop import may_wait
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


async def test_a_write_waiting_for_another_process_lock_leaves_the_loop_free(tmp_path: Path) -> None:
    path = tmp_path / "locked.db"
    db = Database(sqlite_url(path))
    async with db.transaction() as session:
        await run(session, "CREATE TABLE note (body TEXT)")
    other_process = sqlite3.connect(path, isolation_level=None)
    other_process.execute("BEGIN IMMEDIATE")

    async def write() -> None:
        async with db.transaction() as session:
            await run(session, "INSERT INTO note VALUES ('kept')")

    try:
        writer = asyncio.create_task(write())
        await asyncio.sleep(0.05)
        async with db.reading() as session:
            rows_while_waiting = (await run(session, "SELECT count(*) FROM note")).scalar_one()
        assert not writer.done(), "the writer should still wait for the other process's lock"
        other_process.execute("COMMIT")
        await writer
        async with db.reading() as session:
            rows_after = (await run(session, "SELECT body FROM note")).scalars().all()
    finally:
        other_process.close()
        await db.dispose()
    assert rows_while_waiting == 0
    assert rows_after == ["kept"]


async def test_a_writer_cancelled_while_waiting_for_the_lock_leaves_the_connection_sound(tmp_path: Path) -> None:
    """Its BEGIN IMMEDIATE goes on waiting on the worker thread; the rollback that follows the cancellation must
    queue behind it there, not run beside it on the loop's thread."""
    path = tmp_path / "cancelled.db"
    db = Database(sqlite_url(path), pool_size=1, max_overflow=0)
    async with db.transaction() as session:
        await run(session, "CREATE TABLE note (body TEXT)")
    other_process = sqlite3.connect(path, isolation_level=None)
    other_process.execute("BEGIN IMMEDIATE")

    async def write() -> None:
        async with db.transaction() as session:
            await run(session, "INSERT INTO note VALUES ('never')")

    try:
        writer = asyncio.create_task(write())
        await asyncio.sleep(0.05)
        writer.cancel()
        await asyncio.sleep(0.05)
        other_process.execute("COMMIT")
        with pytest.raises(asyncio.CancelledError):
            await writer
        async with db.transaction() as session:
            await run(session, "INSERT INTO note VALUES ('kept')")
        async with db.reading() as session:
            rows = (await run(session, "SELECT body FROM note")).scalars().all()
    finally:
        other_process.close()
        await db.dispose()
    assert rows == ["kept"]


def test_only_statements_that_take_a_lock_leave_the_loop() -> None:
    assert may_wait(("BEGIN IMMEDIATE",))
    assert may_wait(("  pragma journal_mode=WAL",))
    assert not may_wait(("BEGIN",))
    assert not may_wait(("SELECT 1", ()))
    assert not may_wait(())
