"""The directory buttons' callback data: typed, versioned, every field closed."""

from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

from gridguard.telegram.callbacks import PageNumber, RowId


class InviteRoleChoice(CallbackData, prefix="v1ir"):
    role: str


class InviteUsesChoice(CallbackData, prefix="v1iu"):
    uses: Annotated[int, Field(ge=1, le=1000)]


class UnitChoice(CallbackData, prefix="v1unit"):
    purpose: str
    unit_id: RowId


class UnitPage(CallbackData, prefix="v1page"):
    purpose: str
    page: PageNumber
