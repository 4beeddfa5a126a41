"""Recognising senders from memory: no SQL in the steady state, yet never stale past a directory write."""

import pytest
from sqlalchemy import text

from gridguard.db.database import Database
from gridguard.directory.directory_cache import DirectoryCache
from gridguard.directory.enums import Role
from gridguard.directory.members import set_language
from tests.fakes.clock import FakeClock, FakeMonotonic
from tests.fakes.records import counting_sql
from tests.fakes.world import TOWNSHIP_A, VILLAGE_A1, VILLAGE_A2, add_member, import_townships

WORKER = 601


@pytest.fixture
async def profiles(db: Database, clock: FakeClock, monotonic: FakeMonotonic) -> DirectoryCache:
    await import_townships(db, clock.now(), TOWNSHIP_A)
    await add_member(db, clock.now(), WORKER, "林网格", Role.GRID_WORKER, VILLAGE_A1)
    return DirectoryCache(db, frozenset(), recheck_seconds=1.0, clock=monotonic)


async def test_a_known_sender_is_recognised_without_sql(profiles: DirectoryCache, db: Database) -> None:
    first = await profiles.recognise(WORKER)
    with counting_sql(db) as tally:
        again = await profiles.recognise(WORKER)
        stranger_once = await profiles.recognise(999)
        stranger_twice = await profiles.recognise(999)
    assert first is not None and again == first
    assert stranger_once is stranger_twice is None
    assert len(tally.queries) == 1, "only the stranger's first lookup reads"


async def test_a_directory_write_here_shows_at_once(profiles: DirectoryCache, db: Database, clock: FakeClock) -> None:
    before = await profiles.recognise(WORKER)
    await add_member(db, clock.now(), WORKER, "林网格", Role.VOLUNTEER, VILLAGE_A2)
    async with db.transaction() as session:
        assert before is not None and before.id is not None
        await set_language(session, before.id, "en")
    after = await profiles.recognise(WORKER)
    assert after is not None
    assert {r.role for r in after.roles} == {Role.GRID_WORKER, Role.VOLUNTEER}
    assert after.language == "en"


async def test_another_instance_write_shows_within_the_recheck_period(
    profiles: DirectoryCache, db: Database, monotonic: FakeMonotonic
) -> None:
    await profiles.recognise(WORKER)
    async with db.engine.begin() as other_instance:
        await other_instance.execute(text(f"UPDATE member SET name = '林新名' WHERE telegram_id = {WORKER}"))
        await other_instance.execute(text("UPDATE directory_version SET version = version + 1"))
    monotonic.advance(0.5)
    held = await profiles.recognise(WORKER)
    monotonic.advance(0.5)
    rechecked = await profiles.recognise(WORKER)
    assert held is not None and held.name == "林网格"
    assert rechecked is not None and rechecked.name == "林新名"


async def test_a_write_that_changes_nothing_keeps_the_version(profiles: DirectoryCache, db: Database) -> None:
    profile = await profiles.recognise(WORKER)
    assert profile is not None and profile.id is not None
    async with db.engine.connect() as connection:
        version = (await connection.execute(text("SELECT version FROM directory_version"))).scalar_one()
    async with db.transaction() as session:
        await set_language(session, profile.id, "zh")
    async with db.engine.connect() as connection:
        assert (await connection.execute(text("SELECT version FROM directory_version"))).scalar_one() == version
