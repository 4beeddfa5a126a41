"""Reporting benchmark: 200 grid workers press "confirm" at the same moment.

Measured per report, from the moment the press is handed to the fake Bot API (the bot polls it, as from
Telegram) to (1) the reporter's confirmation with the report code and (2) the first escalation card reaching
the village safety officer (through the outbox). Printed beside a bare aiogram echo handler measured the same
way in the same run, so the figures read as overhead over the framework's floor. Telegram's rate limits are
lifted in the fake server and the outbox so that we measure ourselves (at Telegram's 30 messages a second, 200
cards take at least 6.7 s whatever the bot does).

uv run python -m bench.reporting [--database-url URL] [--reporters 200]
"""

import argparse
import asyncio
import statistics
import time

from aiogram import Bot, Dispatcher, Router
from aiogram.types import Message

from bench.common import peak_memory_mib, scratch_database
from bot.app import build_bot, build_dispatcher
from bot.paths import QUANZHOU_DIVISIONS_CSV
from bot.settings import Settings
from bot.telegram_sender import TelegramSender
from models import Database, Role, UnitLevel
from services.clock import SystemClock
from services.delivery import DeliveryLimits, DeliveryWorker
from services.directory import descendants, find_unit, import_divisions, read_division_file
from services.invites import enroll
from tests.fakes.telegram_server import FakeTelegram, Limits, SentMessage
from tests.fakes.users import FakeUser, Harness

COUNTY = "350524"  # 安溪县: 24 townships, enough villages for one reporter and one officer each
LIFTED = DeliveryLimits(per_second=1e6, private_per_second=1e6, private_burst=10**6, concurrency=64)


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return f"median {statistics.median(ordered) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms"


async def seed(db: Database, reporters: int) -> list[tuple[int, int]]:
    """One grid worker and one village safety officer in each of `reporters` villages."""
    now = SystemClock().now()
    rows = [r for r in read_division_file(QUANZHOU_DIVISIONS_CSV) if r.county_code == COUNTY]
    pairs = []
    async with db.transaction() as session:
        await import_divisions(session, rows, now)
        county = await find_unit(session, COUNTY)
        villages = (await descendants(session, [county.id or 0], [UnitLevel.VILLAGE]))[:reporters]
        for n, village in enumerate(villages):
            worker, officer = 100_000 + n, 200_000 + n
            await enroll(session, worker, f"网格员{n}", Role.GRID_WORKER, village, now)
            await enroll(session, officer, f"安全员{n}", Role.VILLAGE_OFFICER, village, now)
            pairs.append((worker, officer))
    return pairs


async def bring_to_summary(user: FakeUser) -> SentMessage:
    await user.send("/report")
    await user.click("🔥 火灾隐患")
    await user.click("🟠 重大")
    await user.send("🏠 用我所在的村／网格")
    await user.send("村口仓库电线老化冒烟")
    await user.send("✅ 完成")
    return user.last_with_buttons()


async def poll_until(dp: Dispatcher, bot: Bot, finished: asyncio.Event) -> None:
    """Run the Dispatcher's polling loop (as `python -m bot` does) until every answer measured has arrived."""
    polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False, polling_timeout=1))
    await finished.wait()
    await dp.stop_polling()
    await polling


async def measure_reports(db: Database, reporters: int) -> tuple[list[float], list[float]]:
    server = FakeTelegram(limits=Limits(enabled=False))
    await server.start()
    settings = Settings(_env_file=None, bot_token=server.token, database_url=db.url, telegram_api_base=server.base_url)
    bot, outbox_bot = build_bot(server.token, server.base_url), build_bot(server.token, server.base_url)
    worker = DeliveryWorker(db, TelegramSender(outbox_bot), SystemClock(), limits=LIFTED, name="bench")
    dp = build_dispatcher(settings, db, SystemClock(), delivery=worker)
    harness = Harness(server, bot, dp)
    pairs = await seed(db, reporters)
    users = [harness.user(f"网格员{n}", user_id=worker_id) for n, (worker_id, _) in enumerate(pairs)]
    for _, officer in pairs:
        server.add_private_chat(officer, "安全员").started = True
    summaries = [await bring_to_summary(user) for user in users]

    pressed: dict[int, float] = {}
    confirmed: dict[int, float] = {}
    first_card: dict[int, float] = {}
    officer_of = {officer: worker_id for worker_id, officer in pairs}

    finished = asyncio.Event()

    def observe(message: SentMessage) -> None:
        now = time.perf_counter()
        if message.chat_id in pressed and "已提交" in message.shown:
            confirmed.setdefault(message.chat_id, now)
        elif message.chat_id in officer_of and message.buttons:
            first_card.setdefault(officer_of[message.chat_id], now)
        if len(confirmed) == len(first_card) == len(users):
            finished.set()

    server.message_listeners.append(observe)
    delivering = asyncio.create_task(worker.run_forever())
    for user, summary in zip(users, summaries, strict=True):
        pressed[user.id] = time.perf_counter()
        press = user.callback_query(summary, "v1rx:submit")
        server.push_update({"update_id": server.next_update_id(), "callback_query": press})
    await poll_until(dp, bot, finished)
    delivering.cancel()
    for session_owner in (bot, outbox_bot):
        await session_owner.session.close()
    await server.stop()
    return (
        [confirmed[u] - pressed[u] for u in pressed],
        [first_card[u] - pressed[u] for u in pressed],
    )


async def measure_echo(users: int) -> list[float]:
    """A bare aiogram echo handler, polled and measured the same way."""
    server = FakeTelegram(limits=Limits(enabled=False))
    await server.start()
    bot = build_bot(server.token, server.base_url)
    router = Router()

    @router.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "")

    dp = Dispatcher()
    dp.include_router(router)
    harness = Harness(server, bot, dp)
    people = [harness.user(f"u{n}", user_id=300_000 + n) for n in range(users)]
    pushed: dict[int, float] = {}
    answered: dict[int, float] = {}
    finished = asyncio.Event()

    def observe(message: SentMessage) -> None:
        answered.setdefault(message.chat_id, time.perf_counter())
        if len(answered) == users:
            finished.set()

    server.message_listeners.append(observe)
    for person in people:
        pushed[person.id] = time.perf_counter()
        server.push_update({"update_id": server.next_update_id(), "message": person.message(text="你好")})
    await poll_until(dp, bot, finished)
    await bot.session.close()
    await server.stop()
    return [answered[u] - pushed[u] for u in pushed]


async def run(url: str | None, reporters: int) -> None:
    echo = await measure_echo(reporters)
    async with scratch_database(url) as db:
        backend = db.engine.dialect.name
        confirmations, cards = await measure_reports(db, reporters)
    print(f"reporting on {backend}: {reporters} grid workers press confirm at once (Telegram limits lifted)")
    print(f"  bare aiogram echo (framework floor):    {percentiles(echo)}")
    print(f"  confirm -> reporter's confirmation:     {percentiles(confirmations)}")
    print(f"  confirm -> first escalation card:       {percentiles(cards)}")
    print(f"  peak memory: {peak_memory_mib():.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    parser.add_argument("--reporters", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(run(args.database_url, args.reporters))


if __name__ == "__main__":
    main()
