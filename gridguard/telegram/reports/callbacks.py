"""The reports buttons' callback data: typed, versioned, every field closed."""

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData

from gridguard.delivery.outbox import Button
from gridguard.reports.enums import Category, Severity
from gridguard.reports.report_cards import CardButton, CardVerb
from gridguard.reports.report_lifecycle import PRESSABLE
from gridguard.telegram.callbacks import RowId
from i18n import Keys


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


SUMMARY_BUTTONS = Keys("report.summary_button.{}", SummaryVerb)


class SummaryAction(CallbackData, prefix="v1rx"):
    action: SummaryVerb


class DuplicateVerb(StrEnum):
    ADD = "add"
    NEW = "new"


class DuplicateChoice(CallbackData, prefix="v1rd"):
    """The duplicate hint's answer. The offered report is kept in the draft; `report_id` must match it."""

    action: DuplicateVerb
    report_id: RowId


class ReportAction(CallbackData, prefix="v2r"):
    """Buttons on escalation cards and under a report's details; services describe them, `button_data` packs. (v1
    carried short codes of the same verbs.)"""

    action: CardVerb
    report_id: RowId


class AssignChoice(CallbackData, prefix="v1ra"):
    report_id: RowId
    member_id: RowId


def pack_card(button: Button) -> str:
    return ReportAction(action=button.verb, report_id=button.subject).pack()


PACKERS = {str(verb): pack_card for verb in (*PRESSABLE, *CardButton)}
