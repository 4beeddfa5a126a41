"""A response's one state machine and its tasks': which press moves what from where, and whose press it is."""

from dataclasses import dataclass
from enum import StrEnum

from gridguard.plans.enums import ResponseStatus, TaskStatus


class ResponseVerb(StrEnum):
    """A response button's verb on the wire (the subject is the response's id)."""

    CONFIRM = "rp_yes"
    """A head confirms a proposed Ⅱ/Ⅰ start, or a proposed change of level to Ⅱ/Ⅰ."""
    DECLINE = "rp_no"
    CHANGE_LEVEL = "rp_lvl"
    """The progress card's 调整级别: the levels to choose from follow."""
    END = "rp_end"
    """The progress card's 结束响应: a confirmation follows."""
    CONFIRM_END = "rp_end_ok"
    KEEP_GOING = "rp_end_no"
    LOG = "rp_log"
    """The situation log as a spreadsheet, to whoever pressed."""
    NOTE = "rp_note"
    """An entry for the situation log (text, photo or voice) follows."""
    OPEN = "rp_open"
    """/plan: the progress card, with its buttons, brought into the member's chat."""


class TaskVerb(StrEnum):
    """A task button's verb (the subject is the task's id)."""

    DONE = "pt_done"
    """A note or a photo as the record follows (or JUST_DONE)."""
    JUST_DONE = "pt_ok"
    CANT = "pt_cant"
    """The reason follows."""


class ResponseActor(StrEnum):
    RUNNER = "runner"
    """The township's head or duty member (permissions.may_run_plans)."""
    CONFIRMER = "confirmer"
    """A head of the township or the county (permissions.may_confirm_response)."""


@dataclass(frozen=True)
class ResponseTransition:
    allowed_from: ResponseStatus
    to: ResponseStatus
    by: ResponseActor


RESPONSE_TRANSITIONS: dict[ResponseVerb, ResponseTransition] = {
    ResponseVerb.CONFIRM: ResponseTransition(ResponseStatus.PROPOSED, ResponseStatus.ACTIVE, ResponseActor.CONFIRMER),
    ResponseVerb.DECLINE: ResponseTransition(ResponseStatus.PROPOSED, ResponseStatus.DECLINED, ResponseActor.CONFIRMER),
    ResponseVerb.CONFIRM_END: ResponseTransition(ResponseStatus.ACTIVE, ResponseStatus.ENDED, ResponseActor.RUNNER),
}
"""The moves of a response's status. A change of level keeps it ACTIVE (one to Ⅱ/Ⅰ by a duty member waits in
`proposed_level` for CONFIRM or DECLINE, as a proposed start does)."""

TASK_TRANSITIONS: dict[TaskStatus, frozenset[TaskStatus]] = {
    TaskStatus.OPEN: frozenset({TaskStatus.DONE, TaskStatus.CANT, TaskStatus.WITHDRAWN}),
    TaskStatus.CANT: frozenset({TaskStatus.DONE, TaskStatus.WITHDRAWN}),
    TaskStatus.DONE: frozenset(),
    TaskStatus.WITHDRAWN: frozenset(),
}
"""From each task state, where it may go: an assignee who couldn't may still finish; done and withdrawn are final."""

STILL_TO_DO = (TaskStatus.OPEN, TaskStatus.CANT)
"""The tasks a level change or the end withdraws."""


def task_states_leading_to(status: TaskStatus) -> list[TaskStatus]:
    return [current for current, allowed in TASK_TRANSITIONS.items() if status in allowed]
