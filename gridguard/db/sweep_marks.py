"""How far a clock-driven sweep has looked, kept in the database so a restart or a second process goes on from
there: what fell due in (swept_until, now] is queued once (the outbox's dedupe keys make a repeat harmless)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from gridguard.db.tables import SweepMark


@asynccontextmanager
async def sweep_window(session: AsyncSession, name: str, now: datetime, lookback: timedelta) -> AsyncIterator[datetime]:
    """Yields where the sweep `name` last stopped (no further back than `lookback`, nor for a first sweep); once
    the caller has queued what fell due since, the mark moves to `now`, in the caller's transaction."""
    mark = await session.get(SweepMark, name, with_for_update=True)
    if mark is None:
        mark = SweepMark(name=name, swept_until=now - lookback)
    since = max(mark.swept_until, now - lookback)
    yield since
    mark.swept_until = max(mark.swept_until, now)
    session.add(mark)
