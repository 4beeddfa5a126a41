"""Grid workers at the last step of a report, as if they had tapped through the flow: a test or benchmark then
has them press "confirm" at once (several instances share the conversation through Redis)."""

from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.redis import RedisStorage
from redis.asyncio import Redis

from gridguard.db.database import Database
from gridguard.directory.members import find_member
from gridguard.kernel.clock import SystemClock
from gridguard.reports.enums import Category, Severity
from gridguard.reports.report_drafts import Draft, save_draft
from gridguard.telegram.reports.callbacks import SummaryAction, SummaryVerb
from gridguard.telegram.reports.states import ReportFlow

SUBMIT = SummaryAction(action=SummaryVerb.SUBMIT).pack()
"""The summary's "✅ 确认提交" button, as the bot packs it."""


async def at_the_summary(db: Database, redis_url: str, token: str, reporters: list[tuple[int, int]]) -> None:
    """Each (worker, village id): a fire report drafted in that village, their conversation at the summary."""
    now = SystemClock().now()
    async with db.transaction() as session:
        for worker, village in reporters:
            member = await find_member(session, worker)
            assert member is not None and member.id is not None
            draft = Draft(Category.FIRE, Severity.MAJOR, village, description="村口仓库电线老化冒烟")
            await save_draft(session, member.id, worker, draft, now)
    storage = RedisStorage(Redis.from_url(redis_url))
    bot_id = int(token.split(":")[0])
    for worker, _village in reporters:
        await storage.set_state(StorageKey(bot_id, worker, worker), ReportFlow.confirm)
    await storage.close()
