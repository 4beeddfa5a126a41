"""Enumerations shared by tables and services."""

from enum import IntEnum, StrEnum


class UnitLevel(StrEnum):
    COUNTY = "county"
    TOWNSHIP = "township"
    VILLAGE = "village"
    GRID = "grid"


class Role(StrEnum):
    GRID_WORKER = "grid_worker"
    VOLUNTEER = "volunteer"
    RESCUE_TEAM = "rescue_team"
    """A member of the township's composite rescue team (综合应急救援队伍): answers call-outs for all its villages."""
    VILLAGE_OFFICER = "village_officer"
    STATION_DUTY = "station_duty"
    STATION_HEAD = "station_head"
    COUNTY_OFFICER = "county_officer"
    ADMIN = "admin"


class Priority(IntEnum):
    """Lower goes first: escalations and alerts before status updates, reminders and digests last."""

    URGENT = 0
    NORMAL = 1
    LOW = 2


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    """Refused for good (blocked, never started, chat not found): the recipient is unreachable."""
    DEAD = "dead"
    """Gave up after the maximum number of attempts."""


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


class SwapStatus(StrEnum):
    OFFERED = "offered"
    TAKEN = "taken"
    WITHDRAWN = "withdrawn"
    UNDONE = "undone"
    DECLINED = "declined"
    """The colleague it was offered to (by name) said they can't."""


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


class CalloutKind(StrEnum):
    """What a call-out (召集) is for."""

    FLOOD_EVACUATION = "flood"
    FIRE = "fire"
    SEARCH_RESCUE = "rescue"
    TYPHOON_PREPARATION = "typhoon"
    GENERAL_HELP = "general"


class CalloutStatus(StrEnum):
    OPEN = "open"
    STOOD_DOWN = "stood_down"


class CalloutAnswer(StrEnum):
    """A recipient's answer to a call-out; ASKED until they press a button."""

    ASKED = "asked"
    ON_MY_WAY = "on_my_way"
    ARRIVED = "arrived"
    CANT = "cant"
