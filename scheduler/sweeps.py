"""The sweeper: every sweep the capabilities register (gridguard/sweeps.py), each as often as it asks, led by one
process."""

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from gridguard.db.database import Database
from gridguard.db.leader import resign, try_lead
from gridguard.delivery.delivery import DeliveryWorker, handing_over
from gridguard.duty.duty_sweep import DutyTimes
from gridguard.kernel.clock import Clock
from gridguard.reports.policy import Policy
from gridguard.sweeps import Sweep, Tick, registered_sweeps

log = logging.getLogger("gridguard.scheduler")
LEASE = "sweeps"


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
    _swept_at: dict[str, datetime] = field(default_factory=dict, init=False)
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
        settings = {Policy: self.policy, DutyTimes: self.duty_times}
        tick = Tick(now, self.zone, self.default_language, self.admin_ids, settings)
        acted = 0
        for sweep in registered_sweeps():
            if self._due(sweep, now):
                async with handing_over(self.db, self.delivery, now) as session:
                    acted += await sweep.run(session, tick)
                self._swept_at[sweep.name] = now
        return acted

    def _lease_ttl(self) -> timedelta:
        return timedelta(seconds=max(self.tick_seconds, self.lease_seconds - self.tick_seconds))

    def _due(self, sweep: Sweep, now: datetime) -> bool:
        """Every tick, or once `sweep.every` has passed since it last ran here (or the clock went back)."""
        last = self._swept_at.get(sweep.name)
        return last is None or now - last >= sweep.every or now < last

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
