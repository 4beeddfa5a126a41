"""Typed, versioned callback data. A press is a hint: handlers re-check permission and state."""

from aiogram.filters.callback_data import CallbackData


class LanguageChoice(CallbackData, prefix="v1lang"):
    code: str


class InviteRoleChoice(CallbackData, prefix="v1ir"):
    role: str


class InviteUsesChoice(CallbackData, prefix="v1iu"):
    uses: int


class UnitChoice(CallbackData, prefix="v1unit"):
    purpose: str
    unit_id: int


class UnitPage(CallbackData, prefix="v1page"):
    purpose: str
    page: int


class CategoryChoice(CallbackData, prefix="v1rc"):
    value: str


class SeverityChoice(CallbackData, prefix="v1rs"):
    value: str


class ReportUnitChoice(CallbackData, prefix="v1ru"):
    unit_id: int


class SummaryAction(CallbackData, prefix="v1rx"):
    action: str


class DuplicateChoice(CallbackData, prefix="v1rd"):
    action: str
    report_id: int


class ReportAction(CallbackData, prefix="v1r"):
    """Buttons on escalation cards; services/report_cards.button_data builds the same strings."""

    action: str
    report_id: int


class AssignChoice(CallbackData, prefix="v1ra"):
    report_id: int
    member_id: int
