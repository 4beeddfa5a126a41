"""With REDIS_URL, conversations live in Redis: a user can start on one instance and finish on another."""

import os
from collections.abc import AsyncIterator

import pytest
from aiogram.fsm.storage.redis import RedisStorage

from bot.app import build_bot, build_dispatcher
from bot.settings import Settings
from gridguard.db.database import Database
from gridguard.directory.enums import Role
from gridguard.directory.members import load_profile
from tests.fakes.clock import FakeClock
from tests.fakes.local_http import close_bot
from tests.fakes.telegram_server import FakeTelegram
from tests.fakes.users import Harness
from tests.fakes.world import TOWNSHIP_A, VILLAGE_A1, import_townships, invite_token

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(not TEST_REDIS_URL, reason="set TEST_REDIS_URL (CI does) to run against Redis")


@pytest.fixture
async def two_instances(
    settings: Settings, db: Database, clock: FakeClock, server: FakeTelegram
) -> AsyncIterator[tuple[Harness, Harness]]:
    shared = settings.model_copy(update={"redis_url": TEST_REDIS_URL})
    instances = []
    for _ in range(2):
        dp = build_dispatcher(shared, db, clock)
        assert isinstance(dp.storage, RedisStorage)
        instances.append(Harness(server, build_bot(server.token, server.base_url), dp))
    await instances[0].dp.storage.redis.flushdb()  # type: ignore[attr-defined]
    yield instances[0], instances[1]
    for harness in instances:
        await close_bot(harness.bot)
        await harness.dp.storage.close()


async def test_a_conversation_continues_on_another_instance(
    two_instances: tuple[Harness, Harness], db: Database, clock: FakeClock
) -> None:
    first, second = two_instances
    await import_townships(db, clock.now(), TOWNSHIP_A)
    token = await invite_token(db, clock.now(), VILLAGE_A1, Role.GRID_WORKER)
    on_first = first.user("陈", user_id=3001)
    on_second = second.user("陈", user_id=3001)
    await on_first.send(f"/start {token}")
    await on_second.send("陈建国")
    [done] = await on_first.send("跳过")
    assert "注册成功" in done.shown
    async with db.transaction() as session:
        profile = await load_profile(session, 3001, frozenset())
    assert profile is not None and profile.name == "陈建国"
