"""The sandbox: a demo township, a member of each role, a terminal chat driven line by line."""

import pytest

from bot.app import build_bot, build_dispatcher
from bot.sandbox import PERSONAS, TerminalChat, seed
from bot.settings import Settings
from models import Database
from services.clock import SystemClock
from tests.fakes.telegram_server import FakeTelegram
from tests.fakes.users import Harness


async def test_a_newcomer_registers_and_a_station_head_invites_from_the_terminal(
    settings: Settings, db: Database, server: FakeTelegram, capsys: pytest.CaptureFixture[str]
) -> None:
    token = await seed(db, "350524100")
    bot = build_bot(server.token, server.base_url)
    chat = TerminalChat(Harness(server, bot, build_dispatcher(settings, db, SystemClock())), token)
    try:
        for line in (f"/start {token}", "吴新人", "#2", ":as 5", "/invite", "#1", "#2", "#2", ":who"):
            assert await chat.handle(line)
        assert not await chat.handle(":quit")
    finally:
        await bot.session.close()
    out = capsys.readouterr().out
    assert "注册成功" in out and "吴新人" in out
    assert "you are now 李站长" in out
    assert "邀请链接已生成" in out
    assert all(p.name in out for p in PERSONAS)
    assert server.errors == []
