"""A call-out's one state machine, and its recipients' answers: which press moves what from where, and whose it is."""

from dataclasses import dataclass
from enum import StrEnum

from gridguard.callouts.enums import CalloutAnswer, CalloutStatus


class CalloutVerb(StrEnum):
    """A call-out button's verb on the wire (the subject is the call-out's id)."""

    ON_MY_WAY = "co_go"
    ARRIVED = "co_here"
    CANT = "co_cant"
    MESSAGE = "co_msg"
    """The sender writes to everyone who is coming."""
    STAND_DOWN = "co_stop"
    """The sender asks to stand the call-out down (confirmed next)."""
    CONFIRM_STAND_DOWN = "co_stop_ok"
    KEEP_GOING = "co_stop_no"
    """The sender thinks better of standing down (the confirmation's "no")."""
    OPEN = "co_open"
    """/alerts: bring a live call-out's tally, with its buttons, back into the chat."""


ANSWER_OF_VERB = {
    CalloutVerb.ON_MY_WAY: CalloutAnswer.ON_MY_WAY,
    CalloutVerb.ARRIVED: CalloutAnswer.ARRIVED,
    CalloutVerb.CANT: CalloutAnswer.CANT,
}

ANSWER_TRANSITIONS: dict[CalloutAnswer, frozenset[CalloutAnswer]] = {
    CalloutAnswer.ASKED: frozenset({CalloutAnswer.ON_MY_WAY, CalloutAnswer.ARRIVED, CalloutAnswer.CANT}),
    CalloutAnswer.ON_MY_WAY: frozenset({CalloutAnswer.ARRIVED, CalloutAnswer.CANT}),
    CalloutAnswer.CANT: frozenset({CalloutAnswer.ON_MY_WAY, CalloutAnswer.ARRIVED}),
    CalloutAnswer.ARRIVED: frozenset(),
}
"""From each answer, the answers a recipient may change it to (someone who can't may still come; arrived is final)."""

COMING = (CalloutAnswer.ON_MY_WAY, CalloutAnswer.ARRIVED)
"""The answers that count towards the headcount (and whom the sender's messages reach)."""


@dataclass(frozen=True)
class CalloutTransition:
    allowed_from: CalloutStatus
    to: CalloutStatus


CALLOUT_TRANSITIONS: dict[CalloutVerb, CalloutTransition] = {
    CalloutVerb.CONFIRM_STAND_DOWN: CalloutTransition(CalloutStatus.OPEN, CalloutStatus.STOOD_DOWN),
}
"""A call-out's moves; each is pressed by whoever runs it: its sender or a station head of its township
(permissions.may_run_callout)."""


def may_change_answer(current: CalloutAnswer, to: CalloutAnswer) -> bool:
    return to in ANSWER_TRANSITIONS[current]


def answers_leading_to(answer: CalloutAnswer) -> list[CalloutAnswer]:
    """The answers a recipient may change to `answer` from."""
    return [current for current, allowed in ANSWER_TRANSITIONS.items() if answer in allowed]
