"""Typed, versioned callback data. A press is a hint: handlers re-check permission and state.

Every field is closed: verbs are enums and numbers are bounded, so a forged or malformed button fails to
unpack and lands on the fallback's "stale button" answer instead of reaching a handler."""

from collections.abc import Sequence
from typing import Annotated, Any

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from pydantic import Field

from gridguard.delivery.outbox import Button

RowId = Annotated[int, Field(ge=1, le=2**31 - 1)]
"""A database id: what an INTEGER primary key can hold (a 40-digit id overflows SQLite and PostgreSQL)."""


PageNumber = Annotated[int, Field(ge=0, le=10_000)]


class LanguageChoice(CallbackData, prefix="v1lang"):
    code: str


def button_data(button: Button) -> str:
    """A button a service described (label, verb, subject): its packed callback data, by the capability that
    registered the verb."""
    from gridguard.telegram.registry import packer_of

    return packer_of(button.verb)(button)


def pack_buttons(rows: Sequence[Sequence[Button]]) -> InlineKeyboardMarkup:
    """Described buttons as aiogram's inline keyboard, for a handler's answer."""
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=b.label, callback_data=button_data(b)) for b in row] for row in rows
        ]
    )


def inline_keyboard(rows: Sequence[Sequence[Button]]) -> dict[str, Any]:
    """Described buttons as the Bot API's InlineKeyboardMarkup JSON, for the outbox's sender."""
    return {"inline_keyboard": [[{"text": b.label, "callback_data": button_data(b)} for b in row] for row in rows]}


Minute = Annotated[int, Field(ge=1, le=2**31 - 1)]
"""An instant as whole minutes since the epoch (a shift's start)."""
