"""Volunteer call-outs: the alert a station sent, who it asked and what each answered, and whether a volunteer is
available for call-outs at all."""

from datetime import datetime

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from gridguard.callouts.enums import CalloutAnswer, CalloutKind, CalloutStatus
from gridguard.db.types import StrEnumText, UTCDateTime


class Callout(SQLModel, table=True):
    """One call-out to a township's volunteers and rescue team (the whole township, or some of its villages)."""

    __tablename__ = "callout"

    id: int | None = Field(default=None, primary_key=True)
    township_id: int = Field(foreign_key="unit.id", index=True)
    sender_id: int = Field(foreign_key="member.id")
    kind: CalloutKind = Field(sa_column=Column(StrEnumText(CalloutKind, 16), nullable=False))
    villages: list[int] = Field(sa_column=Column(JSON, nullable=False))
    """The villages called; empty: the whole township."""
    message: str = Field(sa_column=Column(Text, nullable=False))
    latitude: float | None = None
    longitude: float | None = None
    meeting_place: str | None = Field(default=None, max_length=100)
    """Where to meet, as the sender typed it (村委会门口), when they gave no pin."""
    needed: int
    report_id: int | None = Field(default=None, foreign_key="report.id")
    critical: bool = False
    """Sent with paid broadcast when the deployment allows it (PAID_BROADCAST)."""
    drill: bool = False
    """Sent by a drill (演练, a plan response's): marked as one wherever it is listed or exported."""
    status: CalloutStatus = Field(sa_column=Column(StrEnumText(CalloutStatus, 16), nullable=False))
    version: int = 0
    notes_sent: int = 0
    """How many messages the sender sent to those on the way (each one's dedupe keys are numbered)."""
    created_at: datetime = Field(sa_type=UTCDateTime)
    reminded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """When those who had not answered were reminded (once)."""
    headcount_reached_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    stood_down_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class CalloutRecipient(SQLModel, table=True):
    """A member a call-out asked, and their answer: the first and the latest."""

    __tablename__ = "callout_recipient"
    __table_args__ = (
        UniqueConstraint("callout_id", "member_id"),
        Index("ix_callout_recipient_answer", "callout_id", "answer", "answered_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    callout_id: int = Field(foreign_key="callout.id")
    member_id: int = Field(foreign_key="member.id", index=True)
    answer: CalloutAnswer = Field(sa_column=Column(StrEnumText(CalloutAnswer, 16), nullable=False))
    first_answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Availability(SQLModel, table=True):
    """A volunteer's say on call-outs (`/available`); no row: available. `until`: when the say lapses."""

    __tablename__ = "availability"

    member_id: int = Field(primary_key=True, foreign_key="member.id")
    available: bool
    until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
