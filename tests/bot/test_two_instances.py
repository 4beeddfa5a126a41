"""Two real `python -m bot` processes serve one bot behind a round-robin proxy, on PostgreSQL and Redis, with the
fake Bot API posting updates by webhook: a report filed through one is acknowledged through the other, and one
killed with -9 in the middle of a burst loses nothing and doubles nothing beyond the claim bound."""

import asyncio
import contextlib
import os
import signal
import sys
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from redis.asyncio import Redis
from sqlmodel import select

from bot.paths import PROJECT_ROOT
from gridguard.db.database import Database
from gridguard.directory.enums import Role, UnitLevel
from gridguard.directory.tables import Member, Unit
from gridguard.kernel.clock import SystemClock
from gridguard.reports.enums import ReportStatus
from gridguard.reports.tables import Report
from tests.conftest import TEST_DATABASE_URL
from tests.fakes.balancer import Balancer
from tests.fakes.local_http import free_port
from tests.fakes.records import member_row
from tests.fakes.summaries import SUBMIT, at_the_summary
from tests.fakes.telegram_server import FakeTelegram, SentMessage
from tests.fakes.users import PollingHarness
from tests.fakes.world import TOWNSHIP_A, add_member, import_townships

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(
    not (TEST_DATABASE_URL and TEST_REDIS_URL),
    reason="several instances need PostgreSQL and Redis: set TEST_DATABASE_URL and TEST_REDIS_URL (CI does)",
)
OUTBOX_LEASE = 3
"""Seconds a killed instance's claimed rows wait before another instance sends them (production: 60)."""
CLAIM_BOUND = 30
"""The most rows one worker claims at once at 30 a second: what a kill -9 can make go twice."""
WAIT = 60.0


class Instance:
    """One `python -m bot` process in webhook mode with its own health and metrics port."""

    def __init__(self, name: str, server: FakeTelegram, webhook_url: str, logs: Path) -> None:
        self.name = name
        self.port, self.metrics_port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "BOT_TOKEN": server.token,
            "TELEGRAM_API_BASE": server.base_url,
            "DATABASE_URL": TEST_DATABASE_URL or "",
            "REDIS_URL": TEST_REDIS_URL or "",
            "WEBHOOK_URL": webhook_url,
            "WEBHOOK_LISTEN": f"127.0.0.1:{self.port}",
            "METRICS_LISTEN": f"127.0.0.1:{self.metrics_port}",
            "OUTBOX_LEASE_SECONDS": str(OUTBOX_LEASE),
            "SWEEP_LEASE_SECONDS": "6",
            "LOG_LEVEL": "WARNING",
            "ADMIN_IDS": "",
        }
        self.log_path = logs / f"{name}.log"
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        with self.log_path.open("wb") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", env=self.env, cwd=PROJECT_ROOT, stdout=log, stderr=log
            )

    async def ready(self) -> None:
        deadline = time.monotonic() + WAIT
        async with aiohttp.ClientSession() as session:
            while time.monotonic() < deadline:
                assert self.process is not None and self.process.returncode is None, self.log_path.read_text()
                with contextlib.suppress(aiohttp.ClientError):
                    async with session.get(f"http://127.0.0.1:{self.metrics_port}/readyz") as answer:
                        if answer.status == 200:
                            return
                await asyncio.sleep(0.1)
        raise AssertionError(f"{self.name} never became ready: {self.log_path.read_text()}")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)

    async def stop(self) -> int | None:
        """SIGTERM, as systemd or Docker stop it; the exit code (killed after 20 s, it is negative)."""
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 20)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        return self.process.returncode if self.process is not None else None


@pytest.fixture
async def live_server() -> AsyncIterator[FakeTelegram]:
    """The fake Bot API on the real clock (the instances run in real time), Telegram's limits enforced."""
    fake = FakeTelegram()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def two_instances(
    live_server: FakeTelegram, tmp_path: Path
) -> AsyncIterator[tuple[Instance, Instance, Balancer]]:
    assert TEST_REDIS_URL is not None
    async with Redis.from_url(TEST_REDIS_URL) as redis:
        await redis.flushdb()
    balancer = Balancer([])
    url = await balancer.start()
    a, b = Instance("a", live_server, url, tmp_path), Instance("b", live_server, url, tmp_path)
    balancer.backends.extend([a.url, b.url])
    try:
        await asyncio.gather(a.start(), b.start())
        await asyncio.gather(a.ready(), b.ready())
        await until(lambda: live_server.webhook is not None)
        yield a, b, balancer
    finally:
        await asyncio.gather(a.stop(), b.stop())
        await balancer.stop()


async def until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_a_report_filed_through_one_instance_is_acknowledged_through_the_other(
    db: Database, live_server: FakeTelegram, two_instances: tuple[Instance, Instance, Balancer]
) -> None:
    a, b, balancer = two_instances
    [(reporter, officer_id, village)] = await village_pairs(db, 1)
    officer = PollingHarness(live_server, reply_timeout=20).user("安全员", user_id=officer_id)
    officer.chat.started = True
    [press] = await summaries(db, live_server, [(reporter, officer_id, village)])

    balancer.backends[:] = [a.url]
    live_server.push_update({"update_id": live_server.next_update_id(), **press})
    await until(lambda: any(m.buttons for m in officer.inbox))
    card = next(m for m in officer.inbox if m.buttons)
    assert any("已提交" in m.shown for m in live_server.sent_to(reporter))

    balancer.backends[:] = [b.url]
    await officer.click("✅ 确认", card)
    async with db.reading() as session:
        [report] = (await session.exec(select(Report))).all()
    assert report.status == ReportStatus.ACKNOWLEDGED
    assert report.acknowledged_by_id == (await member_row(db, officer.id)).id
    assert balancer.forwarded[b.url] == 1, "the press went to B, and B acknowledged the report A filed"
    assert balancer.forwarded[a.url] == 1, "the press that filed it went to A"
    assert await asyncio.gather(a.stop(), b.stop()) == [0, 0], "SIGTERM stops an instance in webhook mode cleanly"


async def summaries(db: Database, server: FakeTelegram, pairs: list[tuple[int, int, int]]) -> list[dict[str, Any]]:
    """Each reporter at the summary of a report (their draft saved, their conversation at the last step, the
    summary in their chat), and their press of "confirm"."""
    assert TEST_REDIS_URL is not None
    await at_the_summary(db, TEST_REDIS_URL, server.token, [(reporter, village) for reporter, _, village in pairs])
    presses = []
    for reporter, _officer, _village in pairs:
        chat = server.add_private_chat(reporter, f"网格员{reporter}")
        chat.started = True
        markup = {"inline_keyboard": [[{"text": "✅ 确认提交", "callback_data": SUBMIT}]]}
        summary = SentMessage(reporter, server.next_message_id(), "sendMessage", text="请核对", html="请核对",
                              reply_markup=markup)  # fmt: skip
        server.messages[reporter].append(summary)
        query_id = f"press-{reporter}"
        server.open_callback(query_id)
        sender = {"id": reporter, "is_bot": False, "first_name": f"网格员{reporter}", "language_code": "zh-hans"}
        presses.append({"callback_query": {"id": query_id, "from": sender, "chat_instance": "ci", "data": SUBMIT,
                                           "message": server._message_json(summary, chat)}})  # fmt: skip
    return presses


async def village_pairs(db: Database, count: int) -> list[tuple[int, int, int]]:
    """A grid worker and a village officer in each of `count` villages of the township: (worker, officer, village)."""
    now = SystemClock().now()
    await import_townships(db, now, TOWNSHIP_A)
    async with db.reading() as session:
        villages = (await session.exec(select(Unit).where(Unit.level == UnitLevel.VILLAGE).order_by(Unit.code))).all()
    pairs = []
    for n, village in enumerate(villages[:count]):
        worker, officer = 300_000 + n, 400_000 + n
        await add_member(db, now, worker, f"网格员{n}", Role.GRID_WORKER, village.code)
        await add_member(db, now, officer, f"安全员{n}", Role.VILLAGE_OFFICER, village.code)
        assert village.id is not None
        pairs.append((worker, officer, village.id))
    return pairs


async def test_an_instance_killed_with_minus_9_mid_burst_loses_nothing_and_doubles_within_the_claim_bound(
    db: Database, live_server: FakeTelegram, two_instances: tuple[Instance, Instance, Balancer]
) -> None:
    a, _b, balancer = two_instances
    pairs = await village_pairs(db, 24)
    for _worker, officer, _village in pairs:
        live_server.add_private_chat(officer, f"安全员{officer}").started = True
    presses = await summaries(db, live_server, pairs)
    for press in presses:
        live_server.push_update({"update_id": live_server.next_update_id(), **press})
    await until(lambda: balancer.forwarded.get(a.url, 0) >= 3)
    a.kill()
    assert sum(balancer.forwarded.values()) < len(presses), "killed in the middle of the burst"

    reporters = [worker for worker, _officer, _village in pairs]
    officers = [officer for _worker, officer, _village in pairs]

    async def filed() -> list[Report]:
        async with db.reading() as session:
            return list((await session.exec(select(Report))).all())

    deadline = time.monotonic() + WAIT
    while len(await filed()) < len(pairs) or not all(cards_of(live_server, o) for o in officers):
        assert time.monotonic() < deadline, (
            f"{len(await filed())} filed; cards {[len(cards_of(live_server, o)) for o in officers]}"
        )
        await asyncio.sleep(0.2)
    await asyncio.sleep(OUTBOX_LEASE + 1)

    reports = await filed()
    by_reporter = sorted([await reporter_of(db, r) for r in reports])
    assert by_reporter == sorted(reporters), "every press filed its report, and none twice"
    cards = [len(cards_of(live_server, o)) for o in officers]
    assert min(cards) >= 1 and sum(cards) - len(officers) <= CLAIM_BOUND, cards
    confirmed = [sum("已提交" in m.shown for m in live_server.sent_to(r)) for r in reporters]
    assert confirmed == [1] * len(reporters), "every reporter's summary turned into the confirmation"
    assert live_server.webhook is not None and live_server.webhook.pending_count == 0


def cards_of(server: FakeTelegram, officer: int) -> list[SentMessage]:
    return [m for m in server.sent_to(officer) if m.buttons]


async def reporter_of(db: Database, report: Report) -> int:
    async with db.reading() as session:
        member = await session.get(Member, report.reporter_id)
    assert member is not None
    return member.telegram_id
