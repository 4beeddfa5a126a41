"""SQLModel tables, enums and the engine/session factory. No business rules live here."""

from models.db import Database
from models.enums import DeliveryStatus, Priority, Role, UnitLevel
from models.outbox import Notification
from models.tables import Invite, InviteRedemption, Member, RoleAssignment, Unit

__all__ = [
    "Database",
    "DeliveryStatus",
    "Invite",
    "InviteRedemption",
    "Member",
    "Notification",
    "Priority",
    "Role",
    "RoleAssignment",
    "Unit",
    "UnitLevel",
]
