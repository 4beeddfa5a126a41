"""PostgreSQL: a transaction begun and ended on the driver, the ORM session joining it when used
(gridguard/db/driver_transaction.py)."""

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event, insert
from sqlalchemy.orm.exc import DetachedInstanceError
from sqlmodel import select

from gridguard.db.database import Database
from gridguard.db.direct import Direct
from gridguard.delivery.enums import DeliveryStatus
from gridguard.delivery.tables import Notification
from gridguard.directory.enums import UnitLevel
from gridguard.directory.tables import Unit
from tests.conftest import TEST_DATABASE_URL

pytestmark = pytest.mark.skipif(
    not TEST_DATABASE_URL, reason="PostgreSQL only (CI's second run): set TEST_DATABASE_URL"
)

NOW = datetime(2026, 7, 1, 9, 30, tzinfo=UTC)
TABLE = Notification.__table__  # type: ignore[attr-defined]
INSERT = Direct(insert(TABLE).returning(TABLE.c.id))


def outbox_row(key: str) -> dict[str, Any]:
    return {
        "dedupe_key": key, "chat_id": 42, "member_id": None, "unit_id": None, "topic": None, "priority": 1,
        "payload": {"text": "山洪预警"}, "edit_of_id": None, "revision": 0, "status": DeliveryStatus.PENDING,
        "claimed_by": None, "claimed_until": None, "attempts": 0, "next_attempt_at": NOW, "created_at": NOW,
    }  # fmt: skip


def village(unit_id: int) -> Unit:
    return Unit(id=unit_id, code=f"350524999{unit_id % 1000:03d}", name="新村", level=UnitLevel.VILLAGE, created_at=NOW)


async def _keys(db: Database) -> set[str]:
    async with db.reading() as session:
        return set((await session.exec(select(Notification.dedupe_key))).all())


async def test_driver_statements_alone_are_begun_and_committed_on_the_driver(db: Database) -> None:
    sent: list[str] = []

    def log_queries(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.driver_connection.add_query_logger(lambda logged: sent.append(logged.query.split()[0]))

    await db.engine.dispose()
    event.listen(db.engine.sync_engine, "connect", log_queries)
    async with db.transaction() as session:
        await INSERT.rows(session, outbox_row("a"))
        await INSERT.rows(session, outbox_row("b"))
    assert await _keys(db) == {"a", "b"}
    assert sent[:4] == ["BEGIN;", "INSERT", "INSERT", "COMMIT;"], "asyncpg logs a query on the loop's next turn"


async def test_the_orm_joins_the_same_transaction_and_commits_it(db: Database) -> None:
    async with db.transaction() as session:
        await INSERT.rows(session, outbox_row("a"))
        session.add(village(9001))
    async with db.reading() as session:
        assert await session.get(Unit, 9001) is not None
    assert await _keys(db) == {"a"}


async def _fail_after_writing_both(db: Database) -> None:
    async with db.transaction() as session:
        session.add(village(9002))
        await session.flush()
        await INSERT.rows(session, outbox_row("b"))
        raise RuntimeError("the use case failed after writing")


async def _load_then_fail(db: Database, loaded: list[Unit | None]) -> None:
    async with db.transaction() as session:
        loaded.append(await session.get(Unit, 9003))
        raise RuntimeError("rolled back: what it loaded is expired")


async def test_an_error_after_both_undoes_both(db: Database) -> None:
    with pytest.raises(RuntimeError):
        await _fail_after_writing_both(db)
    async with db.reading() as session:
        assert await session.get(Unit, 9002) is None
    assert await _keys(db) == set()


async def test_what_it_loaded_is_detached_once_its_connection_is_back_in_the_pool(db: Database) -> None:
    async with db.transaction() as session:
        session.add(village(9003))
    loaded: list[Unit | None] = []
    with pytest.raises(RuntimeError):
        await _load_then_fail(db, loaded)
    [unit] = loaded
    assert unit is not None
    with pytest.raises(DetachedInstanceError):
        _ = unit.name
