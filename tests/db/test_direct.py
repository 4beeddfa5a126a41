"""Statements sent straight to the driver store and read values exactly as the session does, inside its transaction."""

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import bindparam, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel.ext.asyncio.session import AsyncSession

from gridguard.db.database import Database
from gridguard.db.direct import DRIVER, Direct
from gridguard.delivery.enums import DeliveryStatus
from gridguard.delivery.tables import Notification
from gridguard.directory.enums import UnitLevel
from gridguard.directory.tables import Unit

TABLE = Notification.__table__  # type: ignore[attr-defined]
INSERT = Direct(insert(TABLE).returning(TABLE.c.id, TABLE.c.created_at, TABLE.c.status, TABLE.c.payload))
SENDING = Direct(
    select(TABLE.c.dedupe_key, TABLE.c.claimed_until)
    .where(TABLE.c.status == DeliveryStatus.SENDING, TABLE.c.chat_id == bindparam("chat_id"))
    .order_by(TABLE.c.dedupe_key)
)
CHINA = timezone(timedelta(hours=8))
NOW = datetime(2026, 7, 1, 9, 30, 15, 123456, tzinfo=CHINA)


def row(key: str, status: DeliveryStatus, claimed_until: datetime | None = None) -> dict[str, Any]:
    return {
        "dedupe_key": key, "chat_id": 42, "member_id": None, "unit_id": None, "topic": None, "priority": 1,
        "payload": {"text": "台风<b>蓝色</b>预警", "buttons": [[{"label": "收到"}]]}, "edit_of_id": None,
        "revision": 0, "status": status, "claimed_by": None, "claimed_until": claimed_until, "attempts": 0,
        "next_attempt_at": NOW, "created_at": NOW,
    }  # fmt: skip


async def test_a_row_written_directly_reads_back_the_same_through_the_session(db: Database) -> None:
    async with db.transaction() as session:
        inserted = (await INSERT.rows(session, row("a", DeliveryStatus.SENDING, NOW + timedelta(minutes=1))))[0]
    async with db.reading() as session:
        stored = await session.get(Notification, inserted.id)
    assert stored is not None
    assert (inserted.created_at, inserted.status, inserted.payload) == (NOW, DeliveryStatus.SENDING, stored.payload)
    assert inserted.created_at.tzinfo is not None and stored.created_at == NOW
    assert stored.claimed_until == NOW + timedelta(minutes=1) and stored.status == DeliveryStatus.SENDING
    assert stored.payload == {"text": "台风<b>蓝色</b>预警", "buttons": [[{"label": "收到"}]]}


async def test_a_select_reads_named_columns_and_binds_the_values_the_statement_holds(db: Database) -> None:
    async with db.transaction() as session:
        for key, status in (
            ("b", DeliveryStatus.SENDING),
            ("a", DeliveryStatus.SENDING),
            ("c", DeliveryStatus.PENDING),
        ):
            await INSERT.rows(session, row(key, status))
        found = await SENDING.rows(session, {"chat_id": 42})
    assert [(r.dedupe_key, r.claimed_until) for r in found] == [("a", None), ("b", None)]


async def test_a_direct_statement_is_part_of_the_session_transaction(db: Database) -> None:
    failed: list[AsyncSession] = []

    async def fail_after_writing() -> None:
        async with db.transaction() as session:
            failed.append(session)
            await INSERT.rows(session, row("undone", DeliveryStatus.PENDING))
            raise RuntimeError("the use case failed after writing")

    with pytest.raises(RuntimeError):
        await fail_after_writing()
    assert DRIVER not in failed[0].info, "the rolled-back transaction's connection is forgotten"
    async with db.reading() as session:
        assert (await session.exec(select(TABLE.c.id).where(TABLE.c.dedupe_key == "undone"))).first() is None  # type: ignore[call-overload]


async def test_objects_the_session_holds_unwritten_are_written_before_a_direct_statement(db: Database) -> None:
    """The outbox row names a unit the same use case added a moment before: the unit must be in the table first."""
    async with db.transaction() as session:
        session.add(Unit(id=9001, code="350524999001", name="新村", level=UnitLevel.VILLAGE, created_at=NOW))
        inserted = await INSERT.rows(session, row("a", DeliveryStatus.PENDING) | {"unit_id": 9001})
    async with db.reading() as session:
        stored = await session.get(Notification, inserted[0].id)
    assert stored is not None and stored.unit_id == 9001


async def test_the_driver_connection_is_forgotten_when_the_transaction_ends(db: Database) -> None:
    async with db.transaction() as session:
        await INSERT.rows(session, row("a", DeliveryStatus.PENDING))
        assert DRIVER in session.info
    assert DRIVER not in session.info


def test_statements_that_would_need_sqlalchemy_at_run_time_are_refused_when_compiled() -> None:
    """An expanding IN, and a column left to its Python default, need SQLAlchemy's execution; refused at once."""
    expanding = Direct(select(TABLE.c.id).where(TABLE.c.status.in_([DeliveryStatus.SENDING, DeliveryStatus.PENDING])))
    defaulted = Direct(insert(TABLE))
    with pytest.raises(ValueError, match="binds each value"):
        expanding._for(sqlite.dialect(), {})
    with pytest.raises(ValueError, match="binds each value"):
        defaulted._for(sqlite.dialect(), {"dedupe_key": "a", "chat_id": 1})


@pytest.mark.parametrize("dialect_insert", [sqlite_insert, postgres_insert])
def test_one_statement_compiles_once_per_dialect_and_set_of_names(dialect_insert: Any) -> None:
    direct = Direct(dialect_insert(TABLE).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(TABLE.c.id))
    dialect = sqlite.dialect() if dialect_insert is sqlite_insert else postgresql.asyncpg.dialect()
    first = direct._for(dialect, row("a", DeliveryStatus.PENDING))
    assert direct._for(dialect, row("b", DeliveryStatus.SENDING)) is first
    assert "ON CONFLICT" in first.sql and first.sql.count("?" if dialect.name == "sqlite" else "$") == 15
    bound = dict(zip(first.names, first.values(row("a", DeliveryStatus.PENDING)), strict=True))
    in_utc = NOW.astimezone(UTC)
    assert bound["created_at"] == ("2026-07-01 01:30:15.123456" if dialect.name == "sqlite" else in_utc)
    assert bound["status"] == "pending"
