"""What one write transaction costs by itself: 2,000 `db.transaction()` with one `SELECT 1` each on a scratch SQLite
database, three rounds; CPU per transaction (the floor under every use case's statements).

uv run python -m bench.transaction
"""

import asyncio
import time

from sqlalchemy import text

from bench.common import scratch_database

TRANSACTIONS = 2_000
ROUNDS = 3


async def run() -> None:
    async with scratch_database(None) as db:
        statement = text("SELECT 1")
        per_transaction = []
        for _ in range(ROUNDS + 1):
            began = time.process_time()
            for _ in range(TRANSACTIONS):
                async with db.transaction() as session:
                    await (await session.connection()).execute(statement)
            per_transaction.append((time.process_time() - began) / TRANSACTIONS * 1e6)
    rounds = sorted(per_transaction[1:])
    print(f"an empty write transaction on SQLite: {rounds[0]:.0f}-{rounds[-1]:.0f} us of CPU ({ROUNDS} rounds)")


if __name__ == "__main__":
    asyncio.run(run())
