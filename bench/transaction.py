"""What one write transaction costs by itself: 2,000 `db.transaction()` with one `SELECT 1` each, three rounds (after
an uncounted one); CPU per transaction (the floor under every use case's statements).

Two statements, each its own loop: `SELECT 1` through the session's connection (SQLAlchemy's execution), and one
run on the driver (`gridguard/db/direct.py`, as the report path runs its statements). On PostgreSQL a third loop is
the floor beneath both: BEGIN, the statement and COMMIT sent on a pooled asyncpg connection by hand, and the driver
statement's transaction is printed as a ratio to it, measured in the same round.

uv run python -m bench.transaction [--database-url URL]
"""

import argparse
import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable

from sqlalchemy import literal, select, text

from bench.common import scratch_database
from gridguard.db.database import Database
from gridguard.db.direct import Direct

TRANSACTIONS = 2_000
ROUNDS = 3
SELECT_ONE = text("SELECT 1")
ONE_ON_THE_DRIVER = Direct(select(literal(1).label("one")))


def loops(db: Database) -> dict[str, Callable[[], Awaitable[None]]]:
    async def through_the_session() -> None:
        async with db.transaction() as session:
            await (await session.connection()).execute(SELECT_ONE)

    async def on_the_driver() -> None:
        async with db.transaction() as session:
            await ONE_ON_THE_DRIVER.rows(session, {})

    async def asyncpg_alone() -> None:
        pooled = await db.engine.raw_connection()
        try:
            driver = pooled.driver_connection
            assert driver is not None
            await driver.execute("BEGIN")
            await driver.fetch("SELECT 1")
            await driver.execute("COMMIT")
        finally:
            pooled.close()

    chosen: dict[str, Callable[[], Awaitable[None]]] = {
        "the session's connection": through_the_session,
        "a driver statement": on_the_driver,
    }
    return chosen | ({"asyncpg alone": asyncpg_alone} if db.engine.dialect.name == "postgresql" else {})


async def cpu_per_call(call: Callable[[], Awaitable[None]]) -> float:
    began = time.process_time()
    for _ in range(TRANSACTIONS):
        await call()
    return (time.process_time() - began) / TRANSACTIONS * 1e6


async def run(url: str | None) -> None:
    async with scratch_database(url) as db:
        calls = loops(db)
        measured: dict[str, list[float]] = {name: [] for name in calls}
        for round_ in range(ROUNDS + 1):
            for name, call in calls.items():
                figure = await cpu_per_call(call)
                if round_:
                    measured[name].append(figure)
        backend = db.engine.dialect.name
    print(f"an empty write transaction on {backend}, {TRANSACTIONS} a round, {ROUNDS} rounds:")
    for name, figures in measured.items():
        print(f"  {name}: {min(figures):.0f}-{max(figures):.0f} us of CPU")
    if "asyncpg alone" in measured:
        ratios = [d / a for d, a in zip(measured["a driver statement"], measured["asyncpg alone"], strict=True)]
        print(f"  a driver statement / asyncpg alone: {min(ratios):.2f}-{max(ratios):.2f}x "
              f"(median {statistics.median(ratios):.2f}x)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    asyncio.run(run(parser.parse_args().database_url))


if __name__ == "__main__":
    main()
