"""Webhook mode: Telegram posts each update to WEBHOOK_URL; a proxy in front spreads them over the instances.

An update is answered only after it is handled (not in the background): an instance killed mid-update leaves
Telegram without an answer, so Telegram posts it again and another instance handles it. Each update is claimed
before it is handled (in Redis when several instances run, otherwise in the database), so a repeated post, or
several at once, is answered without handling it again.
"""

import asyncio
import logging
import signal
from typing import Any
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import TelegramMethod
from aiogram.types import Update
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web
from pydantic import ValidationError
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError

from bot.settings import Settings, StartupError, host_port
from gridguard.db.update_claims import CLAIM_SECONDS, REMEMBER_HANDLED, Claim, UpdateClaims

log = logging.getLogger("gridguard")
CLAIMED, DONE = b"claimed", b"done"
MAX_UPDATE_ID = 2**63 - 1
MAX_CONNECTIONS = 40
"""Telegram's default: updates posted at once."""
SHUTDOWN_GRACE = 10.0
"""On SIGTERM: how long updates being handled may take to finish."""


def webhook_path(url: str) -> str:
    return urlsplit(url).path or "/"


class RedisClaims:
    """Update claims in Redis, shared by every instance: SET NX takes a claim; "done" marks one handled."""

    def __init__(self, redis: Redis, prefix: str) -> None:
        self.redis = redis
        self.prefix = prefix

    def _key(self, update_id: int) -> str:
        return f"{self.prefix}update:{update_id}"

    async def claim(self, update_id: int) -> Claim:
        if await self.redis.set(self._key(update_id), CLAIMED, nx=True, ex=CLAIM_SECONDS):
            return Claim.TAKEN
        held = await self.redis.get(self._key(update_id))
        if held is None:
            return await self.claim(update_id)
        return Claim.HANDLED if held == DONE else Claim.BUSY

    async def renew(self, update_id: int) -> None:
        await self.redis.set(self._key(update_id), CLAIMED, xx=True, ex=CLAIM_SECONDS)

    async def finish(self, update_id: int) -> None:
        await self.redis.set(self._key(update_id), DONE, ex=int(REMEMBER_HANDLED.total_seconds()))

    async def release(self, update_id: int) -> None:
        await self.redis.delete(self._key(update_id))


class MalformedUpdate(Exception):
    """A post with the right secret whose body is not an update this bot can read."""


def parsed_update(body: bytes, bot: Bot) -> Update:
    """The update in a webhook post's body, or MalformedUpdate naming what is wrong with it."""
    try:
        raw = bot.session.json_loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise MalformedUpdate("not UTF-8") from None
    except (ValueError, RecursionError):
        raise MalformedUpdate("not JSON (or numbers too long, or nested too deep)") from None
    update_id = raw.get("update_id") if isinstance(raw, dict) else None
    if type(update_id) is not int or not 0 <= update_id <= MAX_UPDATE_ID:
        raise MalformedUpdate("no update_id")
    try:
        return Update.model_validate(raw, context={"bot": bot})
    except (ValidationError, RecursionError) as error:
        raise MalformedUpdate(f"update {update_id} is not one Telegram sends: {str(error).splitlines()[0]}") from None


class UpdateOnce(SimpleRequestHandler):
    """aiogram's request handler (secret checked: a wrong one gets 401 and nothing is handled), answering after the
    update is handled, and handling each update once: a post of an update this instance is handling waits for it,
    one another instance is handling gets 503 (Telegram posts it again), one handled already gets 200. A malformed
    body gets 400 and one log line (Telegram would post a 5xx again forever)."""

    def __init__(self, dispatcher: Dispatcher, bot: Bot, secret_token: str, claims: UpdateClaims) -> None:
        super().__init__(dispatcher, bot, handle_in_background=False, secret_token=secret_token)
        self.claims = claims
        self._here: dict[int, asyncio.Future[bool]] = {}

    async def _handle_request(self, bot: Bot, request: web.Request) -> web.Response:
        try:
            update = parsed_update(await request.read(), bot)
        except MalformedUpdate as error:
            log.warning("webhook: refused a malformed post: %s", error)
            return web.Response(status=400, text="not an update")
        if update.update_id in self._here:
            handled = await asyncio.shield(self._here[update.update_id])
            return web.json_response({}) if handled else web.Response(status=500)
        claim = await self.claims.claim(update.update_id)
        if claim == Claim.HANDLED:
            return web.json_response({})
        if claim == Claim.BUSY:
            return web.Response(status=503, headers={"Retry-After": str(CLAIM_SECONDS)}, text="being handled")
        return await self._handle_claimed(bot, update)

    async def _handle_claimed(self, bot: Bot, update: Update) -> web.Response:
        outcome: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._here[update.update_id] = outcome
        renewing = asyncio.create_task(self._keep_claim(update.update_id))
        handled = False
        try:
            result: TelegramMethod[Any] | None = await self.dispatcher.feed_webhook_update(bot, update, **self.data)
            handled = True
        finally:
            renewing.cancel()
            del self._here[update.update_id]
            outcome.set_result(handled)
            if not handled:
                await self.claims.release(update.update_id)
        await self.claims.finish(update.update_id)
        return web.Response(body=self._build_response_writer(bot=bot, result=result))

    async def _keep_claim(self, update_id: int) -> None:
        """Renew the claim while the update is handled; a renewal that fails is tried again at the next turn (if
        the claim lapses meanwhile, a repeated post may be handled a second time, never not at all)."""
        while True:
            await asyncio.sleep(CLAIM_SECONDS / 3)
            try:
                await self.claims.renew(update_id)
            except (RedisError, SQLAlchemyError) as error:
                log.warning("webhook: the claim on update %d was not renewed (%s)", update_id, type(error).__name__)


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
    bot: Bot, dp: Dispatcher, settings: Settings, token: str, claims: UpdateClaims, stop: asyncio.Event
) -> None:
    """Listen on WEBHOOK_LISTEN, point Telegram at WEBHOOK_URL, and serve until `stop` (SIGTERM or SIGINT)."""
    assert settings.webhook_url is not None
    app = web.Application()
    UpdateOnce(dp, bot, settings.secret_token(token), claims).register(app, path=webhook_path(settings.webhook_url))
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
