"""SQLModel tables, enums and the engine/session factory. No business rules live here."""

from models.db import Database
from models.enums import Role, UnitLevel
from models.tables import Invite, InviteRedemption, Member, RoleAssignment, Unit

__all__ = [
    "Database",
    "Invite",
    "InviteRedemption",
    "Member",
    "Role",
    "RoleAssignment",
    "Unit",
    "UnitLevel",
]
