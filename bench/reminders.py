"""The four default reminder rules for all 174 Quanzhou townships, 20 members each (3 station staff, 17 village
safety officers): the time to compute a year of occurrences (three rounds, CPU per rule-year beside a baseline of
one RRULE expanded without the holiday calendar), and one weekly round — the Monday meeting's day-before reminders
with the township's week, and the rolls — queued by the sweep and sent through the outbox at Telegram's 30
messages a second to the fake Bot API (in its own process), against the ideal (messages ÷ 30 s).

uv run python -m bench.reminders [--database-url URL] [--send-rounds 1]   (0: skip the two-minute send)
"""

import argparse
import asyncio
import gc
import sys
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil import rrule as rrules
from sqlalchemy import insert
from sqlmodel import col, select

from bench.common import peak_memory_mib, scratch_database
from bench.outbox import TOKEN, cpu_seconds
from bot.app import build_bot
from bot.paths import ESCALATION_POLICY, QUANZHOU_DIVISIONS_CSV
from bot.telegram_sender import TelegramSender
from gridguard.db.database import Database
from gridguard.db.tables import SweepMark
from gridguard.delivery.delivery import DeliveryLimits, DeliveryWorker
from gridguard.directory.directory import import_divisions, read_division_file
from gridguard.directory.enums import Role, UnitLevel
from gridguard.directory.tables import Member, RoleAssignment, Unit
from gridguard.kernel.clock import SystemClock
from gridguard.reminders.reminder_rules import schedule_of, seed_defaults, work_calendar
from gridguard.reminders.reminder_sweep import SweepContext, sweep_reminders
from gridguard.reminders.tables import ReminderRule
from gridguard.reports.policy import load_policy

ZONE = ZoneInfo("Asia/Shanghai")
MEMBERS_PER_TOWNSHIP = 20
STATION = (Role.STATION_HEAD, Role.STATION_DUTY, Role.STATION_DUTY)
SEEDED_AT = datetime(2026, 11, 29, 1, 0, tzinfo=UTC)
SUNDAY_MORNING = datetime(2026, 12, 6, 9, 0, 30, tzinfo=ZONE)
"""Just after the day-before reminder of Monday 7 December's meeting fell due."""
ROUNDS = 3


async def seed(db: Database) -> int:
    """The division list and 20 members a township; how many members."""
    async with db.transaction() as session:
        await import_divisions(session, read_division_file(QUANZHOU_DIVISIONS_CSV), SEEDED_AT)
    async with db.transaction() as session:
        units = (await session.exec(select(Unit).order_by(col(Unit.code)))).all()
        villages: dict[int, list[int]] = {}
        for u in units:
            if u.level == UnitLevel.VILLAGE and u.parent_id is not None and u.id is not None:
                villages.setdefault(u.parent_id, []).append(u.id)
        townships = [u.id for u in units if u.level == UnitLevel.TOWNSHIP and u.id is not None]
        members: list[dict[str, object]] = []
        roles: list[dict[str, object]] = []
        for township in townships:
            own = villages.get(township) or [township]
            for n in range(MEMBERS_PER_TOWNSHIP):
                member_id = len(members) + 1
                role = STATION[n] if n < len(STATION) else Role.VILLAGE_OFFICER
                unit = township if n < len(STATION) else own[n % len(own)]
                if role == Role.VILLAGE_OFFICER and unit == township:
                    role = Role.VOLUNTEER
                members.append(
                    {
                        "id": member_id,
                        "telegram_id": member_id,
                        "name": f"成员{member_id}",
                        "language": "zh",
                        "created_at": SEEDED_AT,
                    }
                )
                roles.append({"member_id": member_id, "unit_id": unit, "role": role, "created_at": SEEDED_AT})
        await session.exec(insert(Member), params=members)
        await session.exec(insert(RoleAssignment), params=roles)
        await seed_defaults(session, SEEDED_AT, ZONE, "zh")
    return len(members)


class ShiftedClock(SystemClock):
    """The system clock moved to the Sunday morning the round is for, so the worker finds the rows due."""

    def __init__(self, shift: timedelta) -> None:
        self.shift = shift

    def now(self) -> datetime:
        return super().now() + self.shift


def spans(values: list[float], unit: str, digits: int = 2) -> str:
    return f"{min(values):.{digits}f}–{max(values):.{digits}f} {unit}"


async def year_of_occurrences(db: Database) -> None:
    async with db.reading() as session:
        rules = list((await session.exec(select(ReminderRule))).all())
        calendar = await work_calendar(session)
    start, end = SEEDED_AT, SEEDED_AT + timedelta(days=365)
    cpu_per_rule, base_per_rule, wall, counted = [], [], [], 0
    for _ in range(ROUNDS):
        gc.collect()
        began, cpu = time.perf_counter(), time.process_time()
        counted = sum(len(schedule_of(r, ZONE).occurrences(start, end, calendar)) for r in rules)
        wall.append(time.perf_counter() - began)
        cpu_per_rule.append((time.process_time() - cpu) / len(rules) * 1e3)
        gc.collect()
        cpu = time.process_time()
        for r in rules:
            naive = rrules.rrulestr(r.rrule, dtstart=datetime(2026, 11, 29))
            assert isinstance(naive, rrules.rrule)
            naive.between(datetime(2026, 11, 29), datetime(2027, 11, 29), inc=True)
        base_per_rule.append((time.process_time() - cpu) / len(rules) * 1e3)
    ratios = [c / b for c, b in zip(cpu_per_rule, base_per_rule, strict=True)]
    print(
        f"  a year of occurrences for {len(rules)} rules ({counted:,} occurrences), {ROUNDS} rounds:"
        f" {spans(wall, 's')} wall; {spans(cpu_per_rule, 'ms')} CPU a rule-year;"
        f" baseline (the bare RRULE) {spans(base_per_rule, 'ms')}; ratio {spans(ratios, 'x', 1)}"
    )


async def idle_sweeps(db: Database, weeks_later: int) -> None:
    """What the scheduler pays every 30 s when nothing falls due: three sweeps, 30 s apart, on the Tuesday noon after
    the weekly rounds (run last: the first sweep queues what fell due since the last one, and a round run after it
    would wait for those rows until they are due)."""
    policy = load_policy(ESCALATION_POLICY)
    start = (datetime(2026, 12, 8, 12, 0, tzinfo=ZONE) + timedelta(days=7 * weeks_later)).astimezone(UTC)
    async with db.transaction() as session:
        await sweep_reminders(session, SweepContext(start, ZONE, "zh", frozenset(), policy))
    wall, cpu = [], []
    for n in range(1, ROUNDS + 1):
        ctx = SweepContext(start + timedelta(seconds=30 * n), ZONE, "zh", frozenset(), policy)
        gc.collect()
        began, used = time.perf_counter(), time.process_time()
        async with db.transaction() as session:
            queued = await sweep_reminders(session, ctx)
        wall.append((time.perf_counter() - began) * 1e3)
        cpu.append((time.process_time() - used) * 1e3)
        assert queued == 0
    print(f"  an idle sweep (nothing due) over 696 rules: {spans(wall, 'ms', 0)} wall, {spans(cpu, 'ms', 0)} CPU")


async def weekly_round(db: Database, members: int, run: int) -> None:
    async with db.transaction() as session:
        mark = await session.get(SweepMark, "reminders")
        if mark is not None:
            await session.delete(mark)
    server = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.fakes.serve",
        "--users",
        str(members),
        "--overall",
        "30",
        stdout=asyncio.subprocess.PIPE,
    )
    assert server.stdout is not None
    base = (await server.stdout.readline()).decode().split()[1]
    bot = build_bot(TOKEN, base)
    now = SUNDAY_MORNING.astimezone(UTC) + timedelta(days=7 * run)
    clock = ShiftedClock(now - SystemClock().now())
    worker = DeliveryWorker(db, TelegramSender(bot), clock, limits=DeliveryLimits(per_second=30), name=f"round{run}")
    ctx = SweepContext(now, ZONE, "zh", frozenset(), load_policy(ESCALATION_POLICY))
    cpu = cpu_seconds(0)
    try:
        began = time.perf_counter()
        async with db.transaction() as session:
            queued = await sweep_reminders(session, ctx)
        swept = time.perf_counter() - began
        await worker.run_until_idle()
        sent = time.perf_counter() - began
    finally:
        await bot.session.close()
        server.terminate()
        said = (await server.communicate())[0].decode().split()
    ideal = queued / 30
    print(
        f"  weekly round {run + 1}: {queued:,} messages queued by the sweep in {swept:.1f} s; all sent"
        f" {sent:.1f} s after the sweep began; ideal {ideal:.1f} s; ratio {sent / ideal:.3f};"
        f" bot CPU {cpu_seconds(0) - cpu:.1f} s; the server received {said[1]} (each once: {said[1] == str(queued)})"
    )


async def run(url: str | None, send_rounds: int) -> None:
    async with scratch_database(url) as db:
        members = await seed(db)
        print(f"reminders on {db.engine.dialect.name}: 174 townships × {MEMBERS_PER_TOWNSHIP} members ({members:,})")
        await year_of_occurrences(db)
        for n in range(send_rounds):
            await weekly_round(db, members, n)
        await idle_sweeps(db, max(send_rounds - 1, 0))
        print(f"  peak memory: {peak_memory_mib():.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    parser.add_argument("--send-rounds", type=int, default=1, help="weekly rounds to send (each takes two minutes)")
    args = parser.parse_args()
    asyncio.run(run(args.database_url, args.send_rounds))


if __name__ == "__main__":
    main()
