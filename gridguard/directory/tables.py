"""The directory: units, members, their roles, and invites."""

from datetime import datetime

from sqlalchemy import BigInteger, Column, Enum, UniqueConstraint
from sqlmodel import Field, SQLModel

from gridguard.db.types import UTCDateTime
from gridguard.directory.enums import Role, UnitLevel


def _enum(enum_type: type[Role] | type[UnitLevel], name: str) -> Column:  # type: ignore[type-arg,unused-ignore]
    return Column(
        Enum(enum_type, name=name, native_enum=False, values_callable=lambda e: [m.value for m in e]),
        nullable=False,
    )


class DirectoryRow:
    """A table whose rows the caches of the directory hold: writing one bumps the directory's version
    (`gridguard/directory/versioning.py`). A capability marks its own such tables (a township's escalation
    timeouts) by inheriting this."""


class Unit(DirectoryRow, SQLModel, table=True):
    """A county, township, village or grid; official 12-digit codes where they exist."""

    __tablename__ = "unit"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True, index=True)
    name: str = Field(max_length=100)
    level: UnitLevel = Field(sa_column=_enum(UnitLevel, "unit_level"))
    parent_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)


class Member(DirectoryRow, SQLModel, table=True):
    """A Telegram user known to the bot."""

    __tablename__ = "member"

    id: int | None = Field(default=None, primary_key=True)
    telegram_id: int = Field(sa_column=Column(BigInteger, unique=True, nullable=False, index=True))
    name: str = Field(max_length=64)
    phone: str | None = Field(default=None, max_length=32)
    language: str = Field(default="zh", max_length=8)
    unreachable_since: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """Set when Telegram refuses delivery for good (blocked, never started); cleared when they write again."""
    unreachable_reason: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(sa_type=UTCDateTime)


class RoleAssignment(DirectoryRow, SQLModel, table=True):
    """Member M holds role R on unit U."""

    __tablename__ = "role_assignment"
    __table_args__ = (UniqueConstraint("member_id", "unit_id", "role"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    role: Role = Field(sa_column=_enum(Role, "role"))
    created_at: datetime = Field(sa_type=UTCDateTime)


class Invite(SQLModel, table=True):
    """A deep-link token that grants a role on a unit to whoever opens it."""

    __tablename__ = "invite"

    id: int | None = Field(default=None, primary_key=True)
    token: str = Field(max_length=64, unique=True, index=True)
    unit_id: int = Field(foreign_key="unit.id")
    role: Role = Field(sa_column=_enum(Role, "role"))
    max_uses: int
    uses: int = 0
    expires_at: datetime = Field(sa_type=UTCDateTime)
    created_by_member_id: int | None = Field(default=None, foreign_key="member.id")
    created_at: datetime = Field(sa_type=UTCDateTime)


class InviteRedemption(SQLModel, table=True):
    """One member used one invite; opening the same invite twice uses it once."""

    __tablename__ = "invite_redemption"
    __table_args__ = (UniqueConstraint("invite_id", "member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    invite_id: int = Field(foreign_key="invite.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)


class DirectoryVersion(SQLModel, table=True):
    """One row counting writes to units, members and roles, so every instance knows when its cached profiles are
    stale (gridguard/directory/versioning.py bumps it in the writing transaction)."""

    __tablename__ = "directory_version"

    id: int = Field(default=1, primary_key=True)
    version: int = 0


class StationGroup(DirectoryRow, SQLModel, table=True):
    """The township station's group chat, linked by the station head with /linkgroup."""

    __tablename__ = "station_group"

    id: int | None = Field(default=None, primary_key=True)
    township_id: int = Field(foreign_key="unit.id", unique=True)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False, unique=True, index=True))
    """A group serves one station: its cards and its duty step belong to one township."""
    linked_by_id: int | None = Field(default=None, foreign_key="member.id")
    created_at: datetime = Field(sa_type=UTCDateTime)
