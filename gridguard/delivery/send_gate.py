"""Telegram's sending limits as one gate the delivery workers ask before each send.

`LocalGate` holds the buckets in this process (one instance). With several instances the buckets must be shared,
or each would send its own 30 a second: bot/redis_limits.RedisGate keeps the same buckets, cool-downs and penalty in
Redis, taken atomically by a script. Both follow `DeliveryLimits`.
"""

import asyncio
import logging
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from gridguard.kernel.rate import TokenBucket

if TYPE_CHECKING:
    from gridguard.delivery.delivery import DeliveryLimits

log = logging.getLogger("gridguard.delivery")


class Timer(Protocol):
    """Monotonic time and sleeping; tests pass a virtual one shared with the fake Bot API."""

    def monotonic(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class SystemTimer:
    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


@dataclass(frozen=True)
class Admission:
    """The gate's answer for one message: `later` > 0, the chat may not have one for that long (nothing taken);
    otherwise its tokens are taken and the send goes after `wait` seconds (the overall rate's turn)."""

    later: float = 0.0
    wait: float = 0.0


class GateUnavailable(Exception):
    """The shared limits cannot be reached (Redis is down): nothing is sent until they can be. The gate logs the
    outage once and its end once; the worker gives the claimed rows back and naps."""


class SendGate(Protocol):
    async def admit_all(self, messages: Sequence[tuple[int, bool]]) -> list[Admission]:
        """For each (chat, paid) in turn: take the chat's token and an overall one (the paid bucket's for a paid
        broadcast), or say when to ask again. Waits count from the call; one call a round of sends."""

    async def flood_wait(self, chat_id: int, retry_after: float) -> None:
        """A 429: the chat cools down for `retry_after`; repeated 429s halve the overall rate for a while."""

    def rate(self) -> float:
        """The overall free rate now (halved while a penalty lasts), as this process last saw it."""


def chat_rate(limits: "DeliveryLimits", chat_id: int) -> tuple[float, int]:
    """(messages a second, burst) for a chat: groups have negative ids."""
    if chat_id < 0:
        return limits.group_per_minute / 60, limits.group_burst
    return limits.private_per_second, limits.private_burst


class LocalGate:
    """The buckets of one process."""

    def __init__(self, limits: "DeliveryLimits", timer: Timer) -> None:
        self.limits = limits
        self.timer = timer
        self._chats: dict[int, TokenBucket] = {}
        self._cooldown_until: dict[int, float] = {}
        self.overall = TokenBucket(limits.per_second, limits.per_second * limits.burst_seconds, timer.monotonic)
        self.paid = TokenBucket(limits.paid_per_second, limits.paid_per_second * limits.burst_seconds, timer.monotonic)
        self._recent_429s: deque[float] = deque()
        self._penalty_until = 0.0

    async def admit_all(self, messages: Sequence[tuple[int, bool]]) -> list[Admission]:
        return [self.admit(chat_id, paid) for chat_id, paid in messages]

    def admit(self, chat_id: int, paid: bool) -> Admission:
        bucket = self._chat(chat_id)
        cooldown = self._cooldown_until.get(chat_id, 0.0) - self.timer.monotonic()
        later = max(cooldown, bucket.wait_time())
        if later > 0:
            return Admission(later=later)
        bucket.take()
        overall = self.paid if paid else self.overall
        if not paid:
            overall.rate = self.rate()
        wait = overall.wait_time()
        overall.take()
        return Admission(wait=wait)

    async def flood_wait(self, chat_id: int, retry_after: float) -> None:
        now = self.timer.monotonic()
        self._cooldown_until[chat_id] = now + retry_after
        self._recent_429s.append(now)
        while self._recent_429s and self._recent_429s[0] < now - self.limits.penalty_window:
            self._recent_429s.popleft()
        if len(self._recent_429s) >= self.limits.penalty_after_429s:
            self._penalty_until = now + self.limits.penalty_seconds
            log.warning("repeated 429s: halving the overall send rate for %.0f s", self.limits.penalty_seconds)

    def rate(self) -> float:
        return self.limits.per_second * (0.5 if self.timer.monotonic() < self._penalty_until else 1.0)

    def _chat(self, chat_id: int) -> TokenBucket:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            rate, burst = chat_rate(self.limits, chat_id)
            bucket = self._chats[chat_id] = TokenBucket(rate, burst, self.timer.monotonic)
        return bucket
