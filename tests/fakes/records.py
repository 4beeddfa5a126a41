"""What the database holds, read for assertions in one place, so end-to-end tests state what they expect without
SQL of their own."""

from sqlalchemy import select as select_rows
from sqlmodel import SQLModel, col, select

from models import Database, Member, Notification, Report, ReportDraft
from services.members import find_member


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
