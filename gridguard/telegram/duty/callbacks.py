"""The duty buttons' callback data: typed, versioned, every field closed."""

from enum import StrEnum
from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

from gridguard.delivery.outbox import Button
from gridguard.duty.duty_texts import HandoverVerb
from gridguard.duty.enums import DutyLayer, ShiftPattern
from gridguard.duty.swap_lifecycle import SwapVerb
from gridguard.telegram.callbacks import Minute, PageNumber, RowId
from i18n import Keys


class DutyAction(CallbackData, prefix="v1d"):
    """Buttons the duty roster sends: take or undo a swap (subject: the swap), write a handover note (subject: the
    handoff's minute since the epoch). Services describe them; `button_data` packs."""

    action: SwapVerb | HandoverVerb
    subject: RowId


class SwapShiftChoice(CallbackData, prefix="v1ss"):
    """/swap: which of the member's own shifts (re-checked against the roster when pressed)."""

    layer: DutyLayer
    start: Minute


class SwapClose(CallbackData, prefix="v1sx"):
    """/swap: cancel, nothing offered."""


class SwapPage(CallbackData, prefix="v1sp"):
    """/swap: another page of the member's own shifts."""

    page: PageNumber


class SwapToChoice(CallbackData, prefix="v1st"):
    """/swap: to whom; member 0 is everyone on the roster."""

    layer: DutyLayer
    start: Minute
    member_id: Annotated[int, Field(ge=0, le=2**31 - 1)]


class RosterMenuVerb(StrEnum):
    EDIT_PRIMARY = "edit_primary"
    EDIT_BACKUP = "edit_backup"
    EXPORT = "export"
    IMPORT = "import"


MENU_BUTTONS = Keys("roster.{}", RosterMenuVerb)


class RosterMenu(CallbackData, prefix="v1rm"):
    action: RosterMenuVerb


class RosterPick(CallbackData, prefix="v1rp"):
    member_id: RowId


class RosterStepVerb(StrEnum):
    DONE = "done"
    RESET = "reset"
    CANCEL = "cancel"
    SAVE = "save"
    BACK = "back"


class RosterStep(CallbackData, prefix="v1rx2"):
    action: RosterStepVerb


class RosterPattern(CallbackData, prefix="v1rpt"):
    pattern: ShiftPattern


class RosterHandoff(CallbackData, prefix="v1rh"):
    minutes: Annotated[int, Field(ge=0, le=24 * 60 - 1)]


class RosterStart(CallbackData, prefix="v1rst"):
    """The rotation's first day, as a date ordinal (re-checked: not in the past)."""

    day: Annotated[int, Field(ge=730_000, le=760_000)]


def pack_duty(button: Button) -> str:
    return DutyAction(action=button.verb, subject=button.subject).pack()


PACKERS = {str(verb): pack_duty for verb in (*SwapVerb, *HandoverVerb)}
