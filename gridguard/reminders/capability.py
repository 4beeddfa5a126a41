"""Meeting, inspection and drill reminders register their sweep: reminders, nudges, rolls and record questions."""

from sqlmodel.ext.asyncio.session import AsyncSession

from gridguard.reminders.reminder_sweep import SweepContext, sweep_reminders
from gridguard.reports.policy import Policy
from gridguard.sweeps import CLOCK_SWEEPS_EVERY, Sweep, Tick


async def remind(session: AsyncSession, tick: Tick) -> int:
    context = SweepContext(tick.now, tick.zone, tick.default_language, tick.admin_ids, tick.setting(Policy))
    return await sweep_reminders(session, context)


SWEEPS = (Sweep("reminders", remind, CLOCK_SWEEPS_EVERY),)
PUBLIC = ("enums", "tables", "drill_records")
"""What other capabilities may import: a drill held elsewhere (a plan response's) is recorded through drill_records."""
