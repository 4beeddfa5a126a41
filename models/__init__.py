"""SQLModel tables, enums and the engine/session factory. No business rules live here."""

from models.db import Database
from models.enums import (
    Category,
    DeliveryStatus,
    Priority,
    ReportEventKind,
    ReportStatus,
    Role,
    Severity,
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
)
from models.tables import DirectoryVersion, Invite, InviteRedemption, Member, RoleAssignment, Unit
from models.versioning import directory_version, local_directory_commits

__all__ = [
    "Category",
    "Database",
    "DeliveryStatus",
    "DirectoryVersion",
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
    "SchedulerLease",
    "Severity",
    "StationGroup",
    "Unit",
    "UnitLevel",
    "directory_version",
    "local_directory_commits",
]
