"""The reports buttons' callback data: typed, versioned, every field closed."""

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData

from gridguard.delivery.outbox import Button
from gridguard.reports.enums import Category, Severity
from gridguard.telegram.callbacks import RowId


class CategoryChoice(CallbackData, prefix="v1rc"):
    value: Category


class SeverityChoice(CallbackData, prefix="v1rs"):
    value: Severity


class ReportUnitChoice(CallbackData, prefix="v1ru"):
    unit_id: RowId


class SummaryVerb(StrEnum):
    SUBMIT = "submit"
    CATEGORY = "category"
    SEVERITY = "severity"
    WHERE = "where"
    EVIDENCE = "evidence"
    CANCEL = "cancel"


class SummaryAction(CallbackData, prefix="v1rx"):
    action: SummaryVerb


class DuplicateVerb(StrEnum):
    ADD = "add"
    NEW = "new"


class DuplicateChoice(CallbackData, prefix="v1rd"):
    """The duplicate hint's answer. The offered report is kept in the draft; `report_id` must match it."""

    action: DuplicateVerb
    report_id: RowId


class CardVerb(StrEnum):
    """A report button's verb on the wire: short codes, named as the lifecycle's verbs (and "details")."""

    ACKNOWLEDGE = "ack"
    ASSIGN = "asg"
    RESOLVE = "res"
    MARK_DUPLICATE = "dup"
    REJECT = "rej"
    DETAILS = "det"
    CONFIRM_FIXED = "fix"
    REOPEN = "reo"
    CALL_OUT = "call"


class ReportAction(CallbackData, prefix="v1r"):
    """Buttons on escalation cards and under a report's details; services describe them, `button_data` packs."""

    action: CardVerb
    report_id: RowId


class AssignChoice(CallbackData, prefix="v1ra"):
    report_id: RowId
    member_id: RowId


def pack_card(button: Button) -> str:
    return ReportAction(action=CardVerb[button.verb.upper()], report_id=button.subject).pack()


PACKERS = {name.lower(): pack_card for name in CardVerb.__members__}
