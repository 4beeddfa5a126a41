"""The reminders conversations' steps."""

from aiogram.fsm.state import State, StatesGroup
from pydantic import Field

from gridguard.kernel.errors import FlowLost
from gridguard.reminders.enums import HolidayHandling, RuleKind
from gridguard.reminders.rule_setup import LEAD_CHOICES, Frequency, Repeat, RuleDraft
from gridguard.telegram.wizard import WizardData


class RsvpFlow(StatesGroup):
    reason = State()
    """Why the member can't come."""


class RsvpData(WizardData):
    occurrence: int
    reminder_message_id: int | None
    """The reminder pressed, rewritten with the answer once the reason is given."""


class RuleFlow(StatesGroup):
    """/reminders: adding or editing a rule step by step (the choices so far are in the state's data)."""

    kind = State()
    title = State()
    frequency = State()
    ordinal = State()
    weekday = State()
    day = State()
    time = State()
    holidays = State()
    leads = State()
    place = State()
    preview = State()


class RuleData(WizardData):
    """A rule as chosen so far; editing starts from the rule's own values."""

    rule_id: int | None = None
    seen_version: int | None = None
    editing: str = ""
    """Above the first step when editing: which rule, and how it repeats now."""
    kind: RuleKind | None = None
    title: str = ""
    frequency: Frequency | None = None
    minutes: int | None = None
    weekday: int | None = None
    ordinal: int | None = None
    day: int | None = None
    holidays: HolidayHandling | None = None
    leads: int | None = None
    """The index of the lead times in LEAD_CHOICES."""
    place: str | None = None

    def total_steps(self) -> int:
        """How often, the day, the time, holidays, lead times, the place and the preview; a new rule's kind first
        (and the title of an "other" one); a monthly rule on a weekday asks which one."""
        total = 7
        if self.rule_id is None:
            total += 2 if self.kind == RuleKind.OTHER else 1
        if self.frequency == Frequency.MONTHLY_WEEKDAY:
            total += 1
        return total

    def draft(self) -> RuleDraft:
        if self.kind is None or self.frequency is None or self.minutes is None or self.holidays is None:
            raise FlowLost()
        repeat = Repeat(self.frequency, self.minutes, weekday=self.weekday, ordinal=self.ordinal, day=self.day)
        leads = LEAD_CHOICES[self.leads or 0]
        return RuleDraft(self.kind, self.title, repeat, self.holidays, self.place or None, leads)


class RecordFlow(StatesGroup):
    """Recording a held meeting, inspection or drill (what is gathered so far is in the state's data)."""

    attendance = State()
    notes = State()
    scenario = State()
    problems = State()
    photos = State()


ALL_PLACES = -1
"""The attendance screen's place when it lists the villages."""


class RecordData(WizardData):
    occurrence: int
    title: str
    drill: bool
    people: list[tuple[int, str, str]]
    """Who could have come: member id, name, and the village (or township) they came for."""
    attended: list[int]
    place: int = ALL_PLACES
    """The village whose names the attendance screen shows, by its index in the roll."""
    page: int = 0
    notes: str | None = None
    scenario: str | None = None
    problems: str | None = None
    photos: list[str] = Field(default_factory=list)
