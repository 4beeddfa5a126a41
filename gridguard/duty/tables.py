"""The duty roster (全时段值班): each township's rotations, the periods members cover instead, and shift swaps."""

from datetime import date, datetime

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from gridguard.db.types import StrEnumText, UTCDateTime
from gridguard.duty.enums import CoverReason, DutyLayer, ShiftPattern, SwapStatus


class Rotation(SQLModel, table=True):
    """One layer of a township's duty: members in order, taking shifts of `pattern` from `start_date`."""

    __tablename__ = "duty_rotation"
    __table_args__ = (UniqueConstraint("township_id", "layer"),)

    id: int | None = Field(default=None, primary_key=True)
    township_id: int = Field(foreign_key="unit.id", index=True)
    layer: DutyLayer = Field(sa_column=Column(StrEnumText(DutyLayer, 16), nullable=False))
    pattern: ShiftPattern = Field(sa_column=Column(StrEnumText(ShiftPattern, 24), nullable=False))
    handoff_minutes: int
    """The local time of day shifts hand over, in minutes after midnight."""
    start_date: date
    member_ids: list[int] = Field(sa_column=Column(JSON, nullable=False))
    version: int = 0
    updated_by_id: int | None = Field(default=None, foreign_key="member.id")
    updated_at: datetime = Field(sa_type=UTCDateTime)


class DutyCover(SQLModel, table=True):
    """A member covers [starts_at, ends_at) of a layer instead of the rotation (leave, a swap, a planned period)."""

    __tablename__ = "duty_cover"
    __table_args__ = (Index("ix_duty_cover_period", "township_id", "layer", "ends_at"),)

    id: int | None = Field(default=None, primary_key=True)
    township_id: int = Field(foreign_key="unit.id")
    layer: DutyLayer = Field(sa_column=Column(StrEnumText(DutyLayer, 16), nullable=False))
    member_id: int = Field(foreign_key="member.id", index=True)
    starts_at: datetime = Field(sa_type=UTCDateTime)
    ends_at: datetime = Field(sa_type=UTCDateTime)
    reason: CoverReason = Field(sa_column=Column(StrEnumText(CoverReason, 16), nullable=False))
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by_id: int | None = Field(default=None, foreign_key="member.id")
    created_at: datetime = Field(sa_type=UTCDateTime)


class ShiftSwap(SQLModel, table=True):
    """A member offers one of their shifts; a colleague takes it with one press (first press wins: `version`)."""

    __tablename__ = "shift_swap"

    id: int | None = Field(default=None, primary_key=True)
    township_id: int = Field(foreign_key="unit.id", index=True)
    layer: DutyLayer = Field(sa_column=Column(StrEnumText(DutyLayer, 16), nullable=False))
    offered_by_id: int = Field(foreign_key="member.id")
    offered_to_id: int | None = Field(default=None, foreign_key="member.id")
    """A named colleague, or None for everyone on the township's roster."""
    starts_at: datetime = Field(sa_type=UTCDateTime)
    ends_at: datetime = Field(sa_type=UTCDateTime)
    status: SwapStatus = Field(sa_column=Column(StrEnumText(SwapStatus, 16), nullable=False))
    taken_by_id: int | None = Field(default=None, foreign_key="member.id")
    cover_id: int | None = Field(default=None, foreign_key="duty_cover.id")
    version: int = 0
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
