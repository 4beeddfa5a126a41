"""The capability's enumerations: its states and kinds."""

from enum import StrEnum

from i18n import Keys


class DutyLayer(StrEnum):
    """Who an escalation's step 1 reaches first (primary), and after its timeout (backup)."""

    PRIMARY = "primary"
    BACKUP = "backup"


class ShiftPattern(StrEnum):
    """How a rotation cuts time into shifts, from its handoff time each day."""

    DAILY = "daily"
    """24 hours, handoff to handoff."""
    HALF_DAY = "half_day"
    """Two 12-hour shifts."""
    OFFICE_AND_NIGHTS = "office_and_nights"
    """Weekdays a 9-hour day shift from the handoff and a night shift until the next handoff; weekends 24 hours."""


class CoverReason(StrEnum):
    """Why a member covers a period instead of the rotation."""

    LEAVE = "leave"
    SWAP = "swap"
    PLANNED = "planned"
    """A period planned in a spreadsheet (CSV import)."""


class ReminderLead(StrEnum):
    """When a member is reminded of their shift."""

    EVENING = "evening"
    """The evening before (20:00 by default)."""
    HOUR = "hour"
    """An hour before it starts."""


class SwapStatus(StrEnum):
    OFFERED = "offered"
    TAKEN = "taken"
    WITHDRAWN = "withdrawn"
    UNDONE = "undone"
    DECLINED = "declined"
    """The colleague it was offered to (by name) said they can't."""


LAYER_NAMES = Keys("onduty.layer_{}", DutyLayer)
PATTERN_NAMES = Keys("roster.pattern_{}", ShiftPattern)
SWAP_OUTCOMES = Keys("swap.now_{}", SwapStatus)
"""Why a swap can no longer be pressed: it is now taken, withdrawn, …"""
SWAP_NEWS = Keys("swap.{}", (SwapStatus.TAKEN, SwapStatus.UNDONE))
"""What the people a swap concerns are told when it is taken or undone."""
REMINDER_TEXTS = Keys("dutyremind.{}", ReminderLead)
