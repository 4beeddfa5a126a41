"""A report's one state machine: which verb moves it from which states to which, who may do it, and what the
audit trail records. Card buttons, the handlers' filters and the services' checks all read this table."""

from dataclasses import dataclass
from enum import StrEnum

from gridguard.reports.enums import ReportEventKind, ReportStatus

S = ReportStatus
OPEN_STATUSES = frozenset({S.NEW, S.ACKNOWLEDGED, S.IN_PROGRESS})


class ReportVerb(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    ASSIGN = "assign"
    RESOLVE = "resolve"
    MARK_DUPLICATE = "mark_duplicate"
    REJECT = "reject"
    CONFIRM_FIXED = "confirm_fixed"
    REOPEN = "reopen"
    AUTO_CLOSE = "auto_close"


class Actor(StrEnum):
    OFFICER = "officer"
    """Someone who may act on the report's units (permissions.Action.ACT_ON_REPORT)."""
    REPORTER = "reporter"
    SYSTEM = "system"
    """The sweeps: a resolved report the reporter never answered closes by itself."""


class Words(StrEnum):
    """What a verb needs typed before it can be done (asked in the presser's private chat)."""

    NOTE = "note"
    CODE = "code"
    REASON = "reason"


@dataclass(frozen=True)
class Transition:
    allowed_from: frozenset[ReportStatus]
    to: ReportStatus
    by: Actor
    recorded_as: ReportEventKind
    asks_for: Words | None = None


V, E = ReportVerb, ReportEventKind
TRANSITIONS: dict[ReportVerb, Transition] = {
    V.ACKNOWLEDGE: Transition(frozenset({S.NEW}), S.ACKNOWLEDGED, Actor.OFFICER, E.ACKNOWLEDGED),
    V.ASSIGN: Transition(OPEN_STATUSES, S.IN_PROGRESS, Actor.OFFICER, E.ASSIGNED),
    V.RESOLVE: Transition(OPEN_STATUSES, S.RESOLVED, Actor.OFFICER, E.RESOLVED, Words.NOTE),
    V.MARK_DUPLICATE: Transition(
        frozenset({S.NEW, S.ACKNOWLEDGED}), S.DUPLICATE, Actor.OFFICER, E.MARKED_DUPLICATE, Words.CODE
    ),
    V.REJECT: Transition(OPEN_STATUSES, S.REJECTED, Actor.OFFICER, E.REJECTED, Words.REASON),
    V.CONFIRM_FIXED: Transition(frozenset({S.RESOLVED}), S.CLOSED, Actor.REPORTER, E.CONFIRMED_FIXED),
    V.REOPEN: Transition(frozenset({S.RESOLVED}), S.NEW, Actor.REPORTER, E.REOPENED, Words.REASON),
    V.AUTO_CLOSE: Transition(frozenset({S.RESOLVED}), S.CLOSED, Actor.SYSTEM, E.AUTO_CLOSED),
}


PRESSABLE = tuple(verb for verb, t in TRANSITIONS.items() if t.by != Actor.SYSTEM)
"""The verbs a person presses a button for (the system's own, closing an unanswered report, has none)."""


def verbs_for(status: ReportStatus, by: Actor) -> list[ReportVerb]:
    """What `by` may do to a report in `status`, in the table's order (the order buttons are shown in)."""
    return [verb for verb, t in TRANSITIONS.items() if t.by == by and status in t.allowed_from]
