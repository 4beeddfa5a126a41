"""Telegram's limits and the per-user flood buckets shared by every instance through Redis.

Each decision is one Lua script, so it is atomic across instances, and it reads Redis's own clock (TIME), so
instances on machines whose clocks differ still share one bucket (tests pass a virtual clock instead). Keys expire
once their bucket would be full again. Cool-downs and the penalty are keys with Redis's own expiry.
"""

import logging
from collections.abc import Callable

from redis.asyncio import Redis

from bot.middlewares import FloodVerdict
from services.delivery import DeliveryLimits
from services.send_gate import Admission, chat_rate

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

ADMIT = (
    _BUCKET
    + """
-- KEYS: chat bucket, chat cool-down, overall bucket, penalty
-- ARGV: chat rate, chat burst, rate, burst, penalised?, now (empty: Redis's clock)
local at = now(ARGV[6])
local cooling = redis.call('PTTL', KEYS[2])
if cooling > 0 then return {'later', tostring(cooling / 1000)} end
local chat_rate, chat_burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local chat = tokens(KEYS[1], chat_rate, chat_burst, at)
if chat < 1 - 1e-9 then return {'later', tostring((1 - chat) / chat_rate)} end
local penalised = 0
if ARGV[5] == '1' then penalised = redis.call('EXISTS', KEYS[4]) end
local rate, burst = tonumber(ARGV[3]) * (penalised == 1 and 0.5 or 1), tonumber(ARGV[4])
local overall = tokens(KEYS[3], rate, burst, at)
local wait = 0
if overall < 1 then wait = (1 - overall) / rate end
keep(KEYS[1], chat - 1, at, chat_rate, chat_burst)
keep(KEYS[3], overall - 1, at, rate, burst)
return {'go', tostring(wait), tostring(penalised)}
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
    """services/send_gate.SendGate with every bucket in Redis."""

    def __init__(self, redis: Redis, prefix: str, limits: DeliveryLimits, clock: Clock | None = None) -> None:
        self.redis = redis
        self.clock = clock
        self.prefix = prefix
        self.limits = limits
        self._admit = redis.register_script(ADMIT)
        self._flood_wait = redis.register_script(FLOOD_WAIT)
        self._penalised = False

    async def admit(self, chat_id: int, paid: bool) -> Admission:
        rate, burst = chat_rate(self.limits, chat_id)
        overall_rate = self.limits.paid_per_second if paid else self.limits.per_second
        keys = [
            f"{self.prefix}chat:{chat_id}",
            f"{self.prefix}cool:{chat_id}",
            f"{self.prefix}{'paid' if paid else 'overall'}",
            f"{self.prefix}penalty",
        ]
        args = [
            rate,
            burst,
            overall_rate,
            overall_rate * self.limits.burst_seconds,
            "0" if paid else "1",
            _now(self.clock),
        ]
        verdict = await self._admit(keys=keys, args=args)
        if verdict[0] == b"later":
            return Admission(later=float(verdict[1]))
        if not paid:
            self._penalised = verdict[2] == b"1"
        return Admission(wait=float(verdict[1]))

    async def flood_wait(self, chat_id: int, retry_after: float) -> None:
        limits = self.limits
        keys = [f"{self.prefix}cool:{chat_id}", f"{self.prefix}429s", f"{self.prefix}penalty"]
        args = [max(1, round(retry_after * 1000)), round(limits.penalty_window * 1000), limits.penalty_after_429s,
                round(limits.penalty_seconds * 1000)]  # fmt: skip
        if await self._flood_wait(keys=keys, args=args):
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
