"""The outbox: every message the bot sends on its own initiative, written with the change that causes it."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Enum, Index
from sqlmodel import Field, SQLModel

from gridguard.db.types import UTCDateTime
from gridguard.delivery.enums import DeliveryStatus


class Notification(SQLModel, table=True):
    """One logical message (or one edit of a sent message) to one chat.

    `dedupe_key` is unique per logical notification, so a retried job never queues it twice.
    An edit row (`edit_of_id` set) targets the message another row sent; new content for a pending edit
    bumps `revision`, so an edit in flight never overwrites newer content.
    """

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_due", "status", "priority", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str = Field(max_length=200, unique=True)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    member_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    topic: str | None = Field(default=None, max_length=64, index=True)
    """What the message is about (e.g. `report:12`), so every card about it can be edited together."""
    priority: int = 1
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    edit_of_id: int | None = Field(default=None, foreign_key="notification.id", index=True)
    revision: int = 0
    status: DeliveryStatus = Field(
        sa_column=Column(
            Enum(
                DeliveryStatus,
                name="delivery_status",
                native_enum=False,
                values_callable=lambda e: [m.value for m in e],
            ),
            nullable=False,
        )
    )
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_type=UTCDateTime)
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    claimed_by: str | None = Field(default=None, max_length=64)
    last_error: str | None = Field(default=None, max_length=500)
    last_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sent_message_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    created_at: datetime = Field(sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
