"""Telegram's limits and the per-user flood buckets shared by every instance through Redis.

Each decision is one Lua script, so it is atomic across instances, and it reads Redis's own clock (TIME), so
instances on machines whose clocks differ still share one bucket (tests pass a virtual clock instead). Keys expire
once their bucket would be full again. Cool-downs and the penalty are keys with Redis's own expiry.
"""

import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Sequence

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.middlewares import FloodVerdict
from gridguard.delivery.delivery import DeliveryLimits
from gridguard.delivery.send_gate import Admission, GateUnavailable, chat_rate

log = logging.getLogger("gridguard.delivery")

_BUCKET = """
local function now(given)
  if given ~= nil and given ~= '' then return tonumber(given) end
  local t = redis.call('TIME')
  return tonumber(t[1]) + tonumber(t[2]) / 1e6
end
local function tokens(key, rate, capacity, at)
  local held = redis.call('HMGET', key, 'tokens', 'at')
  local value, since = tonumber(held[1]), tonumber(held[2])
  if value == nil then return capacity end
  return math.min(capacity, value + math.max(0, at - since) * rate)
end
local function keep(key, value, at, rate, capacity)
  redis.call('HSET', key, 'tokens', value, 'at', at)
  redis.call('PEXPIRE', key, math.ceil((capacity - value) / rate * 1000) + 1000)
end
"""

ADMIT_ALL = (
    _BUCKET
    + """
-- KEYS: overall bucket, paid bucket, penalty, then for each message its chat's bucket and cool-down
-- ARGV: rate, burst, paid rate, paid burst, now (empty: Redis's clock), then for each message: chat rate, chat burst,
-- paid (1 or 0). Returns for each message {later, wait} as strings, then whether the penalty holds.
local at = now(ARGV[5])
local penalised = redis.call('EXISTS', KEYS[3])
local free_rate, free_burst = tonumber(ARGV[1]) * (penalised == 1 and 0.5 or 1), tonumber(ARGV[2])
local paid_rate, paid_burst = tonumber(ARGV[3]), tonumber(ARGV[4])
local free = tokens(KEYS[1], free_rate, free_burst, at)
local paid = tokens(KEYS[2], paid_rate, paid_burst, at)
local chats, answers = {}, {}
for i = 1, (#KEYS - 3) / 2 do
  local bucket, cool = KEYS[2 + 2 * i], KEYS[3 + 2 * i]
  local rate, burst, goes_paid = tonumber(ARGV[3 + 3 * i]), tonumber(ARGV[4 + 3 * i]), ARGV[5 + 3 * i] == '1'
  if chats[bucket] == nil then chats[bucket] = tokens(bucket, rate, burst, at) end
  local cooling = redis.call('PTTL', cool)
  if cooling > 0 then
    table.insert(answers, {tostring(cooling / 1000), '0'})
  elseif chats[bucket] < 1 - 1e-9 then
    table.insert(answers, {tostring((1 - chats[bucket]) / rate), '0'})
  else
    chats[bucket] = chats[bucket] - 1
    keep(bucket, chats[bucket], at, rate, burst)
    local wait = 0
    if goes_paid then
      if paid < 1 then wait = (1 - paid) / paid_rate end
      paid = paid - 1
    else
      if free < 1 then wait = (1 - free) / free_rate end
      free = free - 1
    end
    table.insert(answers, {'0', tostring(wait)})
  end
end
keep(KEYS[1], free, at, free_rate, free_burst)
keep(KEYS[2], paid, at, paid_rate, paid_burst)
table.insert(answers, tostring(penalised))
return answers
"""
)

FLOOD_WAIT = """
-- KEYS: chat cool-down, recent 429s, penalty; ARGV: retry_after ms, window ms, penalty after, penalty ms
redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
local recent = redis.call('INCR', KEYS[2])
if recent == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[2]) end
if recent >= tonumber(ARGV[3]) then
  redis.call('SET', KEYS[3], '1', 'PX', ARGV[4])
  return 1
end
return 0
"""

THROTTLE = (
    _BUCKET
    + """
-- KEYS: the user's bucket, the user's warned mark; ARGV: rate, burst, now (empty: Redis's clock)
-- 1: pass; 2: refuse and warn; 0: refuse
local at = now(ARGV[3])
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local held = tokens(KEYS[1], rate, burst, at)
if held >= burst - 1e-9 then redis.call('DEL', KEYS[2]) end
if held >= 1 - 1e-9 then
  keep(KEYS[1], held - 1, at, rate, burst)
  return 1
end
if redis.call('SET', KEYS[2], '1', 'NX', 'PX', math.ceil(burst / rate * 1000) + 1000) then return 2 end
return 0
"""
)


Clock = Callable[[], float]
"""Seconds (tests: a virtual clock); without one, Redis's own."""


def _now(clock: Clock | None) -> str:
    return repr(clock()) if clock is not None else ""


def key_prefix(token: str) -> str:
    """Keys of one bot (its numeric id), so bots sharing a Redis keep apart."""
    return f"gridguard:{token.partition(':')[0]}:"


class RedisGate:
    """gridguard/delivery/send_gate.SendGate with every bucket in Redis."""

    def __init__(self, redis: Redis, prefix: str, limits: DeliveryLimits, clock: Clock | None = None) -> None:
        self.redis = redis
        self.clock = clock
        self.prefix = prefix
        self.limits = limits
        self._admit_all = redis.register_script(ADMIT_ALL)
        self._flood_wait = redis.register_script(FLOOD_WAIT)
        self._penalised = False
        self._down_since: float | None = None
        self._failed_calls = 0

    @contextlib.asynccontextmanager
    async def _reaching_redis(self) -> AsyncIterator[None]:
        """A call to Redis: failing, it raises GateUnavailable, and the first failure of an outage is logged in one
        line; the first call that works after it says so, once."""
        try:
            yield
        except RedisError as error:
            self._failed_calls += 1
            if self._down_since is None:
                self._down_since = time.monotonic()
                log.warning("delivery paused: the shared limits in Redis are unreachable (%s: %s)",
                            type(error).__name__, error)  # fmt: skip
            raise GateUnavailable(str(error)) from None
        if self._down_since is not None:
            log.warning("delivery resumed: Redis is reachable again after %.0f s (%d calls failed)",
                        time.monotonic() - self._down_since, self._failed_calls)  # fmt: skip
            self._down_since, self._failed_calls = None, 0

    async def admit_all(self, messages: Sequence[tuple[int, bool]]) -> list[Admission]:
        if not messages:
            return []
        limits = self.limits
        keys = [f"{self.prefix}overall", f"{self.prefix}paid", f"{self.prefix}penalty"]
        args: list[str | float] = [limits.per_second, limits.per_second * limits.burst_seconds, limits.paid_per_second,
                              limits.paid_per_second * limits.burst_seconds, _now(self.clock)]  # fmt: skip
        for chat_id, paid in messages:
            keys += [f"{self.prefix}chat:{chat_id}", f"{self.prefix}cool:{chat_id}"]
            args += [*chat_rate(limits, chat_id), "1" if paid else "0"]
        async with self._reaching_redis():
            *answers, penalised = await self._admit_all(keys=keys, args=args)
        self._penalised = penalised == b"1"
        return [Admission(later=float(later), wait=float(wait)) for later, wait in answers]

    async def flood_wait(self, chat_id: int, retry_after: float) -> None:
        limits = self.limits
        keys = [f"{self.prefix}cool:{chat_id}", f"{self.prefix}429s", f"{self.prefix}penalty"]
        args = [max(1, round(retry_after * 1000)), round(limits.penalty_window * 1000), limits.penalty_after_429s,
                round(limits.penalty_seconds * 1000)]  # fmt: skip
        async with self._reaching_redis():
            penalised = await self._flood_wait(keys=keys, args=args)
        if penalised:
            self._penalised = True
            log.warning("repeated 429s: every instance halves the overall send rate for %.0f s", limits.penalty_seconds)

    def rate(self) -> float:
        return self.limits.per_second * (0.5 if self._penalised else 1.0)


class RedisFloodBuckets:
    """The per-user flood throttle's buckets (bot/middlewares.ThrottlingMiddleware), shared by every instance."""

    def __init__(
        self, redis: Redis, prefix: str, burst: int = 8, per_second: float = 1.0, clock: Clock | None = None
    ) -> None:
        self.clock = clock
        self.prefix = prefix
        self.burst = burst
        self.per_second = per_second
        self._throttle = redis.register_script(THROTTLE)

    async def admit(self, user_id: int) -> FloodVerdict:
        keys = [f"{self.prefix}flood:{user_id}", f"{self.prefix}warned:{user_id}"]
        verdict = await self._throttle(keys=keys, args=[self.per_second, self.burst, _now(self.clock)])
        return {1: FloodVerdict.PASS, 2: FloodVerdict.WARN}.get(int(verdict), FloodVerdict.SHED)
