"""SQLModel tables, enums and the engine/session factory. No business rules live here."""

from models.db import Database
from models.enums import (
    Category,
    CoverReason,
    DeliveryStatus,
    DutyLayer,
    Priority,
    ReportEventKind,
    ReportStatus,
    Role,
    Severity,
    ShiftPattern,
    SwapStatus,
    UnitLevel,
)
from models.outbox import Notification
from models.reports import (
    PolicyOverride,
    Report,
    ReportCounter,
    ReportDraft,
    ReportEvent,
    ReportMedia,
    SchedulerLease,
    StationGroup,
    SweepMark,
)
from models.roster import DutyCover, Rotation, ShiftSwap
from models.tables import DirectoryVersion, Invite, InviteRedemption, Member, RoleAssignment, Unit
from models.versioning import directory_version, local_directory_commits

__all__ = [
    "Category",
    "CoverReason",
    "Database",
    "DeliveryStatus",
    "DirectoryVersion",
    "DutyCover",
    "DutyLayer",
    "Invite",
    "InviteRedemption",
    "Member",
    "Notification",
    "PolicyOverride",
    "Priority",
    "Report",
    "ReportCounter",
    "ReportDraft",
    "ReportEvent",
    "ReportEventKind",
    "ReportMedia",
    "ReportStatus",
    "Role",
    "RoleAssignment",
    "Rotation",
    "SchedulerLease",
    "Severity",
    "ShiftPattern",
    "ShiftSwap",
    "StationGroup",
    "SwapStatus",
    "SweepMark",
    "Unit",
    "UnitLevel",
    "directory_version",
    "local_directory_commits",
]
