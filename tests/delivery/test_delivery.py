"""The outbox and its delivery worker through the fake Bot API with Telegram's limits on."""

import asyncio
import contextlib
import shutil
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiogram import Bot
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from bot.redis_limits import RedisGate
from bot.telegram_sender import TelegramSender
from gridguard.db.database import Database
from gridguard.delivery.delivery import DeliveryLimits, DeliveryWorker
from gridguard.delivery.enums import DeliveryStatus, Priority
from gridguard.delivery.outbox import Button, Content, Notice, enqueue, enqueue_edit, enqueue_many
from gridguard.delivery.send_gate import GateUnavailable
from gridguard.directory.enums import Role
from tests.conftest import ADMIN_TELEGRAM_ID
from tests.fakes.clock import FakeClock, VirtualTimer
from tests.fakes.local_http import free_port
from tests.fakes.logs import json_logs
from tests.fakes.records import member_row, notifications
from tests.fakes.telegram_server import FakeTelegram
from tests.fakes.users import Harness
from tests.fakes.world import TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A1, add_member, import_townships

WorkerFactory = Callable[..., DeliveryWorker]


@pytest.fixture
def make_worker(outbox_bot: Bot, db: Database, clock: FakeClock, timer: VirtualTimer) -> WorkerFactory:
    """Delivery workers over the outbox's own Bot (no retry middleware), on the virtual timer."""

    def make(name: str = "w1", request_timeout: float = 5.0, **limits: Any) -> DeliveryWorker:
        sender = TelegramSender(outbox_bot, request_timeout=request_timeout)
        return DeliveryWorker(db, sender, clock, timer, DeliveryLimits(**limits), name=name)

    return make


def start_users(server: FakeTelegram, ids: Iterable[int]) -> None:
    for user_id in ids:
        server.add_private_chat(user_id, f"u{user_id}").started = True


async def queue(
    db: Database, clock: FakeClock, items: Iterable[tuple[str, int, str]], priority: Priority = Priority.NORMAL
) -> None:
    async with db.transaction() as session:
        for key, chat_id, text in items:
            await enqueue(
                session, dedupe_key=key, chat_id=chat_id, content=Content(text=text), now=clock.now(), priority=priority
            )


def received(server: FakeTelegram) -> Counter[str]:
    return Counter(m.shown for messages in server.messages.values() for m in messages)


async def statuses(db: Database) -> Counter[str]:
    return Counter(row.status.value for row in (await notifications(db)).values())


async def test_a_thousand_notifications_to_300_recipients_arrive_once_without_a_429(
    make_worker: WorkerFactory, harness: Harness, db: Database, clock: FakeClock, timer: VirtualTimer
) -> None:
    recipients = list(range(10_000, 10_300))
    start_users(harness.server, recipients)
    await queue(db, clock, ((f"n{i}", recipients[i % 300], f"通知 {i}") for i in range(1000)))
    await make_worker().run_until_idle()
    counts = received(harness.server)
    assert len(counts) == 1000 and set(counts.values()) == {1}
    assert harness.server.flood_log == []
    assert await statuses(db) == Counter({"sent": 1000})
    assert timer.slept >= 1000 / 30 - 1


async def test_queuing_twice_under_one_key_sends_once_and_a_rollback_queues_nothing(
    make_worker: WorkerFactory, harness: Harness, db: Database, clock: FakeClock, timer: VirtualTimer
) -> None:
    start_users(harness.server, [7001])
    async with db.transaction() as session:
        first = await enqueue(
            session, dedupe_key="escalation:1:0:7", chat_id=7001, content=Content(text="一"), now=clock.now()
        )
        again = await enqueue(
            session, dedupe_key="escalation:1:0:7", chat_id=7001, content=Content(text="二"), now=clock.now()
        )
    with pytest.raises(RuntimeError):
        await queue_then_fail(db, clock)
    await make_worker().run_until_idle()
    assert (first, again) == (True, False)
    assert [m.shown for m in harness.server.sent_to(7001)] == ["一"]


async def queue_then_fail(db: Database, clock: FakeClock) -> None:
    async with db.transaction() as session:
        await enqueue(
            session, dedupe_key="rolled-back", chat_id=7001, content=Content(text="不该出现"), now=clock.now()
        )
        raise RuntimeError("the change that caused it failed")


async def test_429_5xx_and_timeouts_are_retried_to_success(
    make_worker: WorkerFactory, harness: Harness, db: Database, clock: FakeClock, timer: VirtualTimer
) -> None:
    start_users(harness.server, [8001, 8002, 8003])
    server = harness.server
    server.inject_fault(429, "Too Many Requests: retry after 7", chat_id=8001, retry_after=7)
    server.inject_fault(502, "Bad Gateway", chat_id=8002, times=2)
    server.inject_fault(500, "Internal Server Error", chat_id=8003, delay=0.3)
    await queue(db, clock, [("a", 8001, "限流后重发"), ("b", 8002, "网关错误后重发"), ("c", 8003, "超时后重发")])
    await make_worker(request_timeout=0.1).run_until_idle()
    assert received(server) == Counter({"限流后重发": 1, "网关错误后重发": 1, "超时后重发": 1})
    rows = await notifications(db)
    assert rows["a"].attempts == 1
    assert rows["b"].attempts == 3
    assert rows["c"].attempts == 2
    assert timer.slept >= 7


async def test_a_blocked_member_is_marked_unreachable_and_the_station_is_told_once(
    make_worker: WorkerFactory, harness: Harness, db: Database, clock: FakeClock, timer: VirtualTimer
) -> None:
    await import_townships(db, clock.now(), TOWNSHIP_A)
    worker_user, head_user = harness.user("林"), harness.user("李")
    await add_member(db, clock.now(), worker_user.id, "林网格", Role.GRID_WORKER, VILLAGE_A1)
    await add_member(db, clock.now(), head_user.id, "李站长", Role.STATION_HEAD, TOWNSHIP_A)
    await head_user.send("/start")
    worker_user.chat.started = True
    harness.server.block(worker_user.id)
    member = await member_row(db, worker_user.id)
    async with db.transaction() as session:
        for n in range(2):
            await enqueue(
                session,
                dedupe_key=f"r{n}",
                chat_id=worker_user.id,
                content=Content(text=f"提醒 {n}"),
                now=clock.now(),
                member_id=member.id,
            )
    await make_worker().run_until_idle()
    told = [m for m in harness.server.sent_to(head_user.id) if "无法送达" in m.shown]
    assert len(told) == 1 and "林网格" in told[0].shown and "网格员" in told[0].shown
    assert await statuses(db) == Counter({"failed": 2, "sent": 1})
    assert (await member_row(db, worker_user.id)).unreachable_since is not None

    harness.server.chats[worker_user.id].blocked = False
    await worker_user.send("/start")
    assert (await member_row(db, worker_user.id)).unreachable_since is None


async def test_a_row_that_keeps_failing_is_dead_and_reported(
    make_worker: WorkerFactory, harness: Harness, db: Database, clock: FakeClock, timer: VirtualTimer
) -> None:
    await import_townships(db, clock.now(), TOWNSHIP_A)
    worker_user, head_user = harness.user("林"), harness.user("李")
    await add_member(db, clock.now(), worker_user.id, "林网格", Role.GRID_WORKER, VILLAGE_A1)
    await add_member(db, clock.now(), head_user.id, "李站长", Role.STATION_HEAD, TOWNSHIP_A)
    worker_user.chat.started = head_user.chat.started = True
    harness.server.inject_fault(500, "Internal Server Error", chat_id=worker_user.id, times=100)
    member = await member_row(db, worker_user.id)
    async with db.transaction() as session:
        await enqueue(
            session,
            dedupe_key="doomed",
            chat_id=worker_user.id,
            content=Content(text="x"),
            now=clock.now(),
            member_id=member.id,
        )
    await make_worker(max_attempts=4).run_until_idle()
    doomed = (await notifications(db))["doomed"]
    assert (doomed.status, doomed.attempts) == (DeliveryStatus.DEAD, 4)
    assert "Internal Server Error" in (doomed.last_error or "")
    [report] = harness.server.sent_to(head_user.id)
    assert "林网格" in report.shown and "已停止重试" in report.shown


async def test_urgent_rows_go_before_reminders(
    make_worker: WorkerFactory, harness: Harness, db: Database, clock: FakeClock, timer: VirtualTimer
) -> None:
    start_users(harness.server, range(9000, 9060))
    await queue(db, clock, ((f"low{i}", 9000 + i, f"提醒 {i}") for i in range(50)), Priority.LOW)
    await queue(db, clock, ((f"urgent{i}", 9050 + i, f"升级 {i}") for i in range(10)), Priority.URGENT)
    await make_worker(batch=10).run_until_idle()
    order = sorted((m for msgs in harness.server.messages.values() for m in msgs), key=lambda m: m.message_id)
    assert all(m.shown.startswith("升级") for m in order[:10])


async def test_edits_change_the_sent_message_in_place(
    make_worker: WorkerFactory, harness: Harness, db: Database, clock: FakeClock, timer: VirtualTimer
) -> None:
    start_users(harness.server, [6001])
    button = ((Button("✅ 确认", "acknowledge", 1),),)
    async with db.transaction() as session:
        await enqueue(
            session,
            dedupe_key="card",
            chat_id=6001,
            content=Content(text="🔥 新隐患", buttons=button),
            now=clock.now(),
        )
        await enqueue(
            session, dedupe_key="photo", chat_id=6001, content=Content(text="现场", photo="photo-file"), now=clock.now()
        )
    worker = make_worker()
    await worker.run_until_idle()
    async with db.transaction() as session:
        assert await enqueue_edit(session, of_key="card", content=Content(text="✅ 已确认（李站长）"), now=clock.now())
        assert await enqueue_edit(session, of_key="photo", content=Content(text="现场（已处置）"), now=clock.now())
    await worker.run_until_idle()
    async with db.transaction() as session:
        await enqueue_edit(session, of_key="card", content=Content(text="✅ 已处置"), now=clock.now())
        await enqueue_edit(session, of_key="card", content=Content(text="✅ 已处置，已关闭"), now=clock.now())
    await worker.run_until_idle()
    card, photo = harness.server.sent_to(6001)
    assert (card.shown, card.buttons, card.edits) == ("✅ 已处置，已关闭", [], 2)
    assert (photo.caption, photo.edits) == ("现场（已处置）", 1)
    assert len(harness.server.sent_to(6001)) == 2


async def test_an_edit_before_the_first_send_just_changes_what_is_sent(
    make_worker: WorkerFactory, harness: Harness, db: Database, clock: FakeClock, timer: VirtualTimer
) -> None:
    start_users(harness.server, [6002])
    async with db.transaction() as session:
        await enqueue(session, dedupe_key="card", chat_id=6002, content=Content(text="新"), now=clock.now())
        await enqueue_edit(session, of_key="card", content=Content(text="已确认"), now=clock.now())
        assert not await enqueue_edit(session, of_key="never-queued", content=Content(text="?"), now=clock.now())
    await make_worker().run_until_idle()
    [card] = harness.server.sent_to(6002)
    assert (card.shown, card.edits) == ("已确认", 0)


async def test_a_restart_in_the_middle_of_a_burst_loses_nothing(
    make_worker: WorkerFactory, harness: Harness, db: Database, clock: FakeClock, timer: VirtualTimer
) -> None:
    recipients = list(range(11_000, 11_050))
    start_users(harness.server, recipients)
    await queue(db, clock, ((f"m{i}", recipients[i % 50], f"消息 {i}") for i in range(200)))
    halfway = asyncio.Event()
    harness.server.message_listeners.append(lambda _m: halfway.set() if len(received(harness.server)) >= 60 else None)
    crashed = asyncio.create_task(make_worker(name="crashed").run_until_idle())
    await halfway.wait()
    crashed.cancel()
    with pytest.raises(asyncio.CancelledError):
        await crashed
    assert await statuses(db) != Counter({"sent": 200})
    clock.advance(minutes=2)
    await make_worker(name="restarted").run_until_idle()
    counts = received(harness.server)
    assert set(counts) == {f"消息 {i}" for i in range(200)}
    assert sum(counts.values()) - 200 <= DeliveryLimits().per_second, "at most one claim (a second's worth) twice"
    assert await statuses(db) == Counter({"sent": 200})


async def test_a_graceful_stop_mid_burst_gives_back_what_it_claimed_and_doubles_nothing(
    make_worker: WorkerFactory, harness: Harness, db: Database, clock: FakeClock, timer: VirtualTimer
) -> None:
    recipients = list(range(11_100, 11_400))
    start_users(harness.server, recipients)
    await queue(db, clock, ((f"g{i}", recipients[i % 300], f"停机 {i}") for i in range(1000)))
    some_sent = asyncio.Event()
    harness.server.message_listeners.append(
        lambda _m: some_sent.set() if len(received(harness.server)) >= 100 else None
    )
    stopping = make_worker(name="stopping")
    running = asyncio.create_task(stopping.run_forever())
    await some_sent.wait()
    await stopping.stop(running)
    assert running.done()
    left = await statuses(db)
    assert "sending" not in left and left["pending"] > 0, "nothing is left claimed for a lease to run out"
    await make_worker(name="restarted").run_until_idle()
    counts = received(harness.server)
    assert len(counts) == 1000 and set(counts.values()) == {1}, "no row was sent twice"
    assert await statuses(db) == Counter({"sent": 1000})


async def test_a_claim_is_about_one_seconds_worth_at_the_current_rate(
    make_worker: WorkerFactory, harness: Harness, db: Database, clock: FakeClock
) -> None:
    start_users(harness.server, range(11_500, 11_600))
    await queue(db, clock, ((f"c{i}", 11_500 + i, f"一秒 {i}") for i in range(100)))
    first_round = await make_worker(per_second=30).run_once()
    assert first_round == 30


async def test_two_workers_never_send_the_same_row(
    make_worker: WorkerFactory, harness: Harness, db: Database, clock: FakeClock, timer: VirtualTimer
) -> None:
    recipients = list(range(12_000, 12_300))
    start_users(harness.server, recipients)
    await queue(db, clock, ((f"k{i}", recipients[i], f"各一条 {i}") for i in range(300)))
    first = make_worker(name="a", batch=20, per_second=15)
    second = make_worker(name="b", batch=20, per_second=15)
    await asyncio.gather(first.run_until_idle(), second.run_until_idle())
    counts = received(harness.server)
    assert len(counts) == 300 and set(counts.values()) == {1}
    assert await statuses(db) == Counter({"sent": 300})
    assert timedelta(0) <= timedelta(seconds=timer.slept)


async def test_outbox_shows_a_station_head_their_township_and_an_admin_everything(
    make_worker: WorkerFactory, harness: Harness, db: Database, clock: FakeClock, timer: VirtualTimer
) -> None:
    await import_townships(db, clock.now(), TOWNSHIP_A, TOWNSHIP_B)
    blocked, head, other_head = harness.user("林"), harness.user("李"), harness.user("周")
    await add_member(db, clock.now(), blocked.id, "林网格", Role.GRID_WORKER, VILLAGE_A1)
    await add_member(db, clock.now(), head.id, "李站长", Role.STATION_HEAD, TOWNSHIP_A)
    await add_member(db, clock.now(), other_head.id, "周站长", Role.STATION_HEAD, TOWNSHIP_B)
    blocked.chat.started = True
    harness.server.block(blocked.id)
    start_users(harness.server, [13_001])
    harness.server.inject_fault(502, "Bad Gateway", chat_id=13_001)
    member = await member_row(db, blocked.id)
    async with db.transaction() as session:
        await enqueue(
            session,
            dedupe_key="to-blocked",
            chat_id=blocked.id,
            content=Content(text="x"),
            now=clock.now(),
            member_id=member.id,
        )
        await enqueue(session, dedupe_key="flaky", chat_id=13_001, content=Content(text="y"), now=clock.now())
    worker = make_worker()
    await worker.run_once()
    await worker.settle()
    clock.advance(minutes=3)

    [own] = await head.send("/outbox")
    assert "待发送：1" in own.shown and "无法送达：1" in own.shown  # the report to the head is queued
    assert "林网格" in own.shown and "blocked by the user" in own.shown
    [other] = await other_head.send("/outbox")
    assert "无法送达：0" in other.shown and "林网格" not in other.shown
    admin = harness.user("Admin", user_id=ADMIN_TELEGRAM_ID)
    [everything] = await admin.send("/outbox")
    assert "待发送：2（最早一条已等待 3 分钟）" in everything.shown and "Bad Gateway" in everything.shown
    [refused] = await harness.user("陌生人").send("/outbox")
    assert "没有权限" in refused.shown
    await blocked.send("/outbox")
    assert "没有权限" in harness.server.sent_to(blocked.id)[-1].shown


async def test_a_fan_out_queues_each_key_once(db: Database, clock: FakeClock) -> None:
    notices = [Notice(f"callout:1:{n}", 100 + n, Content(text="集合")) for n in range(5)]
    async with db.transaction() as session:
        assert await enqueue_many(session, notices[:3], clock.now()) == 3
        assert await enqueue_many(session, notices, clock.now()) == 2
    assert await statuses(db) == Counter({"pending": 5})


async def test_each_send_logs_a_json_line_naming_its_outbox_row_and_dedupe_key(
    server: FakeTelegram, db: Database, clock: FakeClock, make_worker: WorkerFactory
) -> None:
    start_users(server, [501])
    server.add_private_chat(502, "never started")
    await queue(db, clock, [("hello:501", 501, "你好"), ("hello:502", 502, "你好")])
    with json_logs(ZoneInfo("Asia/Shanghai")) as lines:
        await make_worker().run_until_idle()
    rows = await notifications(db)
    sends = {line["dedupe_key"]: line for line in lines if line["logger"] == "gridguard.delivery" and "row_id" in line}
    assert sends["hello:501"]["row_id"] == rows["hello:501"].id and sends["hello:501"]["level"] == "DEBUG"
    assert sends["hello:502"]["row_id"] == rows["hello:502"].id and sends["hello:502"]["level"] == "WARNING"
    assert "unreachable" in sends["hello:502"]["message"]


class OwnRedis:
    """A redis-server of the test's own on a free port, to stop and start again like an outage."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        devnull = asyncio.subprocess.DEVNULL
        self.process = await asyncio.create_subprocess_exec(*command, stdout=devnull, stderr=devnull)
        client = Redis(port=self.port)
        try:
            for _ in range(100):
                with contextlib.suppress(RedisError):
                    await client.execute_command("PING")
                    return
                await asyncio.sleep(0.05)
            raise AssertionError("redis-server did not start")
        finally:
            await client.aclose()

    async def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            await self.process.wait()
            self.process = None


@pytest.fixture
async def own_redis() -> AsyncIterator[OwnRedis]:
    if shutil.which("redis-server") is None:
        pytest.skip("no redis-server on this machine")
    redis = OwnRedis(free_port())
    await redis.start()
    yield redis
    await redis.stop()


async def test_while_redis_is_down_delivery_logs_one_line_and_one_when_it_is_back_and_loses_nothing(
    own_redis: OwnRedis, outbox_bot: Bot, harness: Harness, db: Database, clock: FakeClock, timer: VirtualTimer
) -> None:
    # No retries within a call: redis-py's own back-off would make each failing round take seconds.
    client = Redis(port=own_redis.port, socket_connect_timeout=1, retry=Retry(NoBackoff(), 0))
    gate = RedisGate(client, f"gridguard:test-{uuid.uuid4().hex}:", DeliveryLimits())
    worker = DeliveryWorker(db, TelegramSender(outbox_bot), clock, timer, name="w1", gate=gate)
    start_users(harness.server, [7101])
    await queue(db, clock, ((f"outage{i}", 7101, f"通知 {i}") for i in range(3)))
    await own_redis.stop()
    with caplog_of_gridguard() as lines:
        for _ in range(20):
            with pytest.raises(GateUnavailable):
                await worker.run_once()
            await worker.settle()
            clock.advance(seconds=1)
        await own_redis.start()
        clock.advance(seconds=1)
        await worker.run_until_idle()
    said = [(line["level"], line["message"]) for line in lines if line["level"] in ("WARNING", "ERROR")]
    assert [m for _, m in said if "paused" in m] and len(said) == 2, said
    assert said[1][1].startswith("delivery resumed: Redis is reachable again"), said
    assert all("Traceback" not in str(line) and not line.get("exc_info") for line in lines)
    assert received(harness.server) == Counter({"通知 0": 1, "通知 1": 1, "通知 2": 1})
    await client.aclose()


def caplog_of_gridguard() -> contextlib.AbstractContextManager[list[dict[str, Any]]]:
    return json_logs(ZoneInfo("Asia/Shanghai"))
