"""What every wizard shares: its steps numbered (第 N 步，共 M 步) and a way back to the one before.

A wizard records the steps it shows on a trail in the FSM data; going back re-shows the step before the current
one from what the data holds, so nothing chosen or typed is lost."""

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State

from i18n import Localizer

TRAIL = "trail"
"""FSM data: the states of the steps shown so far, in order (a step shown again cuts the trail after it)."""


async def enter(state: FSMContext, to: State) -> int:
    """Move to step `to` and put it on the trail; its number, counted from 1."""
    assert to.state is not None
    trail = list((await state.get_data()).get(TRAIL, []))
    trail = trail[: trail.index(to.state) + 1] if to.state in trail else [*trail, to.state]
    await state.set_state(to)
    await state.update_data({TRAIL: trail})
    return len(trail)


async def step_before(state: FSMContext) -> str | None:
    """The state of the step before the current one, if there is one."""
    trail = (await state.get_data()).get(TRAIL, [])
    return trail[-2] if len(trail) >= 2 else None


def numbered(i18n: Localizer, number: int, total: int, text: str) -> str:
    """A step's text under its number: 第 2 步，共 5 步."""
    return f"{i18n('wizard.step', n=number, total=max(total, number))}\n{text}"


def marked(i18n: Localizer, text: str, chosen: bool) -> str:
    """A choice's label, ticked when it is the one made so far (going back a step, or editing)."""
    return (i18n("wizard.current_mark") if chosen else "") + text
