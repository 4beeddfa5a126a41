"""Hazard reports, their evidence, their history, drafts and the township's timeouts."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from gridguard.db.types import StrEnumText, UTCDateTime
from gridguard.directory.tables import DirectoryRow
from gridguard.reports.enums import Category, ReportEventKind, ReportStatus, Severity


class Report(SQLModel, table=True):
    """A hazard (隐患) reported from the field, with where it stands in escalation and its lifecycle."""

    __tablename__ = "report"
    __table_args__ = (
        Index("ix_report_escalation_due", "status", "next_escalation_at"),
        Index("ix_report_renotify_due", "status", "next_renotify_at"),
        Index("ix_report_backup_due", "status", "backup_due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True, index=True)
    township_id: int = Field(foreign_key="unit.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    village_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    reporter_id: int = Field(foreign_key="member.id", index=True)
    category: Category = Field(sa_column=Column(StrEnumText(Category, 32), nullable=False))
    severity: Severity = Field(sa_column=Column(StrEnumText(Severity, 16), nullable=False))
    description: str | None = Field(default=None, sa_column=Column(Text))
    voice_file_id: str | None = Field(default=None, max_length=200)
    latitude: float | None = None
    longitude: float | None = None
    status: ReportStatus = Field(sa_column=Column(StrEnumText(ReportStatus, 16), nullable=False, index=True))
    escalation_step: int = 0
    escalation_started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    next_escalation_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    renotify_count: int = 0
    duty_primary_id: int | None = Field(default=None, foreign_key="member.id")
    """Who was primary on duty when step 1 reached the report: theirs until acknowledged or moved on."""
    duty_backup_id: int | None = Field(default=None, foreign_key="member.id")
    backup_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """When the backup on duty gets the card, if nobody has acknowledged."""
    next_renotify_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    acknowledged_by_id: int | None = Field(default=None, foreign_key="member.id")
    acknowledged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    assigned_to_id: int | None = Field(default=None, foreign_key="member.id")
    duplicate_of_id: int | None = Field(default=None, foreign_key="report.id")
    resolution_note: str | None = Field(default=None, sa_column=Column(Text))
    resolution_photo: str | None = Field(default=None, max_length=200)
    reject_reason: str | None = Field(default=None, max_length=500)
    close_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    version: int = 0
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class ReportMedia(SQLModel, table=True):
    __tablename__ = "report_media"

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="report.id", index=True)
    kind: str = Field(max_length=8)
    file_id: str = Field(max_length=200)
    position: int = 0


class ReportEvent(SQLModel, table=True):
    """The audit trail: who changed what, when, from which status to which, with a note."""

    __tablename__ = "report_event"

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="report.id", index=True)
    actor_id: int | None = Field(default=None, foreign_key="member.id")
    kind: ReportEventKind = Field(sa_column=Column(StrEnumText(ReportEventKind, 24), nullable=False))
    from_status: ReportStatus | None = Field(default=None, sa_column=Column(StrEnumText(ReportStatus, 16)))
    to_status: ReportStatus | None = Field(default=None, sa_column=Column(StrEnumText(ReportStatus, 16)))
    note: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(sa_type=UTCDateTime)


class ReportCounter(SQLModel, table=True):
    """The sequence behind report codes, per township and month."""

    __tablename__ = "report_counter"
    __table_args__ = (UniqueConstraint("township_id", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    township_id: int = Field(foreign_key="unit.id")
    period: str = Field(max_length=8)
    last: int = 0


class ReportDraft(SQLModel, table=True):
    """A report being filled in: kept in the database so a restart loses nothing and silence can expire it."""

    __tablename__ = "report_draft"

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", unique=True)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(sa_type=UTCDateTime, index=True)


class PolicyOverride(DirectoryRow, SQLModel, table=True):
    """A township's own acknowledgement timeout for one severity and step, within the policy's bounds."""

    __tablename__ = "policy_override"
    __table_args__ = (UniqueConstraint("township_id", "severity", "step"),)

    id: int | None = Field(default=None, primary_key=True)
    township_id: int = Field(foreign_key="unit.id")
    severity: str = Field(max_length=16)
    step: int
    seconds: int
