"""Claiming a webhook update before handling it, so an update posted several times — at once, to one instance or to
several, or again after a failure — is handled once.

A claim lasts CLAIM_SECONDS and is renewed while the update is handled, so it outlives any handler yet lapses soon
after an instance dies holding it (Telegram posts the update again, and another instance takes it then). A handled
update is remembered for a day, as long as Telegram keeps posting one that failed.
"""

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from sqlalchemy import delete, update
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col

from gridguard.db.database import Database, on_postgres
from gridguard.db.tables import ClaimedUpdate
from gridguard.kernel.clock import Clock

CLAIM_SECONDS = 15
"""How long a claim holds without renewal; renewed every third of it while the update is handled."""
REMEMBER_HANDLED = timedelta(days=1)
PRUNE_EVERY = timedelta(minutes=10)


class Claim(StrEnum):
    """What trying to claim an update found."""

    TAKEN = "taken"
    """It is ours to handle now."""
    HANDLED = "handled"
    """It was handled already: answer it without handling it again."""
    BUSY = "busy"
    """Another instance is handling it right now."""


class UpdateClaims(Protocol):
    async def claim(self, update_id: int) -> Claim: ...

    async def renew(self, update_id: int) -> None: ...

    async def finish(self, update_id: int) -> None:
        """The update was handled: remember it as handled."""

    async def release(self, update_id: int) -> None:
        """Handling failed: let the next post of it be handled."""


class DatabaseClaims:
    """Claims in the `claimed_update` table: an insert that only one instance wins, or the take-over of a claim
    whose holder stopped renewing it."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock
        self._pruned_at: datetime | None = None

    async def claim(self, update_id: int) -> Claim:
        now = self.clock.now()
        until = now + timedelta(seconds=CLAIM_SECONDS)
        async with self.db.transaction() as session:
            table = ClaimedUpdate.__table__  # type: ignore[attr-defined]
            insert = postgres_insert(table) if on_postgres(session) else sqlite_insert(table)
            row = {"update_id": update_id, "done": False, "claimed_until": until, "created_at": now}
            added = await session.exec(insert.values(**row).on_conflict_do_nothing(index_elements=["update_id"]))
            if added.rowcount:
                return Claim.TAKEN
            lapsed = (
                update(ClaimedUpdate)
                .where(
                    col(ClaimedUpdate.update_id) == update_id,
                    col(ClaimedUpdate.done).is_(False),
                    col(ClaimedUpdate.claimed_until) <= now,
                )
                .values(claimed_until=until)
            )
            if (await session.exec(lapsed)).rowcount:
                return Claim.TAKEN
            found = await session.get(ClaimedUpdate, update_id)
            return Claim.HANDLED if found is not None and found.done else Claim.BUSY

    async def renew(self, update_id: int) -> None:
        until = self.clock.now() + timedelta(seconds=CLAIM_SECONDS)
        await self._set(update_id, claimed_until=until)

    async def finish(self, update_id: int) -> None:
        await self._set(update_id, done=True)
        await self._prune()

    async def release(self, update_id: int) -> None:
        async with self.db.transaction() as session:
            await session.exec(delete(ClaimedUpdate).where(col(ClaimedUpdate.update_id) == update_id))

    async def _set(self, update_id: int, **values: object) -> None:
        async with self.db.transaction() as session:
            await session.exec(update(ClaimedUpdate).where(col(ClaimedUpdate.update_id) == update_id).values(**values))

    async def _prune(self) -> None:
        """Forget updates handled more than a day ago (at most every ten minutes)."""
        now = self.clock.now()
        if self._pruned_at is not None and now - self._pruned_at < PRUNE_EVERY:
            return
        self._pruned_at = now
        async with self.db.transaction() as session:
            old = delete(ClaimedUpdate).where(col(ClaimedUpdate.created_at) < now - REMEMBER_HANDLED)
            await session.exec(old)
