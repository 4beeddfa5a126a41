"""The capability's enumerations: its states and kinds."""

from enum import StrEnum

from i18n import Keys


class ReportStatus(StrEnum):
    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"


class Category(StrEnum):
    FIRE = "fire"
    FLOOD = "flood"
    LANDSLIDE = "landslide"
    FOREST_FIRE = "forest_fire"
    WORKPLACE = "workplace"
    GAS = "gas"
    ELECTRICAL = "electrical"
    BUILDING = "building"
    TRAFFIC = "traffic"
    CHEMICALS = "chemicals"
    OTHER = "other"


class Severity(StrEnum):
    """In rising order."""

    LOW = "low"
    ELEVATED = "elevated"
    MAJOR = "major"
    CRITICAL = "critical"


class ReportEventKind(StrEnum):
    """What happened to a report, in the past tense (the audit trail's `kind`)."""

    CREATED = "created"
    ESCALATED = "escalated"
    ACKNOWLEDGED = "acknowledged"
    ASSIGNED = "assigned"
    RESOLVED = "resolved"
    MARKED_DUPLICATE = "marked_duplicate"
    REJECTED = "rejected"
    CONFIRMED_FIXED = "confirmed_fixed"
    REOPENED = "reopened"
    AUTO_CLOSED = "auto_closed"
    INFO_ADDED = "info_added"


CATEGORY_NAMES = Keys("category.{}", Category)
SEVERITY_NAMES = Keys("severity.{}", Severity)
STATE_NAMES = Keys("report.state.{}", ReportStatus)
STATUS_LINES = Keys("report.status.{}", ReportStatus)
"""A card's status line: the state with who and when."""
REPORTER_NEWS = Keys("report.tell.{}", frozenset(ReportStatus) - {ReportStatus.NEW})
"""What the reporter is told when their report reaches a state."""
EVENT_NAMES = Keys("report.event.{}", ReportEventKind)
