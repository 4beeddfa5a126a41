"""Hazard reports register their sweeps: escalation, the backup on duty, re-notification, closing what the reporter
never confirmed, and abandoned drafts."""

from sqlmodel.ext.asyncio.session import AsyncSession

from gridguard.reports.escalation import Context, backup_due, escalate_due, renotify_due
from gridguard.reports.policy import Policy
from gridguard.reports.report_actions import close_unanswered
from gridguard.reports.report_drafts import expire_drafts
from gridguard.sweeps import Sweep, Tick


def context_of(tick: Tick) -> Context:
    return Context(tick.setting(Policy), tick.now, tick.zone, tick.default_language)


async def escalate(session: AsyncSession, tick: Tick) -> int:
    return await escalate_due(session, context_of(tick))


async def call_the_backup(session: AsyncSession, tick: Tick) -> int:
    return await backup_due(session, context_of(tick))


async def renotify(session: AsyncSession, tick: Tick) -> int:
    return await renotify_due(session, context_of(tick))


async def close_unconfirmed(session: AsyncSession, tick: Tick) -> int:
    return await close_unanswered(session, context_of(tick))


async def drop_abandoned_drafts(session: AsyncSession, tick: Tick) -> int:
    return await expire_drafts(session, tick.setting(Policy), tick.now)


SWEEPS = (
    Sweep("escalate", escalate),
    Sweep("backup", call_the_backup),
    Sweep("renotify", renotify),
    Sweep("close_unconfirmed", close_unconfirmed),
    Sweep("drafts", drop_abandoned_drafts),
)
PUBLIC = ("enums", "tables", "policy", "report_lifecycle", "audience", "duplicates")
"""What other capabilities may import: a report's tables, states and lifecycle, the escalation policy, whom a
report reaches, and the duplicate lookup a call-out from a report uses."""
