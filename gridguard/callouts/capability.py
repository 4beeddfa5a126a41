"""Call-outs register their sweep (the one reminder to those who have not answered) and what delivery does when a
paid broadcast is refused (the sender hears it once)."""

from sqlmodel.ext.asyncio.session import AsyncSession

from gridguard.callouts.callout_desk import remind_unanswered, render_tally
from gridguard.callouts.callout_notices import tell_paid_refused
from gridguard.callouts.launch import TALLY_RENDERER
from gridguard.sweeps import CLOCK_SWEEPS_EVERY, Sweep, Tick


async def remind_the_silent(session: AsyncSession, tick: Tick) -> int:
    return await remind_unanswered(session, tick.now)


SWEEPS = (Sweep("callouts", remind_the_silent, CLOCK_SWEEPS_EVERY),)
WHEN_PAID_REFUSED = (tell_paid_refused,)
RENDERERS = ((TALLY_RENDERER, render_tally),)
"""The live tally, rendered by delivery when its edit goes."""
PUBLIC = ("enums", "tables", "launch", "callout_lifecycle")
"""What other capabilities may import: its tables and states, what counts as coming (callout_lifecycle.COMING), and
launch, to send or stand down a call-out in their own transaction."""
