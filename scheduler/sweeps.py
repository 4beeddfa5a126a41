"""The periodic sweeps: escalation, re-notification, auto-close, abandoned drafts, the duty roster's reminders,
handovers and gap warnings, and the meeting, inspection and drill reminders — led by one process."""

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from models import Database
from services.callout_desk import remind_unanswered
from services.clock import Clock
from services.delivery import DeliveryWorker, handing_over
from services.duty_sweep import DutyTimes, sweep_duty
from services.escalation import Context, backup_due, escalate_due, renotify_due
from services.leader import resign, try_lead
from services.policy import Policy
from services.reminder_sweep import SweepContext, sweep_reminders
from services.report_actions import close_unanswered
from services.report_drafts import expire_drafts

log = logging.getLogger("gridguard.scheduler")
LEASE = "sweeps"
CLOCK_SWEEPS_EVERY = timedelta(seconds=30)
"""The duty and reminder sweeps look this often (their messages are minute-grained; how far they have looked is
kept in the database)."""


@dataclass
class Sweeper:
    db: Database
    policy: Policy
    clock: Clock
    zone: ZoneInfo
    default_language: str
    holder: str
    delivery: DeliveryWorker | None = None
    lease_seconds: float = 30.0
    """When the leader dies, another process leads within this long: the lease it renews each tick lasts this
    long less a tick, and the others try to take it each tick."""
    tick_seconds: float = 5.0
    duty_times: DutyTimes = field(default_factory=DutyTimes)
    admin_ids: frozenset[int] = frozenset()
    """Told once of a year the holiday data does not cover."""
    _clock_swept_at: datetime | None = field(default=None, init=False)
    _ticking: asyncio.Lock = field(default_factory=asyncio.Lock, init=False)
    _resigned: bool = field(default=False, init=False)
    leads: bool = field(default=False, init=False)
    """Whether this process held the lease at its last tick."""

    async def tick(self) -> int:
        """One round of every sweep, if this process leads; how many things it acted on."""
        async with self._ticking:
            return 0 if self._resigned else await self._sweep()

    async def resign(self) -> None:
        """A graceful stop: let a tick under way finish, then give the lease up so the next process leads at
        once (an escalation step is not delayed by the lease running out)."""
        async with self._ticking:
            self._resigned, self.leads = True, False
            async with self.db.transaction() as session:
                await resign(session, LEASE, self.holder, self.clock.now())

    async def _sweep(self) -> int:
        now = self.clock.now()
        async with self.db.transaction() as session:
            self.leads = await try_lead(session, LEASE, self.holder, now, self._lease_ttl())
        if not self.leads:
            return 0
        ctx = Context(self.policy, now, self.zone, self.default_language)
        acted = 0
        for sweep in (escalate_due, backup_due, renotify_due, close_unanswered):
            async with handing_over(self.db, self.delivery, now) as session:
                acted += await sweep(session, ctx)
        if self._clock_sweeps_due(now):
            async with handing_over(self.db, self.delivery, now) as session:
                acted += await sweep_duty(session, now, self.zone, self.duty_times)
            reminders = SweepContext(now, self.zone, self.default_language, self.admin_ids, self.policy)
            async with handing_over(self.db, self.delivery, now) as session:
                acted += await sweep_reminders(session, reminders)
            async with handing_over(self.db, self.delivery, now) as session:
                acted += await remind_unanswered(session, now)
            self._clock_swept_at = now
        async with self.db.transaction() as session:
            acted += await expire_drafts(session, self.policy, now)
        return acted

    def _lease_ttl(self) -> timedelta:
        return timedelta(seconds=max(self.tick_seconds, self.lease_seconds - self.tick_seconds))

    def _clock_sweeps_due(self, now: datetime) -> bool:
        last = self._clock_swept_at
        return last is None or now - last >= CLOCK_SWEEPS_EVERY or now < last

    async def safe_tick(self) -> None:
        try:
            await self.tick()
        except Exception:
            log.exception("sweep failed; the next tick tries again")


def build_scheduler(sweeper: Sweeper, every_seconds: float | None = None) -> AsyncIOScheduler:
    """Ticks every few seconds (the sweeper's tick); a late tick still runs (and never two at once), since the work
    is idempotent."""
    every_seconds = every_seconds or sweeper.tick_seconds
    scheduler = AsyncIOScheduler(timezone=sweeper.zone)
    scheduler.add_job(
        sweeper.safe_tick,
        IntervalTrigger(seconds=every_seconds, timezone=sweeper.zone),
        id="sweeps",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=60,
    )
    return scheduler
