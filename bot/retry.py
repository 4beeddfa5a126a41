"""Direct replies in a conversation wait out a short 429 instead of failing the user's step.

aiogram raises TelegramRetryAfter and does not retry. For a reply the user is waiting for, a wait of a few
seconds is better than an apology; longer waits still fail (and are logged). The outbox has its own limiter
and retry policy, so its bot does not use this middleware.
"""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import Response, TelegramMethod

MAX_WAIT_SECONDS = 5


class RetryShortFloodWaits(BaseRequestMiddleware):
    def __init__(self, sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep, attempts: int = 2) -> None:
        self.sleep = sleep
        self.attempts = attempts

    async def __call__(
        self, make_request: NextRequestMiddlewareType[Any], bot: Bot, method: TelegramMethod[Any]
    ) -> Response[Any]:
        for _ in range(self.attempts):
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as error:
                if error.retry_after > MAX_WAIT_SECONDS:
                    raise
                await self.sleep(error.retry_after)
        return await make_request(bot, method)
