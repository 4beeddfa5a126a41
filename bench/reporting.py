"""Reporting benchmark: what a report costs against a bare aiogram echo, measured in the same run.

The fake Bot API runs in its own process (tests/fakes/serve.py --control), so this process is only the bot
and its rusage is the bot's own CPU. Three repetitions, each four bursts back to back, polled as from
Telegram with the limits lifted (we measure ourselves, not Telegram's 30 messages a second):

  echo    N users send a message to a bare aiogram Dispatcher that echoes it with aiogram's own Bot and session
          (the framework's floor);
  /help   N members send /help to GridGuard;
  report  N grid workers, each with a report at the summary, press "confirm" at once; done when every
          reporter has the confirmation and every village officer the first escalation card (via the outbox).

The echo runs twice each repetition, before /help and after the report, and the ratios take the mean of the two:
this machine's speed drifts within a minute, and a short echo burst measured once, at a fast or a slow moment,
moved a repetition's ratio by up to 40 % on its own. A warm-up round comes first and is printed but not counted,
as the echo's always was: its report burst builds the caches (aiogram's types, the directory, compiled
statements) that every later burst finds.
For each burst: CPU per update (user + system, from rusage), latency p50/p99 from the push to the answer,
and for reports the SQL statements and transactions per report. The last line gives the medians of the
three repetitions:

  ratios: cpu_report/echo=X.Xx cpu_help/echo=X.Xx p99_card/echo=X.Xx sql_per_report=N

uv run python -m bench.reporting [--database-url URL] [--reporters 200]
"""

import argparse
import asyncio
import gc
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiogram import Bot, Dispatcher, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.fsm.storage.base import StorageKey
from aiogram.types import Message
from sqlalchemy import event

from bench.common import peak_memory_mib, scratch_database
from bot.app import build_bot, build_dispatcher, freeze_startup_heap
from bot.paths import QUANZHOU_DIVISIONS_CSV
from bot.settings import Settings
from bot.telegram_sender import TelegramSender
from gridguard.db.database import Database
from gridguard.delivery.delivery import DeliveryLimits, DeliveryWorker
from gridguard.directory.directory import descendants, find_unit, import_divisions, read_division_file
from gridguard.directory.enums import Role, UnitLevel
from gridguard.directory.invites import enroll
from gridguard.directory.members import find_member
from gridguard.kernel.clock import SystemClock
from gridguard.reports.enums import Category, Severity
from gridguard.reports.report_drafts import Draft, save_draft
from gridguard.telegram.reports.callbacks import SummaryAction, SummaryVerb
from gridguard.telegram.reports.states import ReportFlow

COUNTY = "350524"  # 安溪县: enough villages for one reporter and one officer each
TOKEN = "123456:TEST-token"
LIFTED = DeliveryLimits(per_second=1e6, private_per_second=1e6, private_burst=10**6, concurrency=64)
CATEGORIES = ("fire", "gas", "electrical", "building", "chemicals")
"""One category a burst, so no report is offered as a duplicate of the burst before (same village, 72 h)."""
ECHO_IDS = 900_000
LOG_POLL = 0.02
BURST_TIMEOUT = 120.0
LogEntry = tuple[float, int, str, bool]


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class RemoteServer:
    """The fake Bot API in its own process, driven over its control channel."""

    async def start(self) -> str:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.fakes.serve", "--users", "0", "--no-limits", "--control",
            stdout=subprocess.PIPE,
        )  # fmt: skip
        assert self.process.stdout is not None
        self.base = (await self.process.stdout.readline()).decode().split()[1]
        self.http = aiohttp.ClientSession(self.base)
        return self.base

    async def stop(self) -> None:
        await self.http.close()
        self.process.terminate()
        await self.process.communicate()

    async def post(self, path: str, body: object) -> Any:
        async with self.http.post(f"/_control/{path}", json=body) as response:
            return await response.json()

    async def log(self, since: int = 0) -> list[LogEntry]:
        async with self.http.get("/_control/log", params={"since": since}) as response:
            return [(float(t), int(chat), str(text), bool(buttons)) for t, chat, text, buttons in await response.json()]


@dataclass(frozen=True)
class Burst:
    cpu_per_update: float
    latencies: dict[str, list[float]]
    statements: int = 0
    transactions: int = 0


async def burst(
    remote: RemoteServer,
    dp: Dispatcher,
    bot: Bot,
    updates: list[dict[str, Any]],
    collect: Callable[[list[LogEntry], float], dict[str, list[float]] | None],
) -> tuple[float, dict[str, list[float]]]:
    """Poll while `updates` are pushed at once; wait until `collect` has every latency; CPU per update.

    Garbage left by earlier bursts is collected before the clock starts, and the server's log is read
    incrementally, so neither the previous burst nor the watching is billed to this one."""
    since = len(await remote.log())
    polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False, polling_timeout=1))
    await asyncio.sleep(0.3)
    gc.collect()
    cpu_before, pushed = cpu_seconds(), time.monotonic()
    await remote.post("updates", updates)
    entries: list[LogEntry] = []
    for _ in range(int(BURST_TIMEOUT / LOG_POLL)):
        entries += await remote.log(since + len(entries))
        if (latencies := collect(entries, pushed)) is not None:
            break
        await asyncio.sleep(LOG_POLL)
    else:
        raise TimeoutError(f"the burst did not finish within {BURST_TIMEOUT} s")
    cpu = cpu_seconds() - cpu_before
    await dp.stop_polling()
    await polling
    return cpu / len(updates), latencies


def first_arrival(
    entries: list[LogEntry], pushed: float, chats: set[int], match: Callable[[LogEntry], bool]
) -> list[float] | None:
    arrived: dict[int, float] = {}
    for entry in entries:
        if entry[1] in chats and entry[1] not in arrived and match(entry):
            arrived[entry[1]] = entry[0] - pushed
    return list(arrived.values()) if len(arrived) == len(chats) else None


def user_json(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": f"u{user_id}", "language_code": "zh"}


def text_update(user_id: int, text: str) -> dict[str, Any]:
    entities = [{"type": "bot_command", "offset": 0, "length": len(text)}] if text.startswith("/") else []
    return {
        "message": {
            "message_id": 1, "date": 0, "chat": {"id": user_id, "type": "private", "first_name": "u"},
            "from": user_json(user_id), "text": text, "entities": entities,
        }
    }  # fmt: skip


def echo_dispatcher() -> Dispatcher:
    router = Router()

    @router.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "")

    dp = Dispatcher()
    dp.include_router(router)
    return dp


def replies_from(ids: set[int]) -> Callable[[list[LogEntry], float], dict[str, list[float]] | None]:
    def collect(log: list[LogEntry], pushed: float) -> dict[str, list[float]] | None:
        got = first_arrival(log, pushed, ids, lambda _entry: True)
        return {"reply": got} if got else None

    return collect


def stock_bot(base: str) -> Bot:
    """aiogram's Bot as it comes (its own session), for the echo: the floor is the framework's, not ours."""
    return Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(base)))


async def measure_echo(remote: RemoteServer, bot: Bot, users: int) -> Burst:
    ids = set(range(ECHO_IDS, ECHO_IDS + users))
    updates = [text_update(user_id, "你好") for user_id in sorted(ids)]
    return Burst(*await burst(remote, echo_dispatcher(), bot, updates, replies_from(ids)))


async def measure_help(remote: RemoteServer, dp: Dispatcher, bot: Bot, reporters: list[int]) -> Burst:
    updates = [text_update(user_id, "/help") for user_id in reporters]
    return Burst(*await burst(remote, dp, bot, updates, replies_from(set(reporters))))


class StatementCounter:
    """SQL statements and transactions the drivers run while counting, on the engines given (the bot's and its
    delivery worker's): counted where the SQL reaches SQLite or PostgreSQL, so statements sent straight to the driver
    (gridguard/db/direct.py) count too. BEGIN and the like are not statements; a COMMIT is a transaction."""

    def __init__(self) -> None:
        self.statements = self.transactions = 0
        self.counting = False

    async def watch(self, db: Database) -> None:
        """Count on every connection `db` opens from now on (those it holds are closed first)."""
        await db.engine.dispose()
        event.listen(db.engine.sync_engine, "connect", self._hook)

    def _hook(self, dbapi_connection: Any, _record: Any) -> None:
        driver = dbapi_connection.driver_connection
        if hasattr(driver, "add_query_logger"):
            driver.add_query_logger(lambda logged: self._ran(logged.query))
        else:
            driver._connection.set_trace_callback(self._ran)

    def _ran(self, sql: str) -> None:
        if not self.counting:
            return
        word = sql.lstrip()[:8].upper()
        if word.startswith("COMMIT"):
            self.transactions += 1
        elif not word.startswith(("BEGIN", "ROLLBACK", "PRAGMA", "SAVEPOINT", "RELEASE", "SELECT 1", ";")):
            self.statements += 1


async def prepare_summaries(
    remote: RemoteServer, db: Database, dp: Dispatcher, bot: Bot, pairs: list[tuple[int, int, int]], category: str
) -> list[dict[str, Any]]:
    """Each reporter's draft at the summary (as if they had tapped through the flow), and their press."""
    submit = SummaryAction(action=SummaryVerb.SUBMIT).pack()
    presses = []
    now = SystemClock().now()
    async with db.transaction() as session:
        for reporter, _officer, unit_id in pairs:
            member = await find_member(session, reporter)
            assert member is not None and member.id is not None
            draft = Draft(Category(category), Severity.MAJOR, unit_id, description="村口仓库电线老化冒烟")
            await save_draft(session, member.id, reporter, draft, now)
    for reporter, _officer, _unit in pairs:
        key = StorageKey(bot_id=bot.id, chat_id=reporter, user_id=reporter)
        await dp.fsm.storage.set_state(key, ReportFlow.confirm)
        summary = await remote.post(
            "message", {"chat_id": reporter, "text": "请核对报告", "buttons": [["✅ 确认提交", submit]]}
        )
        query = {"id": f"q{category}{reporter}", "from": user_json(reporter), "chat_instance": "ci", "data": submit,
                 "message": summary}  # fmt: skip
        presses.append({"callback_query": query})
    return presses


async def measure_reports(
    remote: RemoteServer, db: Database, dp: Dispatcher, bot: Bot, pairs: list[tuple[int, int, int]], category: str,
    counter: StatementCounter,
) -> Burst:  # fmt: skip
    presses = await prepare_summaries(remote, db, dp, bot, pairs, category)
    reporters = {reporter for reporter, _, _ in pairs}
    officers = {officer for _, officer, _ in pairs}

    def collect(log: list[LogEntry], pushed: float) -> dict[str, list[float]] | None:
        confirmed = first_arrival(log, pushed, reporters, lambda e: "已提交" in e[2])
        cards = first_arrival(log, pushed, officers, lambda e: e[3])
        return {"confirmation": confirmed, "card": cards} if confirmed and cards else None

    counter.statements = counter.transactions = 0
    counter.counting = True
    cpu, latencies = await burst(remote, dp, bot, presses, collect)
    counter.counting = False
    return Burst(cpu, latencies, counter.statements, counter.transactions)


async def seed(db: Database, reporters: int) -> list[tuple[int, int, int]]:
    """One grid worker and one village safety officer in each of `reporters` villages: (worker, officer, village)."""
    now = SystemClock().now()
    rows = [r for r in read_division_file(QUANZHOU_DIVISIONS_CSV) if r.county_code == COUNTY]
    triples = []
    async with db.transaction() as session:
        await import_divisions(session, rows, now)
        county = await find_unit(session, COUNTY)
        villages = (await descendants(session, [county.id or 0], [UnitLevel.VILLAGE]))[:reporters]
        for n, village in enumerate(villages):
            worker, officer = 100_000 + n, 200_000 + n
            await enroll(session, worker, f"网格员{n}", Role.GRID_WORKER, village, now)
            await enroll(session, officer, f"安全员{n}", Role.VILLAGE_OFFICER, village, now)
            triples.append((worker, officer, village.id or 0))
    return triples


def describe(name: str, result: Burst, per: str = "update") -> str:
    parts = [f"{name:7} cpu {result.cpu_per_update * 1000:6.2f} ms/{per}"]
    for label, samples in result.latencies.items():
        parts.append(
            f"{label} p50 {statistics.median(samples) * 1000:5.0f} ms p99 {percentile(samples, 0.99) * 1000:5.0f} ms"
        )
    if result.statements:
        reports = len(result.latencies["card"])
        per_report = f"{result.statements / reports:.1f} statements in {result.transactions / reports:.1f} transactions"
        parts.append(f"{per_report} per report")
    return "  " + "; ".join(parts)


async def run(url: str | None, reporters: int, repetitions: int) -> None:
    remote = RemoteServer()
    base = await remote.start()
    async with scratch_database(url) as db:
        backend = db.engine.dialect.name
        counter = StatementCounter()
        await counter.watch(db)
        pairs = await seed(db, reporters)
        await remote.post(
            "chats", {"ids": [p for pair in pairs for p in pair[:2]] + list(range(ECHO_IDS, ECHO_IDS + reporters))}
        )
        settings = Settings(_env_file=None, bot_token=TOKEN, database_url=db.url, telegram_api_base=base)
        bot, outbox_bot, echo_bot = build_bot(TOKEN, base), build_bot(TOKEN, base), stock_bot(base)
        await bot.me()
        await echo_bot.me()
        sender = TelegramSender(outbox_bot)
        worker = DeliveryWorker(db.separate_pool(), sender, SystemClock(), limits=LIFTED, name="bench")
        dp = build_dispatcher(settings, db, SystemClock(), delivery=worker)
        delivering = asyncio.create_task(worker.run_forever())
        await counter.watch(worker.db)
        freeze_startup_heap()
        print(f"reporting on {backend}: {reporters} at once, Telegram's limits lifted, fake server in its own process")
        ratios: dict[str, list[float]] = {"cpu_report": [], "cpu_help": [], "p99_card": [], "sql": [], "card_conf": []}
        for repetition in range(repetitions + 1):
            before = await measure_echo(remote, echo_bot, reporters)
            help_ = await measure_help(remote, dp, bot, [w for w, _, _ in pairs])
            report = await measure_reports(
                remote, db, dp, bot, pairs, CATEGORIES[repetition % len(CATEGORIES)], counter
            )
            after = await measure_echo(remote, echo_bot, reporters)
            print(f" repetition {repetition}" if repetition else " warm-up (not counted)")
            print(describe("echo", before))
            print(describe("/help", help_))
            print(describe("report", report, "report"))
            print(describe("echo", after))
            if not repetition:
                continue
            echo_cpu = (before.cpu_per_update + after.cpu_per_update) / 2
            echo_p99 = (percentile(before.latencies["reply"], 0.99) + percentile(after.latencies["reply"], 0.99)) / 2
            card, confirmation = report.latencies["card"], report.latencies["confirmation"]
            ratios["cpu_report"].append(report.cpu_per_update / echo_cpu)
            ratios["cpu_help"].append(help_.cpu_per_update / echo_cpu)
            ratios["p99_card"].append(percentile(card, 0.99) / echo_p99)
            ratios["sql"].append(report.statements / len(card))
            ratios["card_conf"].append(statistics.median(card) / statistics.median(confirmation))
        await worker.stop(delivering)
        await worker.db.dispose()
        for client in (bot, outbox_bot, echo_bot):
            await client.session.close()
    await remote.stop()
    median = {name: statistics.median(values) for name, values in ratios.items()}
    print(f"  card p50 / confirmation p50 = {median['card_conf']:.2f}; peak memory {peak_memory_mib():.0f} MiB")
    print(
        f"ratios: cpu_report/echo={median['cpu_report']:.1f}x cpu_help/echo={median['cpu_help']:.1f}x "
        f"p99_card/echo={median['p99_card']:.1f}x sql_per_report={median['sql']:.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    parser.add_argument("--reporters", type=int, default=200)
    parser.add_argument("--repetitions", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(run(args.database_url, args.reporters, args.repetitions))


if __name__ == "__main__":
    main()
