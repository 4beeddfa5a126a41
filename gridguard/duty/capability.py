"""The duty roster registers its sweep: shift reminders, handover prompts and the daily warning of gaps."""

from sqlmodel.ext.asyncio.session import AsyncSession

from gridguard.duty.duty_sweep import DutyTimes, sweep_duty
from gridguard.sweeps import CLOCK_SWEEPS_EVERY, Sweep, Tick


async def remind_shifts(session: AsyncSession, tick: Tick) -> int:
    return await sweep_duty(session, tick.now, tick.zone, tick.setting(DutyTimes))


SWEEPS = (Sweep("duty", remind_shifts, CLOCK_SWEEPS_EVERY),)
PUBLIC = ("enums", "tables", "roster", "rotation", "overlays")
"""What other capabilities may import: the roster and its rotations (who is on duty when), and the overlay a
capability registers over it."""
