"""The directory held in memory: who is writing, where a unit lies, and whom a report reaches.

A steady stream of updates and reports then runs no SQL to recognise senders, find places or pick recipients.
Everything held is dropped the moment this process commits a directory write (units, members, roles, station
groups, policy overrides: gridguard/directory/versioning.py), and within `recheck_seconds` of another process's, through
the version the database holds. A member marked unreachable who writes to the bot is reachable again: recognising
them clears the mark.
"""

import time
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from gridguard.db.database import Database
from gridguard.delivery.undeliverable import mark_reachable
from gridguard.directory.members import MemberProfile, load_profile
from gridguard.directory.places import Place, place_of
from gridguard.directory.tables import Unit
from gridguard.directory.versioning import directory_version, local_directory_commits, wrote_directory
from gridguard.kernel.errors import NoLongerThere

RECHECK_SECONDS = 1.0
MAX_HELD = 100_000
"""Beyond this many entries (strangers count too), the cache starts again rather than grow."""

T = TypeVar("T")


class DirectoryCache:
    """Profiles by Telegram id, places by unit id, and what capabilities work out from the directory."""

    def __init__(
        self,
        db: Database,
        admin_ids: frozenset[int],
        recheck_seconds: float = RECHECK_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.db = db
        self.admin_ids = admin_ids
        self.recheck_seconds = recheck_seconds
        self.clock = clock
        self._held: dict[Hashable, Any] = {}
        self._generation = 0
        self._local_commits = local_directory_commits()
        self._version: int | None = None
        self._checked_at = float("-inf")

    async def recognise(self, telegram_id: int) -> MemberProfile | None:
        """The sender's profile (None for a stranger); clears an unreachable mark."""

        async def load(session: AsyncSession) -> MemberProfile | None:
            return await load_profile(session, telegram_id, self.admin_ids)

        profile = await self.held(("profile", telegram_id), load)
        if profile is not None and profile.unreachable and profile.id is not None:
            async with self.db.transaction() as session:
                await mark_reachable(session, profile.id)
            return replace(profile, unreachable=False)
        return profile

    async def place(self, unit_id: int, session: AsyncSession | None = None) -> Place:
        """Where a unit lies; a unit removed meanwhile ends the conversation about it."""

        async def load(session: AsyncSession) -> Place:
            unit = await session.get(Unit, unit_id)
            if unit is None:
                raise NoLongerThere("report.no_longer_reporter")
            return await place_of(session, unit)

        return await self.held(("place", unit_id), load, session)

    async def held(
        self, key: Hashable, load: Callable[[AsyncSession], Awaitable[T]], session: AsyncSession | None = None
    ) -> T:
        """Anything worked out from the directory (a report's audience), held until the directory changes: the
        value held, or loaded — in the caller's transaction when it has one (a second connection per transaction
        could exhaust the pool under load), otherwise in a short read of its own. What a transaction that has
        written the directory reads is not kept: it is not everyone's until it commits. `key` starts with the
        kind of value, so two kinds never meet."""
        self._drop_if_changed_here()
        if key in self._held and not self._recheck_due():
            held_now: T = self._held[key]
            return held_now
        async with self._session(session) as reading:
            await self._drop_if_stale(reading)
            if key in self._held:
                held: T = self._held[key]
                return held
            generation = self._generation
            value = await load(reading)
            if generation == self._generation and not wrote_directory(reading):
                if len(self._held) >= MAX_HELD:
                    self._drop()
                self._held[key] = value
            return value

    @asynccontextmanager
    async def _session(self, session: AsyncSession | None) -> AsyncIterator[AsyncSession]:
        if session is not None:
            yield session
            return
        async with self.db.reading() as own:
            yield own

    def _drop_if_changed_here(self) -> None:
        if self._local_commits != local_directory_commits():
            self._local_commits = local_directory_commits()
            self._drop()

    def _recheck_due(self) -> bool:
        return self.clock() - self._checked_at >= self.recheck_seconds

    async def _drop_if_stale(self, session: AsyncSession) -> None:
        self._drop_if_changed_here()
        if not self._recheck_due():
            return
        self._checked_at = self.clock()
        version = await directory_version(session)
        if version != self._version:
            self._version = version
            self._drop()

    def _drop(self) -> None:
        self._held.clear()
        self._generation += 1
