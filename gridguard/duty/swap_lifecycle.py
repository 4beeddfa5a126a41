"""A shift swap's one state machine: which verb moves it from which state to which, and whose press it is."""

from dataclasses import dataclass
from enum import StrEnum

from gridguard.directory.permissions import SwapActor
from gridguard.duty.enums import SwapStatus


class SwapVerb(StrEnum):
    """What may be done to a swap; the values are its buttons' verbs too."""

    TAKE = "swap_take"
    WITHDRAW = "swap_withdraw"
    UNDO = "swap_undo"
    DECLINE = "swap_decline"


@dataclass(frozen=True)
class SwapTransition:
    allowed_from: SwapStatus
    to: SwapStatus
    by: SwapActor


SWAP_TRANSITIONS: dict[SwapVerb, SwapTransition] = {
    SwapVerb.TAKE: SwapTransition(SwapStatus.OFFERED, SwapStatus.TAKEN, SwapActor.COLLEAGUE),
    SwapVerb.WITHDRAW: SwapTransition(SwapStatus.OFFERED, SwapStatus.WITHDRAWN, SwapActor.OFFERER),
    SwapVerb.UNDO: SwapTransition(SwapStatus.TAKEN, SwapStatus.UNDONE, SwapActor.KEEPER),
    SwapVerb.DECLINE: SwapTransition(SwapStatus.OFFERED, SwapStatus.DECLINED, SwapActor.COLLEAGUE),
}
