"""The directory's version: every transaction that writes a directory row (a unit, member, role, station group, or a
capability's table marked `DirectoryRow`, such as a township's escalation timeouts) bumps it once.

Caches of profiles and the unit tree compare it to know when they are stale: at once in this process (a local
counter moves after each such commit), and within a recheck period in every other process (they read the row).
The bump rides on the ORM's flush, so no writer can forget it.
"""

import itertools
from typing import Any

from sqlalchemy import event
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from gridguard.directory.tables import DirectoryRow, DirectoryVersion

_CHANGED = "directory_changed"
_local_commits = itertools.count(1)
_last_local_commit = 0


def local_directory_commits() -> int:
    """How many directory-changing transactions this process has committed (moves at each commit)."""
    return _last_local_commit


async def directory_version(session: AsyncSession) -> int:
    """The version every instance shares, as the database holds it (0 before the first write)."""
    version = (await session.exec(select(col(DirectoryVersion.version)).where(col(DirectoryVersion.id) == 1))).first()
    return version or 0


def wrote_directory(session: AsyncSession) -> bool:
    """Whether this session's transaction has written the directory (what it reads is not yet everyone's)."""
    return bool(session.info.get(_CHANGED))


_BUMPS = {
    dialect: insert(DirectoryVersion)
    .values(id=1, version=1)
    .on_conflict_do_update(index_elements=["id"], set_={"version": col(DirectoryVersion.version) + 1})
    for dialect, insert in (("sqlite", sqlite_insert), ("postgresql", postgres_insert))
}
"""An upsert, so the count goes on even in a database whose row was emptied away."""


def _changes_directory(session: Session) -> bool:
    if any(isinstance(obj, DirectoryRow) for obj in (*session.new, *session.deleted)):
        return True
    return any(isinstance(obj, DirectoryRow) and session.is_modified(obj) for obj in session.dirty)


@event.listens_for(Session, "before_flush")
def _bump_on_directory_writes(session: Session, _context: Any, _instances: Any) -> None:
    if session.info.get(_CHANGED) or not _changes_directory(session):
        return
    session.info[_CHANGED] = True
    session.execute(_BUMPS[session.get_bind().dialect.name])


@event.listens_for(Session, "after_commit")
def _count_local_commit(session: Session) -> None:
    global _last_local_commit
    if session.info.pop(_CHANGED, False):
        _last_local_commit = next(_local_commits)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back_change(session: Session) -> None:
    session.info.pop(_CHANGED, None)
