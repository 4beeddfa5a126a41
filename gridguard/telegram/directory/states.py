"""The directory conversations' steps."""

from aiogram.fsm.state import State, StatesGroup


class Registration(StatesGroup):
    name = State()
    phone = State()


class InviteFlow(StatesGroup):
    role = State()
    unit = State()
    uses = State()


class GridFlow(StatesGroup):
    village = State()
    name = State()
