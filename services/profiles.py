"""Who is writing: member profiles held in memory, so a steady stream of updates runs no SQL to recognise senders.

A cached profile is dropped the moment this process commits a directory write, and within `recheck_seconds` of
another process's (the database holds the directory's version). A member marked unreachable who writes to the bot
is reachable again: recognising them clears the mark.
"""

import time
from collections.abc import Callable
from dataclasses import replace

from models import Database, directory_version, local_directory_commits
from services.members import MemberProfile, load_profile
from services.undeliverable import mark_reachable

RECHECK_SECONDS = 1.0
MAX_PROFILES = 50_000
"""Beyond this many senders held (strangers count too), the cache starts again rather than grow."""


class Profiles:
    """Profiles by Telegram id, for the edge to recognise senders."""

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
        self._held: dict[int, MemberProfile | None] = {}
        self._generation = 0
        self._local_commits = local_directory_commits()
        self._version: int | None = None
        self._checked_at = float("-inf")

    async def recognise(self, telegram_id: int) -> MemberProfile | None:
        """The sender's profile (None for a stranger); clears an unreachable mark."""
        await self._drop_if_stale()
        if telegram_id in self._held:
            return self._held[telegram_id]
        generation = self._generation
        async with self.db.reading() as session:
            profile = await load_profile(session, telegram_id, self.admin_ids)
        if profile is not None and profile.unreachable and profile.id is not None:
            async with self.db.transaction() as session:
                await mark_reachable(session, profile.id)
            return replace(profile, unreachable=False)
        if generation == self._generation and len(self._held) < MAX_PROFILES:
            self._held[telegram_id] = profile
        return profile

    async def _drop_if_stale(self) -> None:
        if self._local_commits != local_directory_commits():
            self._local_commits = local_directory_commits()
            self._drop()
        if self.clock() - self._checked_at < self.recheck_seconds:
            return
        self._checked_at = self.clock()
        async with self.db.reading() as session:
            version = await directory_version(session)
        if version != self._version:
            self._version = version
            self._drop()

    def _drop(self) -> None:
        self._held.clear()
        self._generation += 1
