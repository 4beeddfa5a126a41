"""Conversation states (FSM)."""

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
