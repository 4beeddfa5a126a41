"""A report's one state machine: which verb moves it from which states to which, who may do it, and what the
audit trail records. Card buttons, the handlers' filters and the services' checks all read this table."""

from dataclasses import dataclass
from enum import StrEnum

from gridguard.directory.permissions import ReportActor
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


class Words(StrEnum):
    """What a verb needs typed before it can be done (asked in the presser's private chat)."""

    NOTE = "note"
    CODE = "code"
    REASON = "reason"


@dataclass(frozen=True)
class Transition:
    allowed_from: frozenset[ReportStatus]
    to: ReportStatus
    by: ReportActor
    recorded_as: ReportEventKind
    asks_for: Words | None = None


V, E = ReportVerb, ReportEventKind
TRANSITIONS: dict[ReportVerb, Transition] = {
    V.ACKNOWLEDGE: Transition(frozenset({S.NEW}), S.ACKNOWLEDGED, ReportActor.OFFICER, E.ACKNOWLEDGED),
    V.ASSIGN: Transition(OPEN_STATUSES, S.IN_PROGRESS, ReportActor.OFFICER, E.ASSIGNED),
    V.RESOLVE: Transition(OPEN_STATUSES, S.RESOLVED, ReportActor.OFFICER, E.RESOLVED, Words.NOTE),
    V.MARK_DUPLICATE: Transition(
        frozenset({S.NEW, S.ACKNOWLEDGED}), S.DUPLICATE, ReportActor.OFFICER, E.MARKED_DUPLICATE, Words.CODE
    ),
    V.REJECT: Transition(OPEN_STATUSES, S.REJECTED, ReportActor.OFFICER, E.REJECTED, Words.REASON),
    V.CONFIRM_FIXED: Transition(frozenset({S.RESOLVED}), S.CLOSED, ReportActor.REPORTER, E.CONFIRMED_FIXED),
    V.REOPEN: Transition(frozenset({S.RESOLVED}), S.NEW, ReportActor.REPORTER, E.REOPENED, Words.REASON),
    V.AUTO_CLOSE: Transition(frozenset({S.RESOLVED}), S.CLOSED, ReportActor.SYSTEM, E.AUTO_CLOSED),
}


PRESSABLE = tuple(verb for verb, t in TRANSITIONS.items() if t.by != ReportActor.SYSTEM)
"""The verbs a person presses a button for (the system's own, closing an unanswered report, has none)."""


def verbs_for(status: ReportStatus, by: ReportActor) -> list[ReportVerb]:
    """What `by` may do to a report in `status`, in the table's order (the order buttons are shown in)."""
    return [verb for verb, t in TRANSITIONS.items() if t.by == by and status in t.allowed_from]
