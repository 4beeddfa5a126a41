"""The duty conversations' steps."""

from aiogram.fsm.state import State, StatesGroup


class RosterFlow(StatesGroup):
    """/roster: a layer's rotation set up step by step (the choices so far are kept in the state's data)."""

    members = State()
    pattern = State()
    handoff = State()
    start = State()
    preview = State()
    csv = State()


class HandoverFlow(StatesGroup):
    note = State()
    """The outgoing member types the handover note (the layer and the handoff are in the state's data)."""
