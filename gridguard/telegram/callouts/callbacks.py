"""The callouts buttons' callback data: typed, versioned, every field closed."""

from enum import StrEnum
from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

from gridguard.callouts.callout_desk import Pause
from gridguard.callouts.callout_lifecycle import CalloutVerb
from gridguard.delivery.outbox import Button
from gridguard.telegram.callbacks import RowId


class CalloutAction(CallbackData, prefix="v1co"):
    """A call-out's buttons: a recipient's answer, or the sender's (message those coming, stand down)."""

    action: CalloutVerb
    callout_id: RowId


CALLOUT_VERBS = frozenset(CalloutVerb)


class CalloutField(StrEnum):
    """An /alert wizard button: what it sets (the value: a kind's index, a village's id, a headcount)."""

    KIND = "kind"
    WHOLE = "whole"
    VILLAGE = "village"
    AREA_DONE = "area"
    NO_MESSAGE = "nomsg"
    AREA_AGAIN = "area2"
    KEEP_MESSAGE = "keepmsg"
    BACK = "back"
    REPORT_POINT = "rpoint"
    NEEDED = "needed"
    SEND = "send"
    CANCEL = "cancel"


class CalloutWizard(CallbackData, prefix="v1cw"):
    field: CalloutField
    value: Annotated[int, Field(ge=0, le=2**31 - 1)]


class AvailabilityChoice(CallbackData, prefix="v1av2"):
    """/available: answer call-outs, or pause them (for a while, or until said otherwise)."""

    available: bool
    pause: Pause = Pause.OPEN


def pack_callout(button: Button) -> str:
    return CalloutAction(action=CalloutVerb(button.verb), callout_id=button.subject).pack()


PACKERS = {verb.value: pack_callout for verb in CalloutVerb}
