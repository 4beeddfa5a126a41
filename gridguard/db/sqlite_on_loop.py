"""SQLite statements on the event loop's thread, without a thread hop each.

aiosqlite runs every call on a worker thread and wakes the loop for each result: about four hops per statement,
which cost a third of the bot's CPU per report (bench.reporting). A local SQLite call takes microseconds, less
than the hop. So this connection runs calls on the loop's thread, and sends to the worker thread only what may
wait for another process: taking the write lock (BEGIN IMMEDIATE, waited out by busy_timeout) and switching the
journal mode. Inside a write transaction nothing waits: in WAL mode, readers never block the writer, and this
process's writers already queue on the database's write gate before BEGIN IMMEDIATE.
"""

import asyncio
import contextlib
import sqlite3
from collections.abc import Callable
from functools import partial
from typing import Any

import aiosqlite

MAY_WAIT_FOR_A_LOCK = ("BEGIN IMMEDIATE", "BEGIN EXCLUSIVE", "PRAGMA JOURNAL_MODE")


def may_wait(args: tuple[Any, ...]) -> bool:
    """Whether a call is a statement that may wait for another connection's lock."""
    return bool(args) and isinstance(args[0], str) and args[0].lstrip().upper().startswith(MAY_WAIT_FOR_A_LOCK)


class LoopConnection(aiosqlite.Connection):
    """An aiosqlite connection whose calls run on the loop's thread, except those that may wait for a lock.

    A call sent to the worker thread runs there to its end even if its caller is cancelled meanwhile (a stop, a
    timeout); until it has, every further call queues behind it on that thread, so the connection is never used
    from two threads at once.
    """

    _thread_calls = 0

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if may_wait(args) or self._thread_calls:
            return await self._on_worker_thread(partial(fn, *args, **kwargs))
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        return fn(*args, **kwargs)

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
