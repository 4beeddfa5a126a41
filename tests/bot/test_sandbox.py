"""The sandbox: a demo township, a member of each role, a terminal chat driven line by line."""

import asyncio
import os
import signal
import sys
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import build_bot, build_dispatcher
from bot.paths import PROJECT_ROOT
from bot.sandbox import GROUP_ID, PERSONAS, SandboxClock, TerminalChat, describe, seed
from bot.settings import Settings
from gridguard.db.database import Database
from tests.fakes.local_http import close_bot
from tests.fakes.telegram_server import FakeTelegram, SentMessage
from tests.fakes.users import Harness


@pytest.fixture
async def chat(settings: Settings, db: Database, server: FakeTelegram) -> AsyncIterator[TerminalChat]:
    token = await seed(db, "350524100")
    bot = build_bot(server.token, server.base_url)
    clock = SandboxClock()
    swept: list[datetime] = []

    async def sweep() -> None:
        swept.append(clock.now())

    harness = Harness(server, bot, build_dispatcher(settings, db, clock))
    terminal = TerminalChat(harness, token, clock, sweep)
    terminal.swept = swept  # type: ignore[attr-defined]
    yield terminal
    await close_bot(bot)


async def test_a_newcomer_registers_and_a_station_head_invites_from_the_terminal(
    chat: TerminalChat, server: FakeTelegram, capsys: pytest.CaptureFixture[str]
) -> None:
    for line in (f"/start {chat.token}", "吴新人", "#2", ":as 5", "/invite", "#1", "#2", "#2", ":who"):
        assert await chat.handle(line)
    assert not await chat.handle(":quit")
    out = capsys.readouterr().out
    assert "注册成功" in out and "吴新人" in out
    assert "you are now 李站长" in out
    assert "邀请链接已生成" in out
    assert all(p.name in out for p in PERSONAS[:-1])
    assert server.errors == []


async def test_who_shows_roles_and_the_newcomer_once_registered(
    chat: TerminalChat, capsys: pytest.CaptureFixture[str]
) -> None:
    await chat.handle(":who")
    before = capsys.readouterr().out
    assert "李站长 — 应急站站长" in before and "not registered" in before
    for line in (f"/start {chat.token}", "吴新人", "#2", ":who"):
        await chat.handle(line)
    after = capsys.readouterr().out.split("注册成功")[-1]
    assert "吴新人 — 网格员" in after and "not registered" not in after


async def test_photos_pins_voice_and_older_buttons_and_the_group(
    chat: TerminalChat, capsys: pytest.CaptureFixture[str]
) -> None:
    await chat.handle(":as 5")
    await chat.handle(":g /linkgroup")
    await chat.handle(":as 1")
    await chat.handle("/report")
    first_question = chat.users[PERSONAS[0].telegram_id].last_with_buttons()
    await chat.handle("/report")
    await chat.handle(f"#{first_question.message_id}:1")
    out = capsys.readouterr().out
    assert "应急站值班群" in out and "值班群" in out
    assert "类别：🔥 火灾隐患" in out, "a button of an older message was pressed"
    chat.harness.server.messages[GROUP_ID].clear()
    await chat.handle("#1")
    await chat.handle(":loc")
    await chat.handle(":photo")
    await chat.handle(":voice")
    await chat.handle("✅ 完成")
    await chat.handle("#1")
    assert "已收到语音说明" in capsys.readouterr().out


async def test_the_clock_moves_on_and_the_sweeps_run_and_unknown_commands_are_named(
    chat: TerminalChat, capsys: pytest.CaptureFixture[str]
) -> None:
    assert chat.clock is not None
    before = datetime.now(UTC)
    await chat.handle(":clock +2h")
    assert chat.clock.now() - before >= timedelta(hours=2)
    assert len(chat.swept) == 1  # type: ignore[attr-defined]
    await chat.handle(":clock -1h")
    await chat.handle(":clock +99d")
    assert chat.clock.now() - before < timedelta(hours=3), "never back, never by months"
    await chat.handle(":frobnicate")
    out = capsys.readouterr().out
    assert "the bot's clock now reads" in out and "usage: :clock" in out
    assert "unknown sandbox command :frobnicate" in out


async def test_a_roster_file_is_sent_to_the_import_and_enough_members_stand_duty(
    chat: TerminalChat, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    on_duty = [p for p in PERSONAS if p.role is not None and p.role.value == "station_duty"]
    assert len(on_duty) >= 3 and any(p.role is not None and p.role.value == "rescue_team" for p in PERSONAS)
    roster = tmp_path / "roster.csv"
    roster.write_text("not,a,roster\n", encoding="utf-8")
    await chat.handle(":as 5")
    await chat.handle("/roster")
    await chat.handle("#4")
    await chat.handle(f":file {roster}")
    await chat.handle(":file /no/such/file.csv")
    out = capsys.readouterr().out
    assert "no such file: /no/such/file.csv" in out
    assert "第 1 行：应有 5 列" in out, "the bot read the file sent and refused it by line"


def test_photos_pins_and_voice_notes_show_what_they_carry() -> None:
    photo = SentMessage(1, 7, "sendPhoto", caption="🟠 重大 · 🔥 火灾隐患", media={"photo": [{"file_id": "p"}]})
    pin = SentMessage(1, 8, "sendLocation", media={"location": {"latitude": 25.0553, "longitude": 118.1867}})
    voice = SentMessage(1, 9, "sendVoice", media={"voice": {"file_id": "v"}}, reply_to=7)
    assert describe(photo, "陈安全").splitlines()[-1] == "[photo] 🟠 重大 · 🔥 火灾隐患"
    assert describe(pin, "陈安全").splitlines()[-1] == "[pin] 25.05530, 118.18670"
    assert describe(voice, "陈安全").splitlines()[-2:] == ["🤖 → 陈安全 · message 9, replying to message 7:", "[voice]"]


def test_the_sandbox_starts_quiet_and_ctrl_c_ends_it_at_once() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("BOT_TOKEN", "TELEGRAM_API_BASE", "DATABASE_URL")}
    output, waited = asyncio.run(run_until_prompt_then_interrupt(env))
    assert "apscheduler" not in output.lower() and "Running job" not in output
    assert " INFO " not in output, "log lines stay out of the chat"
    assert waited < 5, f"Ctrl-C took {waited:.1f} s"


async def run_until_prompt_then_interrupt(env: dict[str, str]) -> tuple[str, float]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "sandbox", cwd=PROJECT_ROOT, env=env,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    assert process.stdout is not None
    seen = b""
    while b"> " not in seen.split(b"/start")[-1]:
        seen += await asyncio.wait_for(process.stdout.read(1024), 60)
    await asyncio.sleep(0.5)
    interrupted = time.monotonic()
    process.send_signal(signal.SIGINT)
    rest, _ = await asyncio.wait_for(process.communicate(), 30)
    return (seen + rest).decode(), time.monotonic() - interrupted


async def test_a_flood_drill_is_started_from_the_terminal(
    chat: TerminalChat, capsys: pytest.CaptureFixture[str]
) -> None:
    for line in (":as 5", "/plan", "#1", "#1", "#2"):
        assert await chat.handle(line)
    preview = capsys.readouterr().out
    assert "【演练】启动防汛防台风应急预案Ⅳ级响应？" in preview
    await chat.handle("#1")
    assert "已启动Ⅳ级响应：下发任务 5 项" in capsys.readouterr().out, "three on duty and the village officer's two"
