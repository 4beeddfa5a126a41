"""Import the whole Quanzhou division list (2,572 villages), then re-import it; prints seconds and memory.

uv run python -m bench.import_units [--database-url URL]
"""

import argparse
import asyncio

from bench.common import peak_memory_mib, scratch_database, stopwatch
from bot.paths import QUANZHOU_DIVISIONS_CSV
from gridguard.directory.directory import import_divisions, read_division_file
from gridguard.kernel.clock import SystemClock


async def run(url: str | None) -> None:
    with stopwatch() as parse:
        rows = read_division_file(QUANZHOU_DIVISIONS_CSV)
    async with scratch_database(url) as db:
        with stopwatch() as first:
            async with db.transaction() as session:
                report = await import_divisions(session, rows, SystemClock().now())
        with stopwatch() as again:
            async with db.transaction() as session:
                await import_divisions(session, rows, SystemClock().now())
        backend = db.engine.dialect.name
    print(f"import-units on {backend}: {len(rows)} rows parsed in {parse[0]:.2f} s")
    print(f"  first import: {report.total_added} units added in {first[0]:.2f} s")
    print(f"  re-import (no changes): {again[0]:.2f} s")
    print(f"  peak memory: {peak_memory_mib():.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    asyncio.run(run(parser.parse_args().database_url))


if __name__ == "__main__":
    main()
