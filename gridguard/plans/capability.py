"""Plan response registers its sweeps (overdue tasks escalate; the report upward is reminded), the progress
card's renderer and a level's 24-hour duty as an overlay on the roster."""

from sqlmodel.ext.asyncio.session import AsyncSession

from gridguard.plans.plan_sweeps import escalate_overdue, remind_reports
from gridguard.plans.response_state import PROGRESS_RENDERER, duty_overlays, render_progress
from gridguard.sweeps import CLOCK_SWEEPS_EVERY, Sweep, Tick


async def escalate(session: AsyncSession, tick: Tick) -> int:
    return await escalate_overdue(session, tick.now, tick.zone, tick.default_language)


async def remind(session: AsyncSession, tick: Tick) -> int:
    return await remind_reports(session, tick.now, tick.zone, tick.default_language)


SWEEPS = (Sweep("plan_overdue", escalate, CLOCK_SWEEPS_EVERY), Sweep("plan_reports", remind, CLOCK_SWEEPS_EVERY))
RENDERERS = ((PROGRESS_RENDERER, render_progress),)
"""The progress card, rendered by delivery when its edit goes."""
DUTY_OVERLAYS = (duty_overlays,)
"""A level's 24-hour duty, shown by /duty over the roster."""
PUBLIC = ("enums", "tables")
"""What other capabilities may import."""
