"""Middlewares provide objects (the member, the localizer) and shed floods; no business rules."""

import contextlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from aiogram import BaseMiddleware
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import TelegramObject, Update, User

from gridguard.directory.directory_cache import DirectoryCache
from gridguard.directory.members import pick_language
from gridguard.kernel.rate import TokenBucket
from i18n import Localizer

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class ProfileMiddleware(BaseMiddleware):
    """Provides the sender's profile (gridguard/directory/directory_cache.py) and picks their language."""

    def __init__(self, profiles: DirectoryCache, default_language: str) -> None:
        self.profiles = profiles
        self.default_language = default_language

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        member = await self.profiles.recognise(user.id) if user is not None else None
        language = (
            member.language
            if member is not None and member.registered
            else pick_language(user.language_code if user else None, self.default_language)
        )
        data["member"] = member
        data["i18n"] = Localizer(language)
        return await handler(event, data)


class FloodVerdict(StrEnum):
    PASS = "pass"
    WARN = "warn"
    """Refused, and told to slow down: the first refusal since the user calmed down."""
    SHED = "shed"


class FloodBuckets(Protocol):
    async def admit(self, user_id: int) -> FloodVerdict:
        """Whether the user's update goes on."""


@dataclass
class _Sender:
    bucket: TokenBucket
    warned: bool = False


class LocalFloodBuckets:
    """The buckets of one process; bot/redis_limits.RedisFloodBuckets shares them between instances."""

    def __init__(self, burst: int = 8, per_second: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.burst = burst
        self.per_second = per_second
        self.clock = clock
        self._senders: dict[int, _Sender] = {}
        self._last_sweep = clock()

    async def admit(self, user_id: int) -> FloodVerdict:
        sender = self._sender(user_id)
        if sender.bucket.full:
            sender.warned = False
        if sender.bucket.try_take():
            return FloodVerdict.PASS
        if sender.warned:
            return FloodVerdict.SHED
        sender.warned = True
        return FloodVerdict.WARN

    def _sender(self, user_id: int) -> _Sender:
        sender = self._senders.get(user_id)
        if sender is None:
            self._forget_calm_senders()
            sender = self._senders[user_id] = _Sender(TokenBucket(self.per_second, self.burst, self.clock))
        return sender

    def _forget_calm_senders(self) -> None:
        """A bucket that has refilled carries no information; sweep them now and then."""
        now, full_after = self.clock(), self.burst / self.per_second
        if now - self._last_sweep < full_after:
            return
        self._last_sweep = now
        for uid in [uid for uid, sender in self._senders.items() if sender.bucket.full]:
            del self._senders[uid]


class ThrottlingMiddleware(BaseMiddleware):
    """A token bucket per user: a flood is told once to slow down, then shed until the user calms
    down (the bucket refills completely); a steady trickle under the rate always gets through.

    Other users have buckets of their own, so one flooder never slows anyone else down. A shed update is marked
    `shed` in the middleware data (for the metrics). A shed button press is still answered, silently, so the
    button stops spinning.
    """

    def __init__(self, default_language: str, buckets: FloodBuckets | None = None) -> None:
        self.default_language = default_language
        self.buckets = buckets or LocalFloodBuckets()

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        if user is None:
            return await handler(event, data)
        verdict = await self.buckets.admit(user.id)
        if verdict == FloodVerdict.PASS:
            return await handler(event, data)
        data["shed"] = True
        if verdict == FloodVerdict.WARN:
            await self._warn(event, data, user)
        elif isinstance(event, Update) and event.callback_query is not None:
            with contextlib.suppress(TelegramBadRequest):
                await event.callback_query.answer()
        return None

    async def _warn(self, event: TelegramObject, data: dict[str, Any], user: User) -> None:
        language = pick_language(user.language_code, self.default_language)
        text = Localizer(language)("throttle.slow_down")
        if isinstance(event, Update) and event.callback_query is not None:
            await event.callback_query.answer(text, show_alert=True)
        elif isinstance(event, Update) and event.message is not None:
            await event.message.answer(text)
