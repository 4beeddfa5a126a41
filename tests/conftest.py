"""Fixtures: a migrated database per test (SQLite, or PostgreSQL with TEST_DATABASE_URL), a clock,
the fake Bot API server, and a harness with the real Dispatcher."""

import asyncio
import gc
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from aiogram import Bot
from sqlalchemy import text
from sqlmodel import SQLModel

from bot.app import build_bot, build_dispatcher
from bot.middlewares import LocalFloodBuckets, ThrottlingMiddleware
from bot.settings import Settings
from bot.telegram_sender import TelegramSender
from gridguard.db.database import Database
from gridguard.db.migrate import upgrade_to_head
from gridguard.delivery.delivery import DeliveryWorker
from tests.fakes.clock import FakeClock, FakeMonotonic, VirtualTimer
from tests.fakes.local_http import close_bot
from tests.fakes.telegram_server import FakeTelegram, Limits
from tests.fakes.users import Harness
from tests.scenarios.township import Township, build_township, seed_township

ADMIN_TELEGRAM_ID = 9001
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")


@pytest.fixture(autouse=True)
def _unfrozen_heap() -> Iterator[None]:
    """A test that runs the real bot (`run_bot`) freezes the heap, as the bot does once it has started: thaw it
    afterwards, so that test's objects don't outlive it."""
    yield
    gc.unfreeze()


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Migrate once per run: an SQLite template file, or the PostgreSQL test database itself."""
    if TEST_DATABASE_URL:
        reset_postgres_schema(TEST_DATABASE_URL)
        upgrade_to_head(TEST_DATABASE_URL)
        yield TEST_DATABASE_URL
        return
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade_to_head(sqlite_url(path))
    yield str(path)


def reset_postgres_schema(url: str) -> None:
    async def reset() -> None:
        db = Database(url)
        async with db.engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
        await db.dispose()

    asyncio.run(reset())


@pytest.fixture(scope="session")
def town_template(migrated_template: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """On SQLite, the migrated database with the township seeded, built once: `town` tests copy it. (Built on a
    thread of its own: the first `db` asks for it from inside the test's event loop.)"""
    path = tmp_path_factory.mktemp("town") / "town.db"
    shutil.copyfile(migrated_template, path)

    async def seed() -> None:
        database = Database(sqlite_url(path))
        await seed_township(database, FakeClock().now())
        await database.dispose()

    with ThreadPoolExecutor(1) as apart:
        apart.submit(asyncio.run, seed()).result()
    return str(path)


@pytest.fixture
async def db(request: pytest.FixtureRequest, migrated_template: str, tmp_path: Path) -> AsyncIterator[Database]:
    """A fresh database: migrated, and for a `town` test on SQLite already seeded (copied from `town_template`)."""
    if TEST_DATABASE_URL:
        database = Database(TEST_DATABASE_URL)
        tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
        async with database.engine.begin() as connection:
            await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    else:
        path = tmp_path / "test.db"
        seeded = "town" in request.fixturenames
        shutil.copyfile(request.getfixturevalue("town_template") if seeded else migrated_template, path)
        database = Database(sqlite_url(path))
    yield database
    await database.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def monotonic() -> FakeMonotonic:
    return FakeMonotonic()


@pytest.fixture
def limits() -> Limits:
    return Limits()


@pytest.fixture
async def server(limits: Limits, monotonic: FakeMonotonic) -> AsyncIterator[FakeTelegram]:
    """The fake server's rate limits run on the same virtual clock as the bot's throttle."""
    fake = FakeTelegram(limits=limits, clock=monotonic)
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
def settings(db: Database, server: FakeTelegram) -> Settings:
    return Settings(
        _env_file=None,
        bot_token=server.token,
        database_url=db.url,
        telegram_api_base=server.base_url,
        admin_ids=frozenset({ADMIN_TELEGRAM_ID}),
    )


@pytest.fixture
def timer(clock: FakeClock, monotonic: FakeMonotonic) -> VirtualTimer:
    return VirtualTimer(clock, monotonic)


@pytest.fixture
def worker(db: Database, clock: FakeClock, timer: VirtualTimer, outbox_bot: Bot) -> DeliveryWorker:
    """The delivery worker, on virtual time; the bot hands it new cards as it does in production. Tests run it
    with `run_until_idle` when they want what is queued delivered."""
    return DeliveryWorker(db, TelegramSender(outbox_bot), clock, timer, name="test")


@pytest.fixture
async def harness(
    settings: Settings,
    db: Database,
    clock: FakeClock,
    server: FakeTelegram,
    monotonic: FakeMonotonic,
    worker: DeliveryWorker,
) -> AsyncIterator[Harness]:
    async def wait_virtually(seconds: float) -> None:
        monotonic.advance(seconds)

    bot = build_bot(server.token, server.base_url, wait_out_flood=wait_virtually)
    throttle = ThrottlingMiddleware(settings.default_language, LocalFloodBuckets(clock=monotonic))
    dp = build_dispatcher(settings, db, clock, throttle=throttle, delivery=worker)
    yield Harness(server, bot, dp)
    await close_bot(bot)
    await dp.storage.close()


@pytest.fixture
async def outbox_bot(server: FakeTelegram) -> AsyncIterator[Bot]:
    """The delivery worker's own Bot, as in production: no retry middleware (the worker has its own policy)."""
    bot = build_bot(server.token, server.base_url)
    yield bot
    await close_bot(bot)


@pytest.fixture
async def town(
    harness: Harness,
    worker: DeliveryWorker,
    timer: VirtualTimer,
    db: Database,
    clock: FakeClock,
    monotonic: FakeMonotonic,
    settings: Settings,
) -> Township:
    """A township with one member of each role; people take a second between taps."""
    harness.pace = lambda: monotonic.advance(1.0)
    return await build_township(harness, worker, timer, db, clock, settings, seeded=not TEST_DATABASE_URL)
