"""What the database holds and what ran on it, read for assertions in one place, so tests state what they expect
without SQL of their own."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy import select as select_rows
from sqlmodel import SQLModel, col, select

from gridguard.db.database import Database
from gridguard.delivery.tables import Notification
from gridguard.directory.members import find_member
from gridguard.directory.tables import Member
from gridguard.reports.tables import Report, ReportDraft


async def notifications(db: Database) -> dict[str, Notification]:
    """Every outbox row, by its dedupe key."""
    async with db.reading() as session:
        return {row.dedupe_key: row for row in (await session.exec(select(Notification))).all()}


async def member_row(db: Database, telegram_id: int) -> Member:
    async with db.reading() as session:
        member = await find_member(session, telegram_id)
    assert member is not None, f"no member with Telegram id {telegram_id}"
    return member


async def reports(db: Database) -> list[Report]:
    """Every report, oldest first."""
    async with db.reading() as session:
        return list((await session.exec(select(Report).order_by(col(Report.id)))).all())


async def drafts(db: Database) -> list[ReportDraft]:
    async with db.reading() as session:
        return list((await session.exec(select(ReportDraft))).all())


async def database_state(db: Database) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, in key order: "nothing changed" means this is equal before and after."""
    state: dict[str, list[tuple[object, ...]]] = {}
    async with db.reading() as session:
        connection = await session.connection()
        for table in SQLModel.metadata.sorted_tables:
            rows = await connection.execute(select_rows(table).order_by(*table.primary_key.columns))
            state[table.name] = [tuple(row) for row in rows.all()]
    return state


@dataclass
class SqlTally:
    """What ran on an engine while counting: every statement's text (BEGIN included, as SQLite runs it) and the
    transactions committed."""

    statements: list[str] = field(default_factory=list)
    transactions: int = 0

    @property
    def queries(self) -> list[str]:
        """The statements that read or write, without the transactions' own."""
        return [s for s in self.statements if not s.startswith(("BEGIN", "COMMIT", "ROLLBACK"))]


@contextmanager
def counting_sql(db: Database) -> Iterator[SqlTally]:
    tally = SqlTally()

    def statement(_conn: Any, _cursor: Any, text: str, *_args: Any) -> None:
        tally.statements.append(text)

    def commit(*_args: Any) -> None:
        tally.transactions += 1

    engine = db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine, "commit", commit)
    try:
        yield tally
    finally:
        event.remove(engine, "before_cursor_execute", statement)
        event.remove(engine, "commit", commit)
