"""Several instances share Telegram's limits and the flood buckets through Redis: two gates (as two instances'
delivery workers) together keep to one bot's 30 messages a second, a chat's limit and a 429's cool-down; two
throttles together let a flooding user through once."""

import os
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from bot.redis_limits import RedisFloodBuckets, RedisGate
from gridguard.delivery.delivery import DeliveryLimits
from gridguard.delivery.send_gate import Admission, LocalGate
from tests.fakes.clock import FakeMonotonic, VirtualTimer

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(not TEST_REDIS_URL, reason="set TEST_REDIS_URL (CI does) to run against Redis")
LIMITS = DeliveryLimits(per_second=30, burst_seconds=0.3, private_per_second=1, private_burst=3)


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    assert TEST_REDIS_URL is not None
    client = Redis.from_url(TEST_REDIS_URL)
    yield client
    await client.aclose()


@pytest.fixture
def prefix() -> str:
    return f"gridguard:test-{uuid.uuid4().hex}:"


async def admit(gate: RedisGate | LocalGate, chat_id: int) -> Admission:
    [admission] = await gate.admit_all([(chat_id, False)])
    return admission


async def scheduled_sends(gates: list[RedisGate] | list[LocalGate], monotonic: FakeMonotonic, count: int) -> float:
    """Admit `count` messages to different chats, alternating between the gates, each send waiting its turn;
    the virtual time the last one goes."""
    for n in range(count):
        admission = await admit(gates[n % len(gates)], 10_000 + n)
        assert admission.later == 0
        monotonic.advance(admission.wait)
    return monotonic()


async def test_two_instances_together_keep_to_one_bots_overall_rate(
    redis: Redis, prefix: str, monotonic: FakeMonotonic, timer: VirtualTimer
) -> None:
    shared = [RedisGate(redis, prefix, LIMITS, clock=monotonic), RedisGate(redis, prefix, LIMITS, clock=monotonic)]
    start = monotonic()
    took = await scheduled_sends(shared, monotonic, 300) - start
    assert took == pytest.approx((300 - 9) / 30, abs=0.05), "300 messages at 30 a second after a burst of 9"

    apart = [LocalGate(LIMITS, timer), LocalGate(LIMITS, timer)]
    start = monotonic()
    assert await scheduled_sends(apart, monotonic, 300) - start < took * 0.6, "unshared, each sends its own 30/s"


async def test_rounds_admitted_in_one_call_each_keep_the_shared_rate_and_a_chat_s_burst(
    redis: Redis, prefix: str, monotonic: FakeMonotonic
) -> None:
    a, b = RedisGate(redis, prefix, LIMITS, clock=monotonic), RedisGate(redis, prefix, LIMITS, clock=monotonic)
    rounds = [
        await gate.admit_all([(20_000 + 30 * n + k, False) for k in range(30)]) for n, gate in enumerate([a, b] * 5)
    ]
    waits = [admission.wait for round_ in rounds for admission in round_]
    assert all(admission.later == 0 for round_ in rounds for admission in round_)
    assert max(waits) == pytest.approx((300 - 9) / 30, abs=0.05), "300 in ten rounds from two instances: one 30/s"
    same_chat = await a.admit_all([(31, False)] * 4 + [(32, True)])
    assert [s.later == 0 for s in same_chat] == [True, True, True, False, True], "a chat's burst is 3"
    assert same_chat[4].wait < 0.01, "a paid broadcast does not queue behind the free rate"
    assert a.rate() == 30


async def test_a_chat_s_limit_and_a_429_s_cool_down_hold_across_instances(
    redis: Redis, prefix: str, monotonic: FakeMonotonic
) -> None:
    a, b = RedisGate(redis, prefix, LIMITS, clock=monotonic), RedisGate(redis, prefix, LIMITS, clock=monotonic)
    for gate in (a, b, a):
        assert (await admit(gate, 77)).later == 0
    assert (await admit(b, 77)).later == pytest.approx(1.0), "the chat's burst of 3 is spent"

    await a.flood_wait(88, retry_after=12)
    assert 11 < (await admit(b, 88)).later <= 12, "B waits out the 429 that A was given"
    assert b.rate() == 30
    await b.flood_wait(89, retry_after=1)
    assert b.rate() == 15, "two 429s in the window halve the rate"
    await admit(a, 90)
    assert a.rate() == 15, "and the other instance learns it at its next send"


async def test_a_flooding_user_is_let_through_once_by_two_instances_together(
    redis: Redis, prefix: str, monotonic: FakeMonotonic
) -> None:
    a = RedisFloodBuckets(redis, prefix, burst=8, per_second=1, clock=monotonic)
    b = RedisFloodBuckets(redis, prefix, burst=8, per_second=1, clock=monotonic)
    verdicts = [await (a if n % 2 else b).admit(5150) for n in range(12)]
    assert verdicts == ["pass"] * 8 + ["warn"] + ["shed"] * 3, "told once to slow down, then shed"
    assert await a.admit(6160) == "pass", "another user has a bucket of their own"
    monotonic.advance(8)
    assert [await b.admit(5150), await a.admit(5150)] == ["pass", "pass"], "calmed down, let through again"
