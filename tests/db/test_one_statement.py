"""A write that is one statement (the delivery worker recording a batch of sends): written whole or not at all, and
on PostgreSQL without BEGIN and COMMIT around it."""

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import IntegrityError

from gridguard.db.database import Database
from gridguard.delivery.outbox import Content, enqueue
from tests.conftest import TEST_DATABASE_URL

NOW = datetime(2026, 7, 1, 9, 30, tzinfo=UTC)
SET_ATTEMPTS = text("UPDATE notification SET attempts = :attempts WHERE dedupe_key = :key")


async def _queue(db: Database, *keys: str) -> None:
    async with db.transaction() as session:
        for key in keys:
            await enqueue(session, dedupe_key=key, chat_id=10, content=Content(text="台风蓝色预警"), now=NOW)


async def _attempts(db: Database) -> dict[str, int]:
    async with db.reading() as session:
        rows = (await session.exec(text("SELECT dedupe_key, attempts FROM notification"))).all()  # type: ignore[call-overload]
    return dict(rows)


async def _set_attempts(db: Database, rows: list[dict[str, Any]]) -> None:
    async with db.one_statement() as session:
        await session.exec(SET_ATTEMPTS, params=rows)  # type: ignore[call-overload]


async def test_a_batch_is_written_for_every_row_when_the_block_ends(db: Database) -> None:
    await _queue(db, "a", "b")
    await _set_attempts(db, [{"attempts": 1, "key": "a"}, {"attempts": 2, "key": "b"}])
    assert await _attempts(db) == {"a": 1, "b": 2}


async def test_a_batch_failing_on_its_second_row_leaves_the_first_as_it_was(db: Database) -> None:
    await _queue(db, "a", "b")
    with pytest.raises(IntegrityError):
        await _set_attempts(db, [{"attempts": 1, "key": "a"}, {"attempts": None, "key": "b"}])
    assert await _attempts(db) == {"a": 0, "b": 0}


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="PostgreSQL only (CI's second run): set TEST_DATABASE_URL")
async def test_on_postgresql_it_sends_the_statement_alone(db: Database) -> None:
    await _queue(db, "a", "b")
    sent: list[str] = []

    def log_queries(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.driver_connection.add_query_logger(lambda logged: sent.append(logged.query))

    await db.engine.dispose()
    event.listen(db.engine.sync_engine, "connect", log_queries)
    await _set_attempts(db, [{"attempts": 1, "key": "a"}, {"attempts": 1, "key": "b"}])
    assert [query.split()[0] for query in sent] == ["UPDATE"]
    assert await _attempts(db) == {"a": 1, "b": 1}
