"""The duty conversations' steps."""

from datetime import date

from aiogram.fsm.state import State, StatesGroup
from pydantic import Field

from gridguard.duty.enums import DutyLayer, ShiftPattern
from gridguard.duty.roster import RotationSpec
from gridguard.kernel.errors import FlowLost
from gridguard.telegram.wizard import WizardData


class RosterFlow(StatesGroup):
    """/roster: a layer's rotation set up step by step (the choices so far are kept in the state's data)."""

    members = State()
    pattern = State()
    handoff = State()
    start = State()
    preview = State()
    csv = State()


class RosterData(WizardData):
    """A layer's rotation as chosen so far (starting from the one it has)."""

    layer: DutyLayer
    seen_version: int | None
    """The layer's version when the wizard began: saving over someone else's change since is refused."""
    chosen: list[int] = Field(default_factory=list)
    """The members in their order of turns."""
    pattern: ShiftPattern | None = None
    handoff: int | None = None
    """Minutes after midnight."""
    start: date | None = None

    def spec(self) -> RotationSpec:
        if self.pattern is None or self.handoff is None or self.start is None:
            raise FlowLost()
        return RotationSpec(self.layer, self.pattern, self.handoff, self.start, tuple(self.chosen))


class HandoverFlow(StatesGroup):
    note = State()
    """The outgoing member types the handover note."""


class HandoverData(WizardData):
    layer: DutyLayer
    minute: int
    """The handoff, in minutes since the epoch."""
