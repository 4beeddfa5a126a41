"""Plan response benchmark: Ⅰ started in a township of 2,000 volunteers and 20 village officers (40 tasks), with
Telegram's limits on, against the fake Bot API in its own process.

(a) the bot's CPU for the preview and the press, until everything the start sends is queued (the tasks, the
    call-out's 2,000 alerts, the progress card); target < 2 s. Beside it, in the same run, a plain call-out to the
    same 2,000 (/alert's send) as the baseline, and the ratio;
(b) at the free rate (30 a second): the time from the press until the last alert is sent, against the ideal (every
    message sent up to it ÷ 30 a second); target ≤ 1.05×.
Three rounds of (a), `--free-rounds` of (b) (70 s each). Shelters do not exist yet: the issue's six are not opened.

uv run python -m bench.plans [--database-url URL] [--free-rounds 1]
"""

import argparse
import asyncio
import gc
import time
from datetime import UTC, datetime

from sqlalchemy import update
from sqlmodel import col

from bench.callout import SHANGHAI, FakeServer, cpu_seconds, draft, head_profile, span
from bench.callout import seed as seed_township
from bench.common import peak_memory_mib, scratch_database
from bench.outbox import TOKEN
from bot.app import build_bot
from bot.telegram_sender import TelegramSender
from gridguard.callouts.callout_desk import CalloutDesk
from gridguard.db.database import Database
from gridguard.delivery.delivery import DeliveryLimits, DeliveryWorker
from gridguard.delivery.enums import DeliveryStatus
from gridguard.delivery.tables import Notification
from gridguard.directory.enums import Role
from gridguard.kernel.clock import SystemClock
from gridguard.plans.enums import PlanHazard, ResponseLevel, ResponseStatus
from gridguard.plans.plan_desk import PlanDesk
from gridguard.plans.plan_document import CalloutSpec, LevelSpec, PlanDocument, TaskSpec
from gridguard.plans.tables import Plan, Response

VOLUNTEERS = 2000
OFFICERS = 20
HEAD = VOLUNTEERS + OFFICERS + 1
TOWNSHIP = "350524100"
ROUNDS = 3
LEVEL_I = LevelSpec(
    condition="暴雨或台风红色预警",
    callout=CalloutSpec(needed=100, message="防汛防台风Ⅰ级响应已启动，请立即到村委会集合，全力转移群众。"),
    tasks=[
        TaskSpec(title="转移低洼地、危房和地质灾害隐患点群众", role=Role.VILLAGE_OFFICER, due_hours=1),
        TaskSpec(title="逐户核查转移情况，确保不漏一人", role=Role.VILLAGE_OFFICER, due_hours=2),
    ],
    report_every_hours=1,
)
PLAN = PlanDocument(hazard=PlanHazard.FLOOD_TYPHOON, name="防汛防台风应急预案", levels={ResponseLevel.I: LEVEL_I})


def volunteer_or_officer(number: int) -> Role:
    return Role.VOLUNTEER if number <= VOLUNTEERS else Role.VILLAGE_OFFICER


async def seed(db: Database) -> tuple[int, int]:
    """The township, its head, 2,000 volunteers and 20 village officers over its villages, and the plan; the
    township's and the plan's ids."""
    township_id = await seed_township(db, HEAD, volunteer_or_officer)
    async with db.transaction() as session:
        plan = Plan(
            unit_id=township_id,
            hazard=PLAN.hazard,
            name=PLAN.name,
            document=PLAN.model_dump(mode="json"),
            updated_at=datetime.now(UTC),
        )
        session.add(plan)
        await session.flush()
        return township_id, plan.id or 0


async def forget_round(db: Database) -> None:
    """The round's response ended and its messages dropped, so the next round starts the same."""
    async with db.transaction() as session:
        await session.exec(update(Response).values(status=ResponseStatus.ENDED))
        await session.exec(
            update(Notification)
            .where(col(Notification.status) == DeliveryStatus.PENDING)
            .values(status=DeliveryStatus.FAILED)
        )


async def start_cpu(db: Database, township_id: int, plan_id: int) -> tuple[float, float, int, int]:
    """CPU seconds for the preview and the press, and for a plain call-out to the same 2,000; tasks and reached."""
    head = await head_profile(db, HEAD)
    plans = PlanDesk(db, SystemClock(), SHANGHAI, "zh")
    callouts = CalloutDesk(db, SystemClock(), SHANGHAI)
    gc.collect()
    cpu = cpu_seconds()
    await callouts.send(head, draft(township_id))
    baseline = cpu_seconds() - cpu
    await forget_round(db)
    gc.collect()
    cpu = cpu_seconds()
    await plans.preview(head, plan_id, ResponseLevel.I, False)
    started = await plans.start(head, plan_id, ResponseLevel.I, False)
    spent = cpu_seconds() - cpu
    await forget_round(db)
    return spent, baseline, started.tasks, started.reached


async def free_rate(db: Database, plan_id: int) -> tuple[float, float, int]:
    """The press through to the last alert sent at 30/s: seconds, the ideal, and how many messages went by then."""
    server = FakeServer(HEAD)
    bot = build_bot(TOKEN, await server.start())
    worker = DeliveryWorker(
        db, TelegramSender(bot), SystemClock(), limits=DeliveryLimits(), name=f"plans-{time.time()}"
    )
    plans = PlanDesk(db, SystemClock(), SHANGHAI, "zh", delivery=worker)
    head = await head_profile(db, HEAD)
    try:
        began = time.monotonic()
        started = await plans.start(head, plan_id, ResponseLevel.I, False)
        await worker.run_until_idle()
        log = await server.log()
    finally:
        await bot.session.close()
        await server.stop()
    await forget_round(db)
    alerts = [t for t, chat, text, _b in log if chat <= VOLUNTEERS and "应急召集" in text]
    assert len(alerts) == started.reached == VOLUNTEERS, (len(alerts), started)
    last = max(alerts)
    sent_by_then = sum(1 for t, *_ in log if t <= last)
    return last - began, sent_by_then / DeliveryLimits().per_second, sent_by_then


async def run(url: str | None, free_rounds: int) -> None:
    async with scratch_database(url) as db:
        township_id, plan_id = await seed(db)
        print(
            f"plan response on {db.engine.dialect.name}: Ⅰ for {VOLUNTEERS:,} volunteers and {OFFICERS} village"
            f" officers ({OFFICERS * len(LEVEL_I.tasks)} tasks), Telegram's limits on"
        )
        for n in range(ROUNDS):
            spent, baseline, tasks, reached = await start_cpu(db, township_id, plan_id)
            print(
                f"  round {n + 1}: preview and press {spent:.2f} s of bot CPU ({tasks} tasks, {reached:,} alerts,"
                f" the card queued); a plain call-out to the same {VOLUNTEERS:,}: {baseline:.2f} s;"
                f" ratio {spent / baseline:.2f}x"
            )
        results = [await free_rate(db, plan_id) for _ in range(free_rounds)]
        if results:
            ratios = [last / ideal for last, ideal, _ in results]
            print(
                f"  free 30/s, {free_rounds} round(s): last alert sent after {span([r[0] for r in results], 's')};"
                f" ideal {span([r[1] for r in results], 's')} ({results[0][2]:,} messages by then);"
                f" ratio {span(ratios, 'x', 3)}"
            )
        print(f"  peak memory: {peak_memory_mib():.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    parser.add_argument("--free-rounds", type=int, default=1, help="rounds at the free rate (70 s each)")
    args = parser.parse_args()
    asyncio.run(run(args.database_url, args.free_rounds))


if __name__ == "__main__":
    main()
