"""The composition root: builds the Bot, the Dispatcher with its middlewares, and runs them."""

import asyncio
import gc
import logging
import os
import socket
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramNetworkError,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.filters import ExceptionTypeFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage, SimpleEventIsolation
from aiogram.fsm.storage.redis import RedisEventIsolation, RedisStorage
from aiogram.types import ErrorEvent, Message, User
from redis.asyncio import Redis

import bot.pydantic_cache  # noqa: F401  (keeps response models alive)
from bot.json_session import JsonSession
from bot.metrics import HealthEndpoints, Metrics, UpdateMetrics
from bot.middlewares import ProfileMiddleware, ThrottlingMiddleware
from bot.paths import ESCALATION_POLICY
from bot.redis_limits import RedisFloodBuckets, RedisGate, key_prefix
from bot.retry import RetryShortFloodWaits
from bot.settings import Settings, StartupError
from bot.startup import Patience, ready_database, with_patience
from bot.telegram_sender import TelegramSender
from bot.update_tracing import name_handler, trace_update
from bot.webhook import RedisClaims, serve_http, serve_webhook, stop_on_signals
from gridguard.callouts.callout_desk import CalloutDesk
from gridguard.db.database import Database
from gridguard.db.update_claims import DatabaseClaims
from gridguard.delivery.delivery import DeliveryLimits, DeliveryObserver, DeliveryWorker
from gridguard.delivery.outbox_status import OutboxDesk
from gridguard.directory.desk import DirectoryDesk
from gridguard.directory.directory_cache import DirectoryCache
from gridguard.directory.members import MemberProfile
from gridguard.duty.duty_desk import DutyDesk
from gridguard.duty.duty_sweep import DutyTimes
from gridguard.kernel.clock import Clock, SystemClock
from gridguard.kernel.errors import DomainError
from gridguard.plans.plan_desk import PlanDesk
from gridguard.plans.plan_library import PlanLibrary
from gridguard.reminders.reminder_desk import ReminderDesk
from gridguard.reports.policy import Policy, load_policy
from gridguard.reports.report_desk import ReportDesk
from gridguard.reports.station import StationDesk
from gridguard.telegram import build_routers
from gridguard.telegram.common import leave_conversation
from gridguard.telegram.menu import set_command_menus
from i18n import Localizer
from scheduler.sweeps import Sweeper, build_scheduler

log = logging.getLogger("gridguard")


def build_bot(token: str, api_base: str | None, wait_out_flood: Callable[[float], Awaitable[Any]] | None = None) -> Bot:
    """A Bot on the given API server; with `wait_out_flood`, replies wait out short 429s (not for the outbox)."""
    session = JsonSession(api=TelegramAPIServer.from_base(api_base)) if api_base else JsonSession()
    if wait_out_flood is not None:
        session.middleware(RetryShortFloodWaits(wait_out_flood))
    return Bot(token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))


USER_LOCK_SECONDS = 15
"""How long one instance may hold a user's lock (their updates one at a time): an instance killed while holding it
delays that user's next update on another instance at most this long (aiogram's default is 60 s)."""


def build_redis(settings: Settings) -> Redis | None:
    """One client for everything the instances share (REDIS_URL): conversations, limits, updates handled."""
    return Redis.from_url(settings.redis_url) if settings.redis_url else None


def redis_prefix(settings: Settings) -> str:
    return key_prefix(settings.bot_token.get_secret_value() if settings.bot_token else "")


def build_storage(redis: Redis | None) -> tuple[BaseStorage, BaseEventIsolation]:
    """Memory by default; Redis when REDIS_URL is set, so several instances share conversations."""
    if redis is not None:
        storage = RedisStorage(redis)
        return storage, RedisEventIsolation(redis, lock_kwargs={"timeout": USER_LOCK_SECONDS})
    return MemoryStorage(), SimpleEventIsolation()


def build_delivery(
    settings: Settings,
    db: Database,
    bot: Bot,
    clock: Clock,
    redis: Redis | None = None,
    observer: DeliveryObserver | None = None,
) -> DeliveryWorker:
    """The outbox's worker; with Redis, Telegram's limits are kept across every instance's worker."""
    limits = DeliveryLimits(
        per_second=settings.outbox_rate,
        max_attempts=settings.outbox_max_attempts,
        paid_broadcast=settings.paid_broadcast,
        lease=timedelta(seconds=settings.outbox_lease_seconds),
    )
    gate = RedisGate(redis, redis_prefix(settings), limits) if redis is not None else None
    name = f"{socket.gethostname()}:{os.getpid()}"
    return DeliveryWorker(
        db.separate_pool(), TelegramSender(bot), clock, limits=limits, name=name, gate=gate, observer=observer
    )


def build_dispatcher(
    settings: Settings,
    db: Database,
    clock: Clock,
    throttle: ThrottlingMiddleware | None = None,
    delivery: DeliveryWorker | None = None,
    policy: Policy | None = None,
    metrics: Metrics | None = None,
    redis: Redis | None = None,
) -> Dispatcher:
    redis = redis if redis is not None else build_redis(settings)
    storage, isolation = build_storage(redis)
    dp = Dispatcher(storage=storage, events_isolation=isolation)
    trace_updates(dp, metrics or Metrics())
    policy = policy or load_policy(ESCALATION_POLICY)
    directory = DirectoryCache(db, settings.admin_ids)
    dp["db"] = db
    dp["clock"] = clock
    dp["delivery"] = delivery
    dp["policy"] = policy
    dp["settings"] = settings
    dp["admin_ids"] = settings.admin_ids
    dp["desk"] = ReportDesk(db, clock, policy, settings.zone, settings.default_language, directory, delivery)
    dp["duty_desk"] = DutyDesk(db, clock, settings.zone, delivery)
    dp["reminder_desk"] = ReminderDesk(db, clock, settings.zone, settings.default_language, policy, delivery)
    dp["callout_desk"] = CalloutDesk(db, clock, settings.zone, settings.paid_broadcast, delivery)
    dp["plan_desk"] = PlanDesk(db, clock, settings.zone, settings.default_language, delivery)
    dp["plan_library"] = PlanLibrary(db, clock, settings.zone, settings.default_language, delivery)
    dp["directory_desk"] = DirectoryDesk(db, clock, settings.admin_ids)
    dp["station_desk"] = StationDesk(db, clock, policy)
    dp["outbox_desk"] = OutboxDesk(db, clock)
    if throttle is None:
        buckets = RedisFloodBuckets(redis, redis_prefix(settings)) if redis is not None else None
        throttle = ThrottlingMiddleware(settings.default_language, buckets)
    shed_floods_before_queueing(dp, throttle)
    dp.update.outer_middleware(ProfileMiddleware(directory, settings.default_language))
    dp.include_routers(*build_routers())
    dp.errors.register(answer_refusal, ExceptionTypeFilter(DomainError))
    dp.errors.register(apologise)
    return dp


def trace_updates(dp: Dispatcher, metrics: Metrics) -> None:
    """Count and time every update, and name it (and its handler) on every log line about it."""
    dp.update.outer_middleware(trace_update)
    dp.update.outer_middleware(UpdateMetrics(metrics))
    for name, observer in dp.observers.items():
        if name not in ("update", "error"):
            observer.middleware(name_handler)


def shed_floods_before_queueing(dp: Dispatcher, throttle: ThrottlingMiddleware) -> None:
    """Put the throttle ahead of the FSM middleware, which holds the per-user lock (events isolation).

    Behind it, a flood would queue on the lock and each update would wait its turn and for the chat's send
    limit, so the bucket refilled while they waited and every update was answered, one a second, for minutes.
    In front of it, a flood is shed as it arrives.
    """
    outer = dp.update.outer_middleware
    outer.unregister(dp.fsm)
    outer(throttle)
    outer(dp.fsm)


ALERT_LIMIT = 200
"""Telegram's limit for the text of a callback query's answer."""


async def answer_refusal(
    event: ErrorEvent,
    bot: Bot,
    desk: ReportDesk,
    i18n: Localizer | None = None,
    state: FSMContext | None = None,
    member: MemberProfile | None = None,
) -> None:
    """The one answer to a DomainError: an alert for a button press, a message otherwise. A refusal that ends
    the conversation (`ends_flow`) also leaves it, so the user is not asked again for something they may not do."""
    error = event.exception
    assert isinstance(error, DomainError)
    text = (i18n or Localizer("zh"))(error.key, **error.params)
    if error.ends_flow and state is not None:
        await leave_conversation(state, desk, member)
    query, message = event.update.callback_query, event.update.message
    if query is not None:
        try:
            await query.answer(text[:ALERT_LIMIT], show_alert=True)
        except TelegramBadRequest:
            await bot.send_message(query.from_user.id, text)
    elif message is not None:
        await message.answer(text)


async def apologise(event: ErrorEvent, bot: Bot, i18n: Localizer | None = None) -> None:
    """Log an unexpected error with its update id; tell the user briefly; keep serving."""
    log.exception("unhandled error in update %s", event.update.update_id, exc_info=event.exception)
    chat_id = _chat_of(event)
    if chat_id is None:
        return
    text = (i18n or Localizer("zh"))("error.apology")
    try:
        await bot.send_message(chat_id, text)
    except TelegramAPIError:
        log.warning("could not send the apology for update %s", event.update.update_id)


def _chat_of(event: ErrorEvent) -> int | None:
    update = event.update
    if update.message is not None:
        return update.message.chat.id
    if update.callback_query is not None and isinstance(update.callback_query.message, Message):
        return update.callback_query.message.chat.id
    return None


def build_sweeper(
    settings: Settings, db: Database, policy: Policy, clock: Clock, holder: str, delivery: DeliveryWorker | None
) -> Sweeper:
    times = DutyTimes(evening=settings.duty_evening_reminder)
    return Sweeper(
        db,
        policy,
        clock,
        settings.zone,
        settings.default_language,
        holder,
        delivery,
        duty_times=times,
        admin_ids=settings.admin_ids,
        lease_seconds=settings.sweep_lease_seconds,
        tick_seconds=min(5.0, settings.sweep_lease_seconds / 3),
    )


async def wait_for_telegram(bot: Bot, settings: Settings, patience: Patience) -> User:
    """Who the bot is; a network fault is waited out, a refused token stops the start in one line."""
    where = f"Setting TELEGRAM_API_BASE ({settings.telegram_api_base})" if settings.telegram_api_base else "Telegram"

    async def me() -> User:
        try:
            return await bot.me()
        except TelegramUnauthorizedError:
            raise StartupError("Setting BOT_TOKEN: Telegram refused the token; get a new one from @BotFather") from None

    def reachable_later(error: BaseException) -> bool:
        return isinstance(error, TelegramNetworkError | TelegramServerError)

    return await with_patience(where, me, reachable_later, patience)


def freeze_startup_heap() -> None:
    """What start-up built lives as long as the process: collect once, then move it out of the garbage collector's
    way (`gc.freeze`). A full collection then walks only what was made since, not every object of aiogram,
    SQLAlchemy and pydantic: in bench.reporting one such collection, in every burst of 200 reports, cost 150–175 ms
    of CPU (about 0.8 ms a report) and held every handler meanwhile."""
    gc.collect()
    gc.freeze()


async def run_bot(settings: Settings, token: str, clock: Clock | None = None, started: float | None = None) -> None:
    """Wait for the database and Telegram, migrate, then poll (or serve the webhook) until stopped; SIGTERM stops
    gracefully."""
    started = time.monotonic() if started is None else started
    patience = Patience(settings.startup_wait_seconds)
    await ready_database(settings.database_url, patience)
    db = Database(settings.database_url)
    clock = clock or SystemClock()
    redis = build_redis(settings)
    metrics = Metrics()
    bot = build_bot(token, settings.telegram_api_base, wait_out_flood=asyncio.sleep)
    outbox_bot = build_bot(token, settings.telegram_api_base)
    delivery = build_delivery(settings, db, outbox_bot, clock, redis, metrics)
    policy = load_policy(ESCALATION_POLICY)
    dp = build_dispatcher(settings, db, clock, delivery=delivery, policy=policy, metrics=metrics, redis=redis)
    holder = f"{socket.gethostname()}:{os.getpid()}"
    sweeper = build_sweeper(settings, db, policy, clock, holder, delivery)
    metrics.leader.set_function(lambda: float(sweeper.leads))
    scheduler = build_scheduler(sweeper)
    health = HealthEndpoints(metrics, db, bot, clock)
    health_server = await serve_http(settings.metrics_listen, health.app()) if settings.metrics_listen else None
    delivering = asyncio.create_task(delivery.run_forever(), name="delivery")
    scheduler.start()
    try:
        me = await wait_for_telegram(bot, settings, patience)
        await set_command_menus(bot, settings.default_language)
        freeze_startup_heap()
        log.info("GridGuard running as @%s, ready %.2f s after the start", me.username, time.monotonic() - started)
        if settings.webhook_url:
            claims = RedisClaims(redis, redis_prefix(settings)) if redis is not None else DatabaseClaims(db, clock)
            await serve_webhook(bot, dp, settings, token, claims, stop_on_signals())
        else:
            await dp.start_polling(bot, allowed_updates=dp.resolve_used_update_types())
    finally:
        scheduler.shutdown(wait=False)
        await sweeper.resign()
        await delivery.stop(delivering)
        if health_server is not None:
            await health_server.cleanup()
        await delivery.db.dispose()
        await bot.session.close()
        await outbox_bot.session.close()
        await dp.storage.close()
        await db.dispose()
