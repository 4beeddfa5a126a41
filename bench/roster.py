"""Who is on duty, for every Quanzhou township (174), a year ahead: time per lookup and the memory it takes.

Each township gets 10 on-duty members, a primary rotation (24-hour shifts) and a backup (12-hour shifts) of
them, and two covers. Three rounds of:
  - in memory: "who is primary at t" for every township every 6 hours of the coming year, against a baseline
    of converting the same instants to local time (what showing a time costs);
  - from the database: what escalation does when a report reaches step 1 (gridguard.duty.roster.with_duty's read),
    once per township, against a baseline of reading the township's row;
  - the duty sweep over all 174 townships (what the scheduler runs every 30 s).
Prints wall time and CPU per operation, the ratios, and the memory the 174 rosters take.

uv run python -m bench.roster [--database-url URL]
"""

import argparse
import asyncio
import gc
import time
import tracemalloc
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from sqlalchemy import event, insert
from sqlalchemy.engine import Connection
from sqlmodel import col, select

from bench.common import peak_memory_mib, scratch_database
from bot.paths import QUANZHOU_DIVISIONS_CSV
from gridguard.db.database import Database
from gridguard.directory.directory import import_divisions, read_division_file
from gridguard.directory.enums import Role, UnitLevel
from gridguard.directory.tables import Member, RoleAssignment, Unit
from gridguard.duty.duty_sweep import DutyTimes, sweep_duty
from gridguard.duty.enums import CoverReason, DutyLayer, ShiftPattern
from gridguard.duty.roster import Roster, load_roster, on_duty_now
from gridguard.duty.tables import DutyCover, Rotation

ZONE = ZoneInfo("Asia/Shanghai")
MEMBERS_PER_TOWNSHIP = 10
NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
ROUNDS = 3


async def seed(db: Database) -> list[int]:
    """The division list, and per township 10 members, two rotations and two covers; the township ids."""
    async with db.transaction() as session:
        await import_divisions(session, read_division_file(QUANZHOU_DIVISIONS_CSV), NOW)
    async with db.transaction() as session:
        query = select(Unit.id).where(Unit.level == UnitLevel.TOWNSHIP).order_by(col(Unit.code))
        townships = [t for t in (await session.exec(query)).all() if t is not None]
        members, roles, rotations, covers = [], [], [], []
        next_id = 1
        for township in townships:
            ids = list(range(next_id, next_id + MEMBERS_PER_TOWNSHIP))
            next_id += MEMBERS_PER_TOWNSHIP
            members += [
                {"id": i, "telegram_id": 10_000_000 + i, "name": f"值班{i}", "language": "zh", "created_at": NOW}
                for i in ids
            ]
            roles += [{"member_id": i, "unit_id": township, "role": Role.STATION_DUTY, "created_at": NOW} for i in ids]
            for layer, pattern, order in (
                (DutyLayer.PRIMARY, ShiftPattern.DAILY, ids),
                (DutyLayer.BACKUP, ShiftPattern.HALF_DAY, ids[::-1]),
            ):
                rotations.append(
                    {
                        "township_id": township,
                        "layer": layer,
                        "pattern": pattern,
                        "handoff_minutes": 510,
                        "start_date": date(2026, 11, 1),
                        "member_ids": order,
                        "version": 0,
                        "updated_at": NOW,
                    }
                )
            for day in (3, 40):
                start = NOW + timedelta(days=day)
                covers.append(
                    {
                        "township_id": township,
                        "layer": DutyLayer.PRIMARY,
                        "member_id": ids[1],
                        "starts_at": start,
                        "ends_at": start + timedelta(days=1),
                        "reason": CoverReason.LEAVE,
                        "created_at": NOW,
                    }
                )
        for table, rows in ((Member, members), (RoleAssignment, roles), (Rotation, rotations), (DutyCover, covers)):
            await session.exec(insert(table), params=rows)
    return townships


@contextmanager
def counting(db: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: Connection, _cursor: object, text: str, *_args: object) -> None:
        statements.append(text)

    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", count)


def timed(work: Callable[[], object]) -> tuple[float, float]:
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


async def timed_async(work: Callable[[], Awaitable[object]]) -> tuple[float, float]:
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    await work()
    return time.perf_counter() - wall, time.process_time() - cpu


async def sweep(db: Database, at: datetime) -> None:
    async with db.transaction() as session:
        await sweep_duty(session, at, ZONE, DutyTimes())


def year_of_instants() -> list[datetime]:
    return [NOW + timedelta(hours=6 * i, minutes=7) for i in range(365 * 4)]


def span(values: list[float], unit: str, scale: float = 1.0, digits: int = 1) -> str:
    low, high = min(values) * scale, max(values) * scale
    return f"{low:.{digits}f}–{high:.{digits}f} {unit}"


async def run(url: str | None) -> None:
    async with scratch_database(url) as db:
        townships = await seed(db)
        backend = db.engine.dialect.name
        tracemalloc.start()
        async with db.reading() as session:
            rosters: list[Roster] = [await load_roster(session, t, ZONE, NOW) for t in townships]
        roster_bytes = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        instants = year_of_instants()
        lookups = len(rosters) * len(instants)
        print(f"roster on {backend}: {len(rosters)} townships × {MEMBERS_PER_TOWNSHIP} members, two layers each")
        print(
            f"  memory of the 174 loaded rosters: {roster_bytes / 1024:.0f} KiB"
            f" ({roster_bytes / len(rosters) / 1024:.1f} KiB each)"
        )
        memory: dict[str, list[float]] = {"lookup_us": [], "lookup_cpu_us": [], "base_cpu_us": [], "ratio": []}
        database: dict[str, list[float]] = {
            "lookup_ms": [],
            "lookup_cpu_ms": [],
            "base_cpu_ms": [],
            "ratio": [],
            "sql": [],
        }
        sweeps: dict[str, list[float]] = {"wall_ms": [], "cpu_ms": []}
        for round_number in range(ROUNDS):
            wall, cpu = timed(lambda: [r.member_at(DutyLayer.PRIMARY, t) for r in rosters for t in instants])
            _, base = timed(lambda: [t.astimezone(ZONE) for _r in rosters for t in instants])
            memory["lookup_us"].append(wall / lookups * 1e6)
            memory["lookup_cpu_us"].append(cpu / lookups * 1e6)
            memory["base_cpu_us"].append(base / lookups * 1e6)
            memory["ratio"].append(cpu / base)

            async def from_database() -> None:
                async with db.reading() as session:
                    for t in townships:
                        await on_duty_now(session, t, ZONE, NOW)

            async def baseline() -> None:
                async with db.reading() as session:
                    for t in townships:
                        await session.get(Unit, t, populate_existing=True)

            with counting(db) as statements:
                wall, cpu = await timed_async(from_database)
            _, base = await timed_async(baseline)
            database["lookup_ms"].append(wall / len(townships) * 1e3)
            database["lookup_cpu_ms"].append(cpu / len(townships) * 1e3)
            database["base_cpu_ms"].append(base / len(townships) * 1e3)
            database["ratio"].append(cpu / base)
            database["sql"].append(len(statements) / len(townships))

            wall, cpu = await timed_async(partial(sweep, db, NOW + timedelta(minutes=round_number + 1)))
            sweeps["wall_ms"].append(wall * 1e3)
            sweeps["cpu_ms"].append(cpu * 1e3)
        print(f"  in memory, {lookups:,} lookups a round (every 6 h of a year, every township), {ROUNDS} rounds:")
        print(
            f"    per lookup: {span(memory['lookup_us'], 'µs')} wall, {span(memory['lookup_cpu_us'], 'µs')} CPU;"
            f" baseline (to local time) {span(memory['base_cpu_us'], 'µs', digits=2)} CPU;"
            f" ratio {span(memory['ratio'], 'x')}"
        )
        print(f"  from the database, as escalation's step 1 reads it, {len(townships)} townships a round:")
        print(
            f"    per lookup: {span(database['lookup_ms'], 'ms', digits=2)} wall,"
            f" {span(database['lookup_cpu_ms'], 'ms', digits=2)} CPU, {span(database['sql'], 'SQL', digits=0)};"
            f" baseline (one row by key) {span(database['base_cpu_ms'], 'ms', digits=2)} CPU;"
            f" ratio {span(database['ratio'], 'x')}"
        )
        print(
            f"  duty sweep over all townships: {span(sweeps['wall_ms'], 'ms', digits=0)} wall,"
            f" {span(sweeps['cpu_ms'], 'ms', digits=0)} CPU (every 30 s)"
        )
        print(f"  peak memory of the process: {peak_memory_mib():.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    asyncio.run(run(parser.parse_args().database_url))


if __name__ == "__main__":
    main()
