"""What the roster's and the reminders' desks share: one transaction with one `now` whose messages go to delivery at
the commit (gridguard/delivery/delivery.handing_over), and the township a member acts in."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from gridguard.db.database import Database
from gridguard.delivery.delivery import DeliveryWorker, handing_over
from gridguard.directory.members import MemberProfile
from gridguard.directory.permissions import Action, townships_of
from gridguard.kernel.clock import Clock
from gridguard.kernel.errors import NotAllowed


class TownshipDesk:
    def __init__(self, db: Database, clock: Clock, zone: ZoneInfo, delivery: DeliveryWorker | None = None) -> None:
        self.db, self.clock, self.zone, self.delivery = db, clock, zone, delivery

    @asynccontextmanager
    async def _work(self) -> AsyncIterator[tuple[AsyncSession, datetime]]:
        """One use case's transaction and its `now`."""
        now = self.clock.now()
        async with handing_over(self.db, self.delivery, now) as session:
            yield session, now

    @staticmethod
    def _township(member: MemberProfile, action: Action) -> int:
        """The (first) township in which the member may do `action`; refused if none."""
        townships = townships_of(member, action)
        if not townships:
            raise NotAllowed()
        return townships[0]
