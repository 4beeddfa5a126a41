"""Each instance's health and metrics, served on its own port (METRICS_LISTEN): /healthz, /readyz, /metrics.

/healthz: the process serves HTTP (liveness). /readyz: the database answers, its migrations are this code's, and
Telegram answered getMe within the last `TELEGRAM_RECHECK` seconds (readiness). /metrics: Prometheus text.
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.exceptions import TelegramAPIError
from aiogram.types import TelegramObject
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from sqlalchemy.exc import SQLAlchemyError

from bot.health import WATCHED_STATUSES, database_revision, escalation_lag, outbox_gauges
from bot.update_tracing import update_type
from gridguard.db.database import Database
from gridguard.db.migrate import head_revision
from gridguard.delivery.delivery import DeliveryObserver
from gridguard.delivery.enums import Priority
from gridguard.delivery.outbox import Claimed
from gridguard.kernel.clock import Clock
from gridguard.kernel.errors import DomainError

update_log = logging.getLogger("gridguard.updates")
TELEGRAM_RECHECK = 15.0
"""How long /readyz trusts Telegram's last answer to getMe when it was fine,"""
TELEGRAM_DOWN_RECHECK = 5.0
"""and when it failed: a load balancer polling /readyz while Telegram is down asks it once in a while, not once a
request."""
REMINDER_KINDS = {"remind:": "schedule", "duty-hour:": "duty", "duty-evening:": "duty"}
"""Outbox dedupe-key prefixes of reminders: meetings, inspections and drills
(gridguard/reminders/reminder_sweep.py), and
duty shifts (gridguard/duty/duty_sweep.py)."""
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics(DeliveryObserver):
    """This process's metrics in a registry of its own (several dispatchers in one test process never clash)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.updates = Counter("gridguard_updates", "Updates handled, by type and outcome", ["type", "outcome"],
                               registry=r)  # fmt: skip
        self.update_seconds = Histogram("gridguard_update_seconds", "Time to handle an update", ["type"],
                                        buckets=LATENCY_BUCKETS, registry=r)  # fmt: skip
        self.outbox = Gauge("gridguard_outbox_rows", "Outbox rows by status and priority", ["status", "priority"],
                            registry=r)  # fmt: skip
        self.oldest_pending = Gauge("gridguard_outbox_oldest_pending_seconds", "How long the oldest due row has waited",
                                    registry=r)  # fmt: skip
        self.delivery_seconds = Histogram("gridguard_delivery_seconds", "From a row falling due to Telegram taking it",
                                          buckets=LATENCY_BUCKETS, registry=r)  # fmt: skip
        self.flood_waits = Counter("gridguard_telegram_429", "429 answers from Telegram", registry=r)
        lag = "How far the most overdue escalation step is past its due time"
        self.escalation_lag = Gauge("gridguard_escalation_lag_seconds", lag, registry=r)
        self.reminders = Counter("gridguard_reminders_sent", "Reminders Telegram took, by kind", ["kind"], registry=r)
        for kind in set(REMINDER_KINDS.values()):
            self.reminders.labels(kind)
        self.leader = Gauge("gridguard_leader", "1 while this instance leads the sweeps", registry=r)

    def sent(self, item: Claimed, at: datetime) -> None:
        if item.queued_at is not None:
            self.delivery_seconds.observe(max(0.0, (at - item.queued_at).total_seconds()))
        kind = next((k for prefix, k in REMINDER_KINDS.items() if item.dedupe_key.startswith(prefix)), None)
        if kind is not None:
            self.reminders.labels(kind).inc()

    def flood_wait(self, item: Claimed, retry_after: float) -> None:
        self.flood_waits.inc()

    async def refresh(self, db: Database, now: datetime) -> None:
        """The gauges read from the database, just before a scrape."""
        async with db.reading() as session:
            gauges = await outbox_gauges(session, now)
            lag = await escalation_lag(session, now)
        for status in WATCHED_STATUSES:
            for priority in {p for _s, p in gauges.counts} | {int(p) for p in Priority}:
                self.outbox.labels(status.value, str(priority)).set(gauges.counts.get((status, priority), 0))
        self.oldest_pending.set(gauges.oldest_pending_seconds)
        self.escalation_lag.set(lag)


class UpdateMetrics(BaseMiddleware):
    """Counts each update by type and outcome (handled, unhandled, refused, shed, error) and times it."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        kind = update_type(event)
        started, outcome = time.perf_counter(), "error"
        try:
            result = await handler(event, data)
            outcome = "shed" if data.get("shed") else ("unhandled" if result is UNHANDLED else "handled")
            return result
        except DomainError:
            outcome = "refused"
            raise
        finally:
            took = time.perf_counter() - started
            self.metrics.updates.labels(kind, outcome).inc()
            self.metrics.update_seconds.labels(kind).observe(took)
            update_log.info("update %s %s in %.1f ms", kind, outcome, took * 1000)


class HealthEndpoints:
    def __init__(self, metrics: Metrics, db: Database, bot: Bot, clock: Clock) -> None:
        self.metrics = metrics
        self.db = db
        self.bot = bot
        self.clock = clock
        self.head = head_revision()
        self._telegram_verdict: tuple[float, str] | None = None
        self._telegram_asking = asyncio.Lock()

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/readyz", self.readyz)
        app.router.add_get("/metrics", self.scrape)
        return app

    async def healthz(self, _request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    async def readyz(self, _request: web.Request) -> web.Response:
        checks = {"database": await self._database(), "telegram": await self._telegram()}
        ready = all(v == "ok" for v in checks.values())
        return web.json_response({"ready": ready, **checks}, status=200 if ready else 503)

    async def scrape(self, _request: web.Request) -> web.Response:
        await self.metrics.refresh(self.db, self.clock.now())
        body = generate_latest(self.metrics.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def _database(self) -> str:
        try:
            async with self.db.reading() as session:
                revision = await database_revision(session)
        except SQLAlchemyError as error:
            return f"unreachable: {type(error).__name__}"
        return "ok" if revision == self.head else f"migration {revision}, this code needs {self.head}"

    async def _telegram(self) -> str:
        """Telegram's last verdict while fresh; otherwise one getMe, shared by the requests that arrive meanwhile."""
        async with self._telegram_asking:
            if self._telegram_verdict is not None:
                asked_at, verdict = self._telegram_verdict
                fresh_for = TELEGRAM_RECHECK if verdict == "ok" else TELEGRAM_DOWN_RECHECK
                if time.monotonic() - asked_at < fresh_for:
                    return verdict
            try:
                await self.bot.get_me()
                verdict = "ok"
            except TelegramAPIError as error:
                verdict = f"unreachable: {type(error).__name__}"
            self._telegram_verdict = (time.monotonic(), verdict)
            return verdict
