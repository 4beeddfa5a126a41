"""The callouts conversations' steps."""

from aiogram.fsm.state import State, StatesGroup
from pydantic import Field

from gridguard.callouts.callout_desk import CalloutDraft
from gridguard.callouts.enums import CalloutKind
from gridguard.kernel.errors import FlowLost
from gridguard.telegram.wizard import WizardData


class CalloutFlow(StatesGroup):
    """/alert: a call-out step by step (the choices so far are in the state's data)."""

    kind = State()
    area = State()
    message = State()
    point = State()
    needed = State()
    preview = State()


class CalloutData(WizardData):
    """What /alert has gathered so far, and what it started from."""

    township_id: int
    township: str
    all_villages: list[tuple[int, str]]
    villages: list[int] = Field(default_factory=list)
    """The villages chosen; none is the whole township."""
    kind: CalloutKind | None = None
    message: str | None = None
    """The sender's words; empty for a call-out from a report that adds none (it carries the report's)."""
    report_id: int | None = None
    report_point: tuple[float, float] | None = None
    point: tuple[float, float] | None = None
    meeting_place: str | None = None
    needed: int | None = None
    back_to_preview: bool = False
    """The area is being chosen again because the preview reached nobody: done goes straight back to it."""

    @property
    def from_report(self) -> bool:
        return self.report_id is not None

    def total_steps(self) -> int:
        """Kind, area, message, meeting point, headcount, preview; from a report (kind and area taken from it),
        four."""
        return 4 if self.from_report else 6

    def area_names(self) -> list[str]:
        return [name for v, name in self.all_villages if v in self.villages]

    def draft(self) -> CalloutDraft:
        if self.kind is None or self.message is None or self.needed is None:
            raise FlowLost()
        return CalloutDraft(
            township_id=self.township_id,
            kind=self.kind,
            villages=tuple(self.villages),
            message=self.message,
            needed=self.needed,
            latitude=self.point[0] if self.point else None,
            longitude=self.point[1] if self.point else None,
            report_id=self.report_id,
            meeting_place=self.meeting_place,
        )


class CalloutNoteFlow(StatesGroup):
    text = State()
    """The sender types a message to everyone coming."""


class CalloutNoteData(WizardData):
    callout_id: int
