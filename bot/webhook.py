"""Webhook mode: Telegram posts each update to WEBHOOK_URL; a proxy in front spreads them over the instances.

An update is answered only after it is handled (not in the background): an instance killed mid-update leaves
Telegram without an answer, so Telegram posts it again and another instance handles it. An update handled once is
remembered (in Redis when several instances run) so a repeat post is answered without handling it again.
"""

import asyncio
import logging
import signal
from collections import OrderedDict
from typing import Any
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import TelegramMethod
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web
from redis.asyncio import Redis

from bot.settings import Settings, host_port
from bot.startup import StartupError

log = logging.getLogger("gridguard")
REMEMBER_HANDLED_SECONDS = 24 * 3600
"""Telegram gives up on an update after a day of failed posts; a repeat comes well within that."""
REMEMBER_HANDLED_HERE = 10_000
MAX_CONNECTIONS = 40
"""Telegram's default: updates posted at once."""
SHUTDOWN_GRACE = 10.0
"""On SIGTERM: how long updates being handled may take to finish."""


def webhook_path(url: str) -> str:
    return urlsplit(url).path or "/"


class HandledUpdates:
    """Which updates were handled already: in Redis across instances, otherwise in this process."""

    def __init__(self, redis: Redis | None, prefix: str) -> None:
        self.redis = redis
        self.prefix = prefix
        self._here: OrderedDict[int, None] = OrderedDict()

    async def seen(self, update_id: int) -> bool:
        if self.redis is not None:
            return bool(await self.redis.exists(f"{self.prefix}handled:{update_id}"))
        return update_id in self._here

    async def remember(self, update_id: int) -> None:
        if self.redis is not None:
            await self.redis.set(f"{self.prefix}handled:{update_id}", "1", ex=REMEMBER_HANDLED_SECONDS)
            return
        self._here[update_id] = None
        while len(self._here) > REMEMBER_HANDLED_HERE:
            self._here.popitem(last=False)


class UpdateOnce(SimpleRequestHandler):
    """aiogram's request handler (secret checked: a wrong one gets 401 and nothing is handled), answering after
    the update is handled, and only once per update id."""

    def __init__(self, dispatcher: Dispatcher, bot: Bot, secret_token: str, handled: HandledUpdates) -> None:
        super().__init__(dispatcher, bot, handle_in_background=False, secret_token=secret_token)
        self.handled = handled

    async def _handle_request(self, bot: Bot, request: web.Request) -> web.Response:
        update = await request.json(loads=bot.session.json_loads)
        update_id = update.get("update_id")
        if not isinstance(update_id, int):
            return web.Response(status=400, text="not an update")
        if await self.handled.seen(update_id):
            return web.json_response({})
        result: TelegramMethod[Any] | None = await self.dispatcher.feed_webhook_update(bot, update, **self.data)
        await self.handled.remember(update_id)
        return web.Response(body=self._build_response_writer(bot=bot, result=result))


async def set_webhook(bot: Bot, dp: Dispatcher, settings: Settings, token: str) -> None:
    """Point Telegram at WEBHOOK_URL; a URL Telegram refuses stops with one line naming the setting."""
    assert settings.webhook_url is not None
    try:
        await bot.set_webhook(
            settings.webhook_url,
            secret_token=settings.secret_token(token),
            allowed_updates=dp.resolve_used_update_types(),
            drop_pending_updates=False,
            max_connections=MAX_CONNECTIONS,
        )
    except TelegramBadRequest as error:
        raise StartupError(
            f"Setting WEBHOOK_URL ({settings.webhook_url}): Telegram refused it: {error.message}"
        ) from None


async def serve_webhook(
    bot: Bot, dp: Dispatcher, settings: Settings, token: str, handled: HandledUpdates, stop: asyncio.Event
) -> None:
    """Listen on WEBHOOK_LISTEN, point Telegram at WEBHOOK_URL, and serve until `stop` (SIGTERM or SIGINT)."""
    assert settings.webhook_url is not None
    app = web.Application()
    UpdateOnce(dp, bot, settings.secret_token(token), handled).register(app, path=webhook_path(settings.webhook_url))
    setup_application(app, dp, bot=bot)
    runner = await serve_http(settings.webhook_listen, app, shutdown_timeout=SHUTDOWN_GRACE)
    try:
        await set_webhook(bot, dp, settings, token)
        log.info("taking updates by webhook at %s (listening on %s)", settings.webhook_url, settings.webhook_listen)
        await stop.wait()
    finally:
        await runner.cleanup()


def stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    return stop


async def serve_http(listen: str, app: web.Application, shutdown_timeout: float = 60.0) -> web.AppRunner:
    """Serve `app` on `listen` (host:port): the webhook, or the health and metrics port; the caller cleans it up."""
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=shutdown_timeout)
    await runner.setup()
    host, port = host_port(listen)
    await web.TCPSite(runner, host, port).start()
    return runner
