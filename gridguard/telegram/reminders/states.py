"""The reminders conversations' steps."""

from aiogram.fsm.state import State, StatesGroup


class RsvpFlow(StatesGroup):
    reason = State()
    """Why the member can't come (the occurrence is in the state's data)."""


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


class RecordFlow(StatesGroup):
    """Recording a held meeting, inspection or drill (what is gathered so far is in the state's data)."""

    attendance = State()
    notes = State()
    scenario = State()
    problems = State()
    photos = State()
