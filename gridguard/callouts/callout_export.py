"""The call-outs' record as a table (`python -m bot export alerts --since DATE`): a row per person asked."""

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from gridguard.callouts.callouts import answer_lines, callouts_since, record_of
from gridguard.db.database import Database
from gridguard.directory.tables import Unit

ALERT_COLUMNS = (
    "callout",
    "sent_at",
    "township",
    "kind",
    "villages",
    "needed",
    "sender",
    "status",
    "recipient",
    "answer",
    "first_answered_at",
    "answered_at",
    "response_seconds",
    "drill",
)


def _iso(instant: datetime | None, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).isoformat(timespec="seconds") if instant else ""


async def alert_rows(session: AsyncSession, since: datetime, zone: ZoneInfo) -> list[list[str | int]]:
    """Every call-out since `since`, oldest first; for each, everyone it asked, what they answered and when."""
    rows: list[list[str | int]] = []
    for callout in reversed(await callouts_since(session, None, since)):
        record = await record_of(session, callout)
        names = {u.id: u.name for u in (await session.exec(select(Unit).where(col(Unit.id).in_(callout.villages))))}
        villages = "、".join(names.get(v, "?") for v in callout.villages)
        for line in await answer_lines(session, callout.id or 0):
            waited = (line.first_answered_at - callout.created_at).total_seconds() if line.first_answered_at else None
            rows.append(
                [
                    callout.id or 0,
                    _iso(callout.created_at, zone),
                    record.township,
                    callout.kind.value,
                    villages,
                    callout.needed,
                    record.sender,
                    callout.status.value,
                    line.name,
                    line.answer.value,
                    _iso(line.first_answered_at, zone),
                    _iso(line.answered_at, zone),
                    f"{waited:.0f}" if waited is not None else "",
                    int(callout.drill),
                ]
            )
    return rows


async def alerts_since(db: Database, since: datetime, zone: ZoneInfo) -> list[list[str | int]]:
    """`python -m bot export alerts`: the rows of `alert_rows`, in one read."""
    async with db.reading() as session:
        return await alert_rows(session, since, zone)
