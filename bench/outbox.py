"""Outbox delivery benchmark: the whole path (enqueue, claim, send, mark) against the fake Bot API.

(a) limits lifted: messages a second end to end — must reach 1,000/s so Telegram, not us, is the bottleneck;
(b) limit set to 300/s (server and worker): the achieved rate over 3,000 messages — must be >= 95%;
per-chat limits are lifted in both (3,000 messages to 300 recipients would otherwise take 10 s per chat);
on SQLite by default, on PostgreSQL with --database-url. The fake server runs in its own process. With --redis-url,
each is measured again with Telegram's limits kept in Redis (as several instances keep them: one script a send),
and the line `redis/local` gives the bot's CPU a message with the shared gate against the local one.

uv run python -m bench.outbox [--database-url URL] [--messages 3000] [--redis-url redis://127.0.0.1:6379/14]
"""

import argparse
import asyncio
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from redis.asyncio import Redis

from bench.common import peak_memory_mib, scratch_database, stopwatch
from bot.app import build_bot
from bot.redis_limits import RedisGate, key_prefix
from bot.telegram_sender import TelegramSender
from gridguard.db.database import Database
from gridguard.delivery.delivery import DeliveryLimits, DeliveryWorker
from gridguard.delivery.outbox import Content, Notice, enqueue_many
from gridguard.kernel.clock import SystemClock

RECIPIENTS = 300
ENQUEUE_BATCH = 50
TOKEN = "123456:TEST-token"


async def start_fake_server(*args: str) -> tuple[asyncio.subprocess.Process, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.fakes.serve", "--users", str(RECIPIENTS), *args, stdout=subprocess.PIPE
    )
    assert process.stdout is not None
    line = (await process.stdout.readline()).decode().split()
    return process, line[1]


async def stop_fake_server(process: asyncio.subprocess.Process) -> str:
    process.terminate()
    out, _ = await process.communicate()
    return out.decode().strip()


async def enqueue_all(db: Database, messages: int, run: str) -> None:
    """Fan-outs of 50 (a call-out, a township's reminder), one transaction each."""
    now = datetime.now(UTC)
    for start in range(0, messages, ENQUEUE_BATCH):
        notices = [
            Notice(f"{run}:{n}", n % RECIPIENTS + 1, Content(text=f"通知 {n}：凤城镇应急站提醒您注意防汛"))
            for n in range(start, min(start + ENQUEUE_BATCH, messages))
        ]
        async with db.transaction() as session:
            await enqueue_many(session, notices, now)


@dataclass(frozen=True)
class Measured:
    line: str
    cpu_per_message: float


async def measure(
    db: Database, messages: int, limits: DeliveryLimits, server_args: list[str], run: str, redis: Redis | None = None
) -> Measured:
    """One run; with `redis`, the worker keeps Telegram's limits there (keys of this run only)."""
    process, base = await start_fake_server(*server_args)
    bot = build_bot(TOKEN, base)
    gate = RedisGate(redis, f"{key_prefix(TOKEN)}{run}:", limits) if redis is not None else None
    worker = DeliveryWorker(db, TelegramSender(bot), SystemClock(), limits=limits, name=run, gate=gate)
    own_cpu, server_cpu = cpu_seconds(resource.RUSAGE_SELF), cpu_seconds(resource.RUSAGE_CHILDREN)
    try:
        with stopwatch() as total:
            with stopwatch() as queued:
                await enqueue_all(db, messages, run)
            with stopwatch() as delivered:
                await worker.run_until_idle()
    finally:
        await bot.session.close()
        server_said = await stop_fake_server(process)
    own_cpu = cpu_seconds(resource.RUSAGE_SELF) - own_cpu
    server_cpu = cpu_seconds(resource.RUSAGE_CHILDREN) - server_cpu
    line = (
        f"{messages} messages: enqueue {queued[0]:.2f} s, deliver {delivered[0]:.2f} s "
        f"= {messages / delivered[0]:.0f}/s delivering, {messages / total[0]:.0f}/s end to end "
        f"(CPU: bot {own_cpu:.1f} s, fake server {server_cpu:.1f} s); server: {server_said}"
    )
    return Measured(line, own_cpu / messages)


def cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


async def run(url: str | None, messages: int, redis_url: str | None) -> None:
    per_chat_lifted = {"private_per_second": 1e6, "private_burst": 10**6, "concurrency": 64, "batch": 500}
    lifted = DeliveryLimits(per_second=1e6, **per_chat_lifted)  # type: ignore[arg-type]
    limited = DeliveryLimits(per_second=300, **per_chat_lifted)  # type: ignore[arg-type]
    async with scratch_database(url) as db:
        backend = db.engine.dialect.name
        print(f"outbox on {backend}, {RECIPIENTS} recipients")
        local = await measure(db, messages, lifted, ["--no-limits"], "lifted")
        print("  (a) limits lifted:  " + local.line)
        print("  (b) limit 300/s:    " + (await measure(db, messages, limited, ["--overall", "300"], "limited")).line)
        if redis_url is not None:
            async with Redis.from_url(redis_url) as redis:
                shared = await measure(db, messages, lifted, ["--no-limits"], f"lifted-redis-{time.time_ns()}", redis)
                print("  (a) lifted, limits in Redis: " + shared.line)
                limited_shared = await measure(
                    db, messages, limited, ["--overall", "300"], f"limited-redis-{time.time_ns()}", redis
                )
                print("  (b) 300/s, limits in Redis: " + limited_shared.line)
            print(f"  redis/local: {shared.cpu_per_message / local.cpu_per_message:.2f}x CPU a message "
                  f"({shared.cpu_per_message * 1000:.2f} against {local.cpu_per_message * 1000:.2f} ms)")  # fmt: skip
        print(f"  peak memory: {peak_memory_mib():.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--redis-url", default=None, help="also measure with Telegram's limits kept in this Redis")
    args = parser.parse_args()
    asyncio.run(run(args.database_url, args.messages, args.redis_url))


if __name__ == "__main__":
    main()
