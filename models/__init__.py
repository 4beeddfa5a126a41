"""SQLModel tables, enums and the engine/session factory. No business rules live here."""

from models.db import Database
from models.enums import DeliveryStatus, Priority, Role, UnitLevel
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
from models.tables import Invite, InviteRedemption, Member, RoleAssignment, Unit

__all__ = [
    "Database",
    "DeliveryStatus",
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
    "ReportMedia",
    "Role",
    "RoleAssignment",
    "SchedulerLease",
    "StationGroup",
    "Unit",
    "UnitLevel",
]
