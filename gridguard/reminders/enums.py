"""The capability's enumerations: its states and kinds."""

from enum import StrEnum

from i18n import Keys


class RuleKind(StrEnum):
    """What a reminder rule is for; the work rules ask for the first four."""

    WEEKLY_MEETING = "weekly_meeting"
    """周例会: the leaders' weekly meeting on emergency work."""
    INSPECTION = "inspection"
    """每月检查: a safety inspection, at least monthly."""
    SAFETY_MEETING = "safety_meeting"
    """每季度会议: the quarterly safety-prevention meeting."""
    DRILL = "drill"
    """每半年演练: the emergency drill, every half year."""
    OTHER = "other"


class HolidayHandling(StrEnum):
    """What an occurrence that falls on a public holiday does."""

    MOVE = "move"
    """To the next working day (make-up working days count), at the same time."""
    SKIP = "skip"
    KEEP = "keep"


class RuleStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"


class RsvpAnswer(StrEnum):
    ATTENDING = "attending"
    CANT = "cant"


KIND_TITLES = Keys("reminders.kind_{}", RuleKind)
HOLIDAY_HANDLING_NAMES = Keys("reminders.holidays_{}", HolidayHandling)
STATUS_NAMES = Keys("reminders.status_{}", RuleStatus)
