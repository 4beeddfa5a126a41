"""Start-up checks that wait where waiting makes sense and otherwise stop with one line.

The database and Telegram may be starting too (a reboot, a container that comes up first): a refused
connection is retried with backoff, one log line per attempt, for up to STARTUP_WAIT_SECONDS. A fault that
waiting cannot mend (no such database, a token Telegram refuses, a folder that can't be written) stops the
start at once with one line naming the setting and the cause, never a traceback.
"""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.settings import Settings, StartupError
from gridguard.db.database import Database, ensure_sqlite_folder, is_sqlite
from gridguard.db.migrate import upgrade_to_head_async

log = logging.getLogger("gridguard.startup")
T = TypeVar("T")
Sleep = Callable[[float], Awaitable[Any]]

PERMANENT_DATABASE_FAULTS = (
    "InvalidCatalogNameError",
    "InvalidPasswordError",
    "InvalidAuthorizationSpecificationError",
)
"""asyncpg's names for a database that doesn't exist and for credentials it refuses."""


@dataclass(frozen=True)
class Patience:
    """How long start-up keeps trying, and how it spaces its attempts."""

    seconds: float
    first_delay: float = 1.0
    max_delay: float = 30.0
    sleep: Sleep = asyncio.sleep


def root_cause(error: BaseException) -> BaseException:
    """The innermost exception behind SQLAlchemy's and aiohttp's wrappers."""
    while True:
        inner = getattr(error, "orig", None) or error.__cause__
        if inner is None or inner is error:
            return error
        error = inner


def one_line(error: BaseException) -> str:
    cause = root_cause(error)
    message = str(cause).strip().splitlines()[0] if str(cause).strip() else ""
    return f"{type(cause).__name__}: {message}" if message else type(cause).__name__


async def with_patience(
    what: str,
    attempt: Callable[[], Awaitable[T]],
    transient: Callable[[BaseException], bool],
    patience: Patience,
) -> T:
    """Run `attempt` until it succeeds; retry transient failures with doubling waits while the waits add up to
    no more than the patience. A StartupError raised by `attempt` already says it all and passes through."""
    waited, delay, tries = 0.0, patience.first_delay, 1
    while True:
        try:
            return await attempt()
        except StartupError:
            raise
        except Exception as error:
            if not transient(error):
                raise StartupError(f"{what}: {one_line(error)}") from None
            if waited + delay > patience.seconds:
                raise StartupError(f"{what}: {one_line(error)} (gave up after {tries} attempts)") from None
            log.warning("%s: %s; attempt %d, retrying in %.1f s", what, one_line(error), tries, delay)
        await patience.sleep(delay)
        waited, delay, tries = waited + delay, min(patience.max_delay, delay * 2), tries + 1


def database_is_starting(error: BaseException) -> bool:
    cause = root_cause(error)
    if type(cause).__name__ in PERMANENT_DATABASE_FAULTS:
        return False
    return isinstance(cause, ConnectionError | TimeoutError) or (
        isinstance(cause, OSError) and not isinstance(cause, PermissionError | FileNotFoundError)
    )


async def wait_for_database(url: str, patience: Patience, setting: str = "DATABASE_URL") -> None:
    """Connect once (`SELECT 1`), waiting for a database that is still starting; a failure names `setting`."""
    shown = make_url(url).render_as_string(hide_password=True)

    async def connect() -> None:
        ensure_sqlite_folder(url)
        db = Database(url)
        try:
            async with db.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        finally:
            await db.dispose()

    transient = (lambda _error: False) if is_sqlite(url) else database_is_starting
    await with_patience(f"Setting {setting} ({shown})", connect, transient, patience)


async def ready_database(url: str, patience: Patience, setting: str = "DATABASE_URL") -> None:
    """Wait for the database (it may be starting too), then bring its schema up to date."""
    await wait_for_database(url, patience, setting)
    await upgrade_to_head_async(url)


@asynccontextmanager
async def opened_database(settings: Settings) -> AsyncIterator[Database]:
    """A command's database: waited for and brought up to date first (`ready_database`), disposed after."""
    await ready_database(settings.database_url, Patience(settings.startup_wait_seconds))
    db = Database(settings.database_url)
    try:
        yield db
    finally:
        await db.dispose()
