"""The callouts conversations' steps."""

from aiogram.fsm.state import State, StatesGroup


class CalloutFlow(StatesGroup):
    """/alert: a call-out step by step (the choices so far are in the state's data)."""

    kind = State()
    area = State()
    message = State()
    point = State()
    needed = State()
    preview = State()


class CalloutNoteFlow(StatesGroup):
    text = State()
    """The sender types a message to everyone coming (the call-out is in the state's data)."""
