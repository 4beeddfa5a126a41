"""The reports conversations' steps."""

from aiogram.fsm.state import State, StatesGroup

from gridguard.reports.report_lifecycle import ReportVerb
from gridguard.telegram.wizard import WizardData


class ReportFlow(StatesGroup):
    category = State()
    severity = State()
    where = State()
    unit = State()
    evidence = State()
    confirm = State()


class ReportFlowData(WizardData):
    """The draft itself is kept by the desk (it outlives the conversation); only how the steps run is here."""

    editing: bool = False
    """The reporter is editing a step from the summary, so the step returns there."""


class ActOnReport(StatesGroup):
    resolve_note = State()
    resolve_photo = State()
    duplicate_code = State()
    reason = State()
    """A reject's or a reopen's reason."""


class FollowUpData(WizardData):
    """What an officer's pressed button needs typed first, and for which report."""

    report_id: int
    verb: ReportVerb
    note: str = ""
    """A resolve's note, kept while the after-photo is asked for."""
