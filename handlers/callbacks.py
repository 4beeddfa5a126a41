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
