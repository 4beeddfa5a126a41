"""The real entry point, `run_bot`, polling the fake Bot API: a new user registers from an invite link."""

import asyncio
import contextlib
import gc
import json

from bot.app import run_bot
from bot.settings import Settings
from gridguard.db.database import Database
from gridguard.directory.enums import Role
from tests.fakes.clock import FakeClock
from tests.fakes.telegram_server import FakeTelegram
from tests.fakes.users import PollingHarness
from tests.fakes.world import TOWNSHIP_A, VILLAGE_A1, import_townships, invite_token


async def test_a_new_user_registers_through_the_running_bot(
    settings: Settings, db: Database, clock: FakeClock, server: FakeTelegram
) -> None:
    await import_townships(db, clock.now(), TOWNSHIP_A)
    token = await invite_token(db, clock.now(), VILLAGE_A1, Role.GRID_WORKER)
    running = asyncio.create_task(run_bot(settings, server.token, clock))
    try:
        user = PollingHarness(server).user("新人", language_code="zh-hans")
        [offer] = await user.send(f"/start {token}")
        assert "网格员" in offer.shown
        await user.send("吴新人")
        [done] = await user.send("跳过")
        assert "注册成功" in done.shown and "吴新人" in done.shown
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
    private_scope = json.dumps({"type": "all_private_chats"}, sort_keys=True)
    assert (private_scope, "en") in server.commands
    assert server.errors == []


async def test_the_running_bot_keeps_what_start_up_built_out_of_the_garbage_collectors_way(
    settings: Settings, db: Database, clock: FakeClock, server: FakeTelegram
) -> None:
    gc.unfreeze()
    running = asyncio.create_task(run_bot(settings, server.token, clock))
    try:
        [answer] = await PollingHarness(server).user("路人").send("/help")
        assert answer.shown
        assert gc.get_freeze_count() > 100_000
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
