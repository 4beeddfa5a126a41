"""What every wizard shares: typed data, its steps numbered (第 N 步，共 M 步) and a way back to the one before.

A wizard's FSM data is a `WizardData` model: each wizard declares its fields once, reads them with `read` and
stores them with `write`; no step names a key as a string. A wizard records the steps it shows on a trail;
going back re-shows the step before the current one from what the data holds, so nothing chosen or typed is
lost."""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import Message
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gridguard.kernel.errors import FlowLost
from i18n import Localizer


class WizardData(BaseModel):
    """A conversation's data as stored in the FSM storage (JSON, in memory or Redis)."""

    model_config = ConfigDict(extra="ignore", validate_assignment=True)

    trail: list[str] = Field(default_factory=list)
    """The states of the steps shown so far, in order (a step shown again cuts the trail after it)."""


Data = TypeVar("Data", bound=WizardData)


async def read(state: FSMContext, form: type[Data]) -> Data:
    """The conversation's data as `form`; if it no longer holds what the earlier steps chose, the flow is lost."""
    try:
        return form.model_validate(await state.get_data())
    except ValidationError as lost:
        raise FlowLost() from lost


async def write(state: FSMContext, data: WizardData) -> None:
    await state.set_data(data.model_dump(mode="json"))


@asynccontextmanager
async def editing(state: FSMContext, form: type[Data]) -> AsyncIterator[Data]:
    """The conversation's data as `form`, to change in the block: written back at its end (not if it raises)."""
    data = await read(state, form)
    yield data
    await write(state, data)


async def enter(state: FSMContext, to: State) -> int:
    """Move to step `to` and put it on the trail; its number, counted from 1."""
    assert to.state is not None
    data = await state.get_data()
    trail = WizardData.model_validate(data).trail
    trail = trail[: trail.index(to.state) + 1] if to.state in trail else [*trail, to.state]
    await state.set_state(to)
    await state.set_data(data | WizardData(trail=trail).model_dump(mode="json"))
    return len(trail)


async def step_before(state: FSMContext) -> str | None:
    """The state of the step before the current one, if there is one."""
    trail = WizardData.model_validate(await state.get_data()).trail
    return trail[-2] if len(trail) >= 2 else None


def numbered(i18n: Localizer, number: int, total: int, text: str) -> str:
    """A step's text under its number: 第 2 步，共 5 步."""
    return f"{i18n('wizard.step', n=number, total=max(total, number))}\n{text}"


def marked(i18n: Localizer, text: str, chosen: bool) -> str:
    """A choice's label, ticked when it is the one made so far (going back a step, or editing)."""
    return (i18n("wizard.current_mark") if chosen else "") + text


def ask_again(key: str) -> Callable[..., Awaitable[None]]:
    """A step's handler for anything else the user sends: the step's question (`key`) again."""

    async def asked_again(message: Message, i18n: Localizer) -> None:
        await message.answer(i18n(key))

    return asked_again
