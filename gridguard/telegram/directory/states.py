"""The directory conversations' steps."""

from aiogram.fsm.state import State, StatesGroup

from gridguard.directory.enums import Role
from gridguard.telegram.wizard import WizardData


class Registration(StatesGroup):
    name = State()
    phone = State()


class RegistrationData(WizardData):
    token: str
    name: str = ""


class InviteFlow(StatesGroup):
    role = State()
    unit = State()
    uses = State()


class InviteData(WizardData):
    role: Role


class InviteToUnit(InviteData):
    """Once the unit is chosen: only the number of uses is left."""

    unit_id: int


class GridFlow(StatesGroup):
    village = State()
    name = State()


class GridData(WizardData):
    village_code: str
