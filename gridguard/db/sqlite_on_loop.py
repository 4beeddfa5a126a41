"""SQLite statements on the event loop's thread, without a thread hop each.

aiosqlite runs every call on a worker thread and wakes the loop for each result: about four hops per statement,
which cost a third of the bot's CPU per report (bench.reporting). A local SQLite call takes microseconds, less
than the hop. So this connection runs calls on the loop's thread, and sends to the worker thread only what may
wait for another process: taking the write lock (BEGIN IMMEDIATE, waited out by busy_timeout) when another
connection holds it, and switching the journal mode. The lock is first tried on the loop's thread without waiting
(busy_timeout 0 for that one statement): this process's writers already queue on the database's write gate, so it
is usually free, and the hop then costs more than the transaction's statements. Inside a write transaction nothing
waits: in WAL mode, readers never block the writer.
"""

import asyncio
import contextlib
import sqlite3
from collections.abc import Callable
from functools import partial
from typing import Any

import aiosqlite

MAY_WAIT_FOR_A_LOCK = ("BEGIN IMMEDIATE", "BEGIN EXCLUSIVE", "PRAGMA JOURNAL_MODE")


class LockHeld(Exception):
    """Another connection holds the write lock: taking it means waiting, on the worker thread."""


def statement(args: tuple[Any, ...]) -> str:
    """The SQL a call runs, upper-cased from its first word ("" for a call that runs none)."""
    return args[0].lstrip().upper() if args and isinstance(args[0], str) else ""


def may_wait(args: tuple[Any, ...]) -> bool:
    """Whether a call is a statement that may wait for another connection's lock."""
    return statement(args).startswith(MAY_WAIT_FOR_A_LOCK)


class LoopConnection(aiosqlite.Connection):
    """An aiosqlite connection whose calls run on the loop's thread, except those that may wait for a lock.

    A call sent to the worker thread runs there to its end even if its caller is cancelled meanwhile (a stop, a
    timeout); until it has, every further call queues behind it on that thread, so the connection is never used
    from two threads at once.
    """

    _thread_calls = 0
    _busy_timeout: int | None = None
    """The connection's own busy timeout (ms), put back after a BEGIN tried without waiting."""

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        sql = statement(args)
        if sql.startswith(MAY_WAIT_FOR_A_LOCK) or self._thread_calls:
            if not self._thread_calls and sql.startswith("BEGIN"):
                with contextlib.suppress(LockHeld):
                    return self._begin_if_free(fn, *args, **kwargs)
            return await self._on_worker_thread(partial(fn, *args, **kwargs))
        self._open_connection()
        return fn(*args, **kwargs)

    def _open_connection(self) -> sqlite3.Connection:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        return self._connection

    def _begin_if_free(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Take the write lock on the loop's thread when no other connection holds it (the usual case: this
        process's writers queue on its write gate first), without waiting; LockHeld if another has it."""
        connection = self._open_connection()
        if self._busy_timeout is None:
            self._busy_timeout = int(connection.execute("PRAGMA busy_timeout").fetchone()[0])
        connection.execute("PRAGMA busy_timeout=0")
        try:
            return fn(*args, **kwargs)
        except sqlite3.OperationalError as error:
            if error.sqlite_errorcode in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                raise LockHeld() from error
            raise
        finally:
            connection.execute(f"PRAGMA busy_timeout={self._busy_timeout}")

    async def _on_worker_thread(self, call: Callable[[], Any]) -> Any:
        loop = asyncio.get_running_loop()
        self._thread_calls += 1

        def run() -> Any:
            try:
                return call()
            finally:
                with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: nobody is left to tell
                    loop.call_soon_threadsafe(self._thread_call_done)

        return await super()._execute(run)

    def _thread_call_done(self) -> None:
        self._thread_calls -= 1


def connect_on_loop(database: str, *, iter_chunk_size: int = 64, **kwargs: Any) -> LoopConnection:
    """aiosqlite.connect's signature, for SQLAlchemy's `async_creator_fn`; the worker thread is a daemon."""
    connection = LoopConnection(partial(sqlite3.connect, database, **kwargs), iter_chunk_size)
    connection._thread.daemon = True
    return connection
