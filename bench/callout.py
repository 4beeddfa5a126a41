"""Call-out benchmark: one alert to 2,000 volunteers of a township, with Telegram's limits on, against the fake Bot
API in its own process.

(a) free: the time from pressing send until the last alert is sent, against the ideal (2,000 ÷ 30 a second);
    target ≤ 1.05×;
(b) paid broadcast (PAID_BROADCAST, 1,000 a second): the same; target ≤ 3 s;
(c) the sender's live tally while 500 answers arrive in 10 s: how long after an answer the tally that counts it
    reaches the sender (it is edited at most every 2 s), and CPU per answer;
(d) SIGTERM to the running bot (`python -m bot`) in the middle of the 2,000, then a restart: every volunteer gets
    the alert exactly once;
then the peak memory. Three rounds of (b) and (c); `--free-rounds` rounds of (a) (67 s each).

uv run python -m bench.callout [--database-url URL] [--free-rounds 1] [--no-sigterm]
"""

import argparse
import asyncio
import gc
import os
import re
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import aiohttp
from sqlalchemy import insert
from sqlmodel import select

from bench.common import peak_memory_mib, scratch_database
from bench.outbox import TOKEN
from bot.app import build_bot
from bot.paths import QUANZHOU_DIVISIONS_CSV
from bot.telegram_sender import TelegramSender
from gridguard.callouts.callout_desk import CalloutDesk, CalloutDraft
from gridguard.callouts.enums import CalloutAnswer, CalloutKind
from gridguard.db.database import Database
from gridguard.delivery.delivery import DeliveryLimits, DeliveryWorker, SendResult
from gridguard.delivery.outbox import Claimed
from gridguard.directory.directory import import_divisions, read_division_file
from gridguard.directory.enums import Role
from gridguard.directory.members import MemberProfile, load_profile
from gridguard.directory.tables import Member, RoleAssignment, Unit
from gridguard.kernel.clock import SystemClock

VOLUNTEERS = 2000
HEAD = VOLUNTEERS + 1
TOWNSHIP = "350524100"
"""凤城镇, Anxi county: its villages share the volunteers."""
ROUNDS = 3
ANSWERS = 500
ANSWERING_SECONDS = 10.0
UNANSWERED = re.compile(r"未回复：(\d+) 人")
SHANGHAI = ZoneInfo("Asia/Shanghai")
ANSWER_KINDS = (CalloutAnswer.ON_MY_WAY, CalloutAnswer.ARRIVED, CalloutAnswer.CANT, CalloutAnswer.ON_MY_WAY)


def volunteer(_number: int) -> Role:
    return Role.VOLUNTEER


async def seed(db: Database, head: int = HEAD, role_of: Callable[[int], Role] = volunteer) -> int:
    """The township, its head (member `head`) and members 1 to `head` - 1 spread over its villages, each with
    `role_of` their number (by default 2,000 volunteers); the township's id."""
    now = datetime.now(UTC)
    rows = [r for r in read_division_file(QUANZHOU_DIVISIONS_CSV) if r.township_code == TOWNSHIP]
    async with db.transaction() as session:
        await import_divisions(session, rows, now)
        township = (await session.exec(select(Unit).where(Unit.code == f"{TOWNSHIP}000"))).one()
        villages = (await session.exec(select(Unit.id).where(Unit.parent_id == township.id))).all()
        people = [
            {"id": n, "telegram_id": n, "name": f"志愿者{n}", "language": "zh", "created_at": now}
            for n in range(1, head + 1)
        ]
        roles = [
            {"member_id": n, "unit_id": villages[n % len(villages)], "role": role_of(n), "created_at": now}
            for n in range(1, head)
        ]
        roles.append({"member_id": head, "unit_id": township.id, "role": Role.STATION_HEAD, "created_at": now})
        await session.exec(insert(Member), params=people)
        await session.exec(insert(RoleAssignment), params=roles)
        assert township.id is not None and all(v is not None for v in villages)
        return township.id


class FakeServer:
    """tests/fakes/serve.py in its own process, with its control channel (what it received, when)."""

    def __init__(self, users: int = HEAD) -> None:
        self.process: asyncio.subprocess.Process | None = None
        self.base = ""
        self.users = users

    async def start(self) -> str:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.fakes.serve",
            "--users",
            str(self.users),
            "--overall",
            "30",
            "--paid",
            "1000",
            "--control",
            stdout=subprocess.PIPE,
        )
        assert self.process.stdout is not None
        self.base = (await self.process.stdout.readline()).decode().split()[1]
        return self.base

    async def log(self) -> list[tuple[float, int, str, bool]]:
        async with aiohttp.ClientSession() as http, http.get(f"{self.base}/_control/log") as response:
            return [tuple(e) for e in await response.json()]

    async def stop(self) -> str:
        assert self.process is not None
        self.process.terminate()
        out, _ = await self.process.communicate()
        return out.decode().strip()


@dataclass
class TallyWatch:
    """Wraps the sender: when each edit of the sender's tally reached Telegram, and how many answers it counted."""

    inner: TelegramSender
    asked: int = 0
    seen: list[tuple[float, int]] = field(default_factory=list)

    async def deliver(self, item: Claimed, paid: bool = False) -> SendResult:
        result = await self.inner.deliver(item, paid)
        waiting = UNANSWERED.search(item.payload.get("text", "")) if item.chat_id == HEAD else None
        if waiting:
            self.seen.append((time.monotonic(), self.asked - int(waiting.group(1))))
        return result


def draft(township_id: int, kind: CalloutKind = CalloutKind.FIRE) -> CalloutDraft:
    return CalloutDraft(township_id, kind, (), "村后山体滑坡，请到村委会集合转移群众", 50)


def cpu_seconds() -> float:
    return time.process_time()


def span(values: Sequence[float], unit: str, digits: int = 2) -> str:
    return f"{min(values):.{digits}f}–{max(values):.{digits}f} {unit}"


async def head_profile(db: Database, number: int = HEAD) -> MemberProfile:
    async with db.reading() as session:
        head = await load_profile(session, number, frozenset())
    assert head is not None
    return head


async def send_once(db: Database, township_id: int, paid: bool) -> tuple[float, float, int, float, float]:
    """One call-out to everyone: seconds until the last alert was sent, the ideal, messages, bot CPU seconds, and
    seconds until the send's transaction committed (the alerts queued)."""
    server = FakeServer()
    bot = build_bot(TOKEN, await server.start())
    limits = DeliveryLimits(paid_broadcast=paid)
    worker = DeliveryWorker(db, TelegramSender(bot), SystemClock(), limits=limits, name=f"bench-{time.time()}")
    desk = CalloutDesk(db, SystemClock(), SHANGHAI, paid_broadcast=paid, delivery=worker)
    head = await head_profile(db)
    gc.collect()
    try:
        cpu, began = cpu_seconds(), time.monotonic()
        _callout, reached = await desk.send(head, draft(township_id))
        queued = time.monotonic() - began
        await worker.run_until_idle()
        cpu = cpu_seconds() - cpu
        log = await server.log()
    finally:
        await bot.session.close()
        said = await server.stop()
    alerts = [(t, chat) for t, chat, _text, _buttons in log if chat != HEAD]
    assert len(alerts) == len({chat for _t, chat in alerts}) == reached == VOLUNTEERS, (len(alerts), said)
    last = max(t for t, _chat in alerts) - began
    ideal = reached / (limits.paid_per_second if paid else limits.per_second)
    return last, ideal, reached, cpu, queued


async def tally_lag(db: Database, township_id: int) -> tuple[list[float], float, int]:
    """500 answers in 10 s while the worker runs: each answer's lag until a tally counting it was sent, the CPU
    per answer (ms), and how many tally edits went out."""
    server = FakeServer()
    bot = build_bot(TOKEN, await server.start())
    watch = TallyWatch(TelegramSender(bot))
    worker = DeliveryWorker(db, watch, SystemClock(), limits=DeliveryLimits(paid_broadcast=True), name="lag")
    desk = CalloutDesk(db, SystemClock(), SHANGHAI, paid_broadcast=True, delivery=worker)
    head = await head_profile(db)
    callout, watch.asked = await desk.send(head, draft(township_id))
    running = asyncio.create_task(worker.run_forever())
    try:
        await asyncio.sleep(3)
        async with db.reading() as session:
            people = [await load_profile(session, n, frozenset()) for n in range(1, ANSWERS + 1)]
        answered_at: list[float] = []
        cpu = cpu_seconds()
        start = time.monotonic()
        for n, person in enumerate(people):
            await asyncio.sleep(max(0.0, start + n * ANSWERING_SECONDS / ANSWERS - time.monotonic()))
            assert person is not None
            await desk.answer(person, callout.id or 0, ANSWER_KINDS[n % len(ANSWER_KINDS)])
            answered_at.append(time.monotonic())
        cpu_per_answer = (cpu_seconds() - cpu) / ANSWERS * 1e3
        await asyncio.sleep(4)
    finally:
        await worker.stop(running)
        await bot.session.close()
        await server.stop()
    lags = []
    for count, at in enumerate(answered_at, start=1):
        shown = next((t for t, answered in watch.seen if answered >= count and t >= at), None)
        assert shown is not None, f"answer {count} never reached the tally"
        lags.append(shown - at)
    return lags, cpu_per_answer, len(watch.seen)


async def sigterm_mid_send(db: Database, township_id: int, url: str) -> str:
    """The bot itself (`python -m bot`) sends a call-out queued before it started; SIGTERM after about half,
    restart, and count what each volunteer received."""
    server = FakeServer()
    base = await server.start()
    desk = CalloutDesk(db, SystemClock(), SHANGHAI)
    await desk.send(await head_profile(db), draft(township_id, CalloutKind.GENERAL_HELP))
    env = {**os.environ, "BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE": base, "DATABASE_URL": url, "LOG_LEVEL": "WARNING"}
    try:
        first = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", env=env)
        halfway = await wait_for_alerts(server, VOLUNTEERS // 2)
        first.send_signal(signal.SIGTERM)
        await first.wait()
        stopped_at = len(await alerts_in(server))
        second = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", env=env)
        await wait_for_alerts(server, VOLUNTEERS)
        await asyncio.sleep(3)
        second.send_signal(signal.SIGTERM)
        await second.wait()
        received = [chat for _t, chat, text, _b in await server.log() if chat != HEAD and "应急召集" in text]
    finally:
        await server.stop()
    counts = {chat: received.count(chat) for chat in set(received)}
    twice = sum(1 for n in counts.values() if n > 1)
    missing = VOLUNTEERS - len(counts)
    return (
        f"SIGTERM after {halfway:,} alerts ({stopped_at:,} when it had stopped), exit codes {first.returncode} and"
        f" {second.returncode}; after the restart {len(counts):,} of {VOLUNTEERS:,} volunteers got it, {twice} twice,"
        f" {missing} missing"
    )


async def alerts_in(server: FakeServer) -> list[int]:
    return [chat for _t, chat, text, _b in await server.log() if chat != HEAD and "应急召集" in text]


async def wait_for_alerts(server: FakeServer, count: int, patience: float = 180.0) -> int:
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        seen = len(await alerts_in(server))
        if seen >= count:
            return seen
        await asyncio.sleep(0.5)
    raise RuntimeError(f"only {len(await alerts_in(server))} alerts after {patience:.0f} s")


async def run(url: str | None, free_rounds: int, sigterm: bool) -> None:
    async with scratch_database(url) as db:
        township_id = await seed(db)
        print(f"call-out on {db.engine.dialect.name}: one alert to {VOLUNTEERS:,} volunteers, Telegram's limits on")
        for paid, rounds in ((False, free_rounds), (True, ROUNDS)):
            results = [await send_once(db, township_id, paid) for _ in range(rounds)]
            if not results:
                continue
            last = [r[0] for r in results]
            ratios = [r[0] / r[1] for r in results]
            cpu_ms = [r[3] / r[2] * 1e3 for r in results]
            print(
                f"  {'paid broadcast' if paid else 'free 30/s'}, {rounds} round(s): last alert sent after"
                f" {span(last, 's')} (queued after {span([r[4] for r in results], 's')}); ideal {results[0][1]:.1f} s;"
                f" ratio {span(ratios, 'x', 3)};"
                f" bot CPU {span(cpu_ms, 'ms', 2)} a message"
            )
        for n in range(ROUNDS):
            lags, cpu_per_answer, edits = await tally_lag(db, township_id)
            print(
                f"  tally, round {n + 1}: {ANSWERS} answers in {ANSWERING_SECONDS:.0f} s, {edits} edits; lag median"
                f" {statistics.median(lags):.2f} s, p95 {statistics.quantiles(lags, n=20)[18]:.2f} s, max"
                f" {max(lags):.2f} s; CPU {cpu_per_answer:.2f} ms an answer"
            )
        if sigterm:
            print(f"  {await sigterm_mid_send(db, township_id, db.url)}")
        print(f"  peak memory: {peak_memory_mib():.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    parser.add_argument("--free-rounds", type=int, default=1, help="rounds at the free rate (67 s each)")
    parser.add_argument("--no-sigterm", action="store_true", help="skip the SIGTERM-and-restart run")
    args = parser.parse_args()
    asyncio.run(run(args.database_url, args.free_rounds, not args.no_sigterm))


if __name__ == "__main__":
    main()
