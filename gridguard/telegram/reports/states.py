"""The reports conversations' steps."""

from aiogram.fsm.state import State, StatesGroup


class ReportFlow(StatesGroup):
    category = State()
    severity = State()
    where = State()
    unit = State()
    evidence = State()
    confirm = State()


class ActOnReport(StatesGroup):
    resolve_note = State()
    resolve_photo = State()
    duplicate_code = State()
    reason = State()
    """A reject's or a reopen's reason (the verb is kept in the state's data)."""
