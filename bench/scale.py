"""Scaling benchmark: 1, 2 and 4 instances of `python -m bot` on PostgreSQL and Redis, taking a burst of report
updates by webhook.

Every process is real: the fake Bot API (tests/fakes/serve.py, posting updates to its webhook as Telegram does, its
limits lifted), a round-robin proxy (tests/fakes/balancer.py, as Caddy or nginx), and N bot instances (webhook mode,
the outbox's rate lifted to 1,000 a second so Telegram's 30 a second doesn't hide our own cost). A burst is
`--reports` grid workers, each with a report at its summary (draft saved, conversation at the last step), pressing
"confirm" at once: each press files a report (one transaction), edits the summary into the confirmation, and queues
the village officer's card, which the instances' delivery workers send.

For each instance count, a warm-up burst (not counted: every reporter's profile cached, connections open, as in a
deployment that has run a while), then three bursts: updates a second (the burst's size over the time from the push
to the last confirmation), latency p50/p99 (push to confirmation), and CPU per update of the bot instances (user +
system from /proc, the card deliveries included) beside the whole machine's (the fake server, the proxy, PostgreSQL
and Redis too). The one-instance figures are the baseline the others are compared with (`ratio`).

uv run python -m bench.scale [--database-url URL] [--redis-url URL] [--reports 1000] [--instances 1,2,4]
"""

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from redis.asyncio import Redis
from sqlalchemy import text
from sqlmodel import col, select

from bench.common import scratch_database
from bench.reporting import LOG_POLL, LogEntry, RemoteServer, percentile, user_json
from bot.paths import PROJECT_ROOT, QUANZHOU_DIVISIONS_CSV
from gridguard.db.database import Database
from gridguard.directory.directory import import_divisions, read_division_file
from gridguard.directory.enums import Role, UnitLevel
from gridguard.directory.invites import enroll
from gridguard.directory.tables import Unit
from gridguard.kernel.clock import SystemClock
from tests.fakes.local_http import free_port
from tests.fakes.summaries import SUBMIT, at_the_summary

TOKEN = "123456:TEST-token"
DEFAULT_DATABASE = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS = "redis://127.0.0.1:6379/14"
BURST_TIMEOUT = 300.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_of(pid: int) -> float:
    """User + system seconds of a process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def machine_busy() -> float:
    """Seconds of CPU the whole machine has spent (every core), from /proc/stat."""
    first = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    idle = int(first[3]) + int(first[4])
    return (sum(int(v) for v in first) - idle) / CLOCK_TICKS


@dataclass
class Process:
    process: subprocess.Popen[bytes]

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


async def wait_ready(metrics_ports: list[int]) -> None:
    async with aiohttp.ClientSession() as session:
        for port in metrics_ports:
            for _ in range(600):
                try:
                    async with session.get(f"http://127.0.0.1:{port}/readyz") as answer:
                        if answer.status == 200:
                            break
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
            else:
                raise RuntimeError(f"the instance with metrics on {port} never became ready")


def start_balancer(backends: list[str]) -> tuple[Process, str]:
    popen = subprocess.Popen([sys.executable, "-m", "tests.fakes.balancer", *backends], cwd=PROJECT_ROOT,
                             stdout=subprocess.PIPE)  # fmt: skip
    assert popen.stdout is not None
    return Process(popen), popen.stdout.readline().decode().split()[1]


async def seed(db: Database, reports: int) -> list[tuple[int, int, int]]:
    """A grid worker and a village officer in each of `reports` villages of Quanzhou: (worker, officer, village)."""
    now = SystemClock().now()
    async with db.transaction() as session:
        report = await import_divisions(session, read_division_file(QUANZHOU_DIVISIONS_CSV), now)
    assert report.added
    async with db.reading() as session:
        villages = (
            await session.exec(select(Unit).where(Unit.level == UnitLevel.VILLAGE).order_by(col(Unit.id)))
        ).all()
    assert len(villages) >= reports, f"only {len(villages)} villages"
    triples = []
    async with db.transaction() as session:
        for n, village in enumerate(villages[:reports]):
            worker, officer = 100_000 + n, 200_000 + n
            await enroll(session, worker, f"网格员{n}", Role.GRID_WORKER, village, now)
            await enroll(session, officer, f"安全员{n}", Role.VILLAGE_OFFICER, village, now)
            triples.append((worker, officer, village.id or 0))
    return triples


async def prepare(
    db: Database, redis_url: str, remote: RemoteServer, pairs: list[tuple[int, int, int]]
) -> list[dict[str, Any]]:
    """No report open (so none is offered as a duplicate); each worker's draft at the summary; their presses."""
    async with db.engine.begin() as connection:
        await connection.execute(text('TRUNCATE "report", "notification" RESTART IDENTITY CASCADE'))
    await at_the_summary(db, redis_url, TOKEN, [(worker, village) for worker, _officer, village in pairs])
    presses = []
    for worker, _officer, _village in pairs:
        body = {"chat_id": worker, "text": "请核对报告", "buttons": [["✅ 确认提交", SUBMIT]]}
        summary = await remote.post("message", body)
        query = {"id": f"q{worker}-{time.monotonic_ns()}", "from": user_json(worker), "chat_instance": "ci",
                 "data": SUBMIT, "message": summary}  # fmt: skip
        presses.append({"callback_query": query})
    return presses


@dataclass(frozen=True)
class Result:
    per_second: float
    p50: float
    p99: float
    bot_cpu_per_update: float
    machine_cpu_per_update: float


async def burst(
    remote: RemoteServer, presses: list[dict[str, Any]], workers: set[int], pids: list[int], officers: set[int]
) -> Result:
    """Push the presses at once; wait for every confirmation and every card; measure."""
    since = len(await remote.log())
    bot_before, machine_before = sum(cpu_of(p) for p in pids), machine_busy()
    pushed = time.monotonic()
    await remote.post("updates", presses)
    confirmed: dict[int, float] = {}
    carded: set[int] = set()
    entries: list[LogEntry] = []
    deadline = pushed + BURST_TIMEOUT
    while len(confirmed) < len(workers) or len(carded) < len(officers):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{len(confirmed)} confirmations and {len(carded)} cards after {BURST_TIMEOUT} s")
        fresh = await remote.log(since + len(entries))
        entries += fresh
        for at, chat, shown, buttons in fresh:
            if chat in workers and chat not in confirmed and "已提交" in shown:
                confirmed[chat] = at - pushed
            elif chat in officers and buttons:
                carded.add(chat)
        await asyncio.sleep(LOG_POLL)
    bot_cpu = sum(cpu_of(p) for p in pids) - bot_before
    machine_cpu = machine_busy() - machine_before
    latencies = list(confirmed.values())
    count = len(presses)
    return Result(count / max(latencies), statistics.median(latencies), percentile(latencies, 0.99), bot_cpu / count,
                  machine_cpu / count)  # fmt: skip


async def run(database_url: str, redis_url: str, reports: int, counts: list[int], repetitions: int) -> None:
    async with Redis.from_url(redis_url) as redis:
        await redis.flushdb()
    remote = RemoteServer()
    base = await remote.start()
    results: dict[int, list[Result]] = {}
    async with scratch_database(database_url) as db:
        pairs = await seed(db, reports)
        await remote.post("chats", {"ids": [p for pair in pairs for p in pair[:2]]})
        workers, officers = {w for w, _, _ in pairs}, {o for _, o, _ in pairs}
        env = {**os.environ, "BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE": base, "DATABASE_URL": database_url,
               "REDIS_URL": redis_url, "OUTBOX_RATE": "1000", "LOG_LEVEL": "WARNING", "ADMIN_IDS": ""}  # fmt: skip
        print(f"scale on PostgreSQL and Redis: {reports} report presses by webhook, {os.cpu_count()} cores")
        for count in counts:
            ports = [free_port() for _ in range(count)]
            balancer, url = start_balancer([f"http://127.0.0.1:{p}" for p in ports])
            instances, _urls, metrics = start_instances_on(count, env, url, ports)
            try:
                await wait_ready(metrics)
                await burst(remote, await prepare(db, redis_url, remote, pairs), workers, [], officers)
                results[count] = []
                for repetition in range(repetitions):
                    presses = await prepare(db, redis_url, remote, pairs)
                    result = await burst(remote, presses, workers, [i.pid for i in instances], officers)
                    results[count].append(result)
                    print(f"  {count} instance(s), burst {repetition + 1}: {describe(result)}")
            finally:
                for instance in instances:
                    instance.stop()
                balancer.stop()
    await remote.stop()
    summarise(results)


def start_instances_on(
    count: int, env: dict[str, str], webhook_url: str, ports: list[int]
) -> tuple[list[Process], list[str], list[int]]:
    """`count` instances listening on the given ports (the proxy was started with them)."""
    instances, urls, metrics = [], [], []
    for port in ports[:count]:
        metrics_port = free_port()
        instance_env = {**env, "WEBHOOK_URL": webhook_url, "WEBHOOK_LISTEN": f"127.0.0.1:{port}",
                        "METRICS_LISTEN": f"127.0.0.1:{metrics_port}"}  # fmt: skip
        popen = subprocess.Popen([sys.executable, "-m", "bot"], env=instance_env, cwd=PROJECT_ROOT,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        instances.append(Process(popen))
        urls.append(f"http://127.0.0.1:{port}")
        metrics.append(metrics_port)
    return instances, urls, metrics


def describe(result: Result) -> str:
    bot, machine = result.bot_cpu_per_update * 1000, result.machine_cpu_per_update * 1000
    return (
        f"{result.per_second:6.1f} updates/s, p50 {result.p50 * 1000:5.0f} ms, p99 {result.p99 * 1000:5.0f} ms, "
        f"bot CPU {bot:5.2f} ms/update (the whole machine's {machine:5.2f})"
    )


def summarise(results: dict[int, list[Result]]) -> None:
    baseline = statistics.median(r.per_second for r in results[min(results)])
    for count, runs in results.items():
        rates = [r.per_second for r in runs]
        p99s = [r.p99 * 1000 for r in runs]
        cpu = [r.bot_cpu_per_update * 1000 for r in runs]
        print(
            f"{count} instance(s): {min(rates):.0f}-{max(rates):.0f} updates/s "
            f"(ratio to 1: {statistics.median(rates) / baseline:.2f}x), p99 {min(p99s):.0f}-{max(p99s):.0f} ms, "
            f"bot CPU {min(cpu):.2f}-{max(cpu):.2f} ms/update"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE, help="PostgreSQL (it is emptied)")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS, help="a Redis database (it is emptied)")
    parser.add_argument("--reports", type=int, default=1000)
    parser.add_argument("--instances", default="1,2,4")
    parser.add_argument("--repetitions", type=int, default=3)
    args = parser.parse_args()
    counts = [int(n) for n in args.instances.split(",")]
    asyncio.run(run(args.database_url, args.redis_url, args.reports, counts, args.repetitions))


if __name__ == "__main__":
    main()
