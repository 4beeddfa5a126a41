"""The plan conversations' steps."""

from aiogram.fsm.state import State, StatesGroup

from gridguard.directory.enums import Role
from gridguard.plans.enums import ResponseLevel
from gridguard.telegram.wizard import WizardData


class PlanImportFlow(StatesGroup):
    file = State()
    """A station head sends the plan's YAML file."""


class TaskAnswerFlow(StatesGroup):
    done = State()
    """The assignee sends a photo or a line as the record of the task done."""
    cant = State()
    """The assignee says why the task can't be done."""


class TaskAnswerData(WizardData):
    task_id: int


class PlanNoteFlow(StatesGroup):
    entry = State()
    """Text, a photo or a voice note for the situation log."""


class PlanNoteData(WizardData):
    response_id: int


class PlanEditFlow(StatesGroup):
    title = State()
    """A new task's title, typed."""
    role = State()
    due = State()
    condition = State()
    """A level's starting condition, typed."""


class PlanEditData(WizardData):
    plan_id: int
    version: int
    level: ResponseLevel
    title: str | None = None
    role: Role | None = None
