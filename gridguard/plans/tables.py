"""Contingency plans and the responses run from them: a township's plan per hazard, each response with the plan as
it stood when it started, its tasks, the call-outs it sent and its situation log."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from gridguard.db.types import StrEnumText, UTCDateTime
from gridguard.directory.enums import Role
from gridguard.plans.enums import LogKind, PlanHazard, ResponseLevel, ResponseStatus, TaskStatus


class Plan(SQLModel, table=True):
    """A township's plan for one hazard, or one a county publishes for its townships to adopt: the document as
    imported or edited (plan_document.PlanDocument)."""

    __tablename__ = "plan"
    __table_args__ = (UniqueConstraint("unit_id", "hazard"),)

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    """The township it is run in, or the county publishing it."""
    hazard: PlanHazard = Field(sa_column=Column(StrEnumText(PlanHazard, 16), nullable=False))
    name: str = Field(max_length=60)
    document: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    version: int = 0
    updated_by_id: int | None = Field(default=None, foreign_key="member.id")
    updated_at: datetime = Field(sa_type=UTCDateTime)


LIVE_CONDITION = "status IN ('proposed', 'active')"
"""A township runs one live response per hazard: two starts at once (two instances, a double tap) make one."""


class Response(SQLModel, table=True):
    """One run of a plan (应急响应), from its proposal or start to its end; a drill (演练) is one too."""

    __tablename__ = "plan_response"
    __table_args__ = (
        Index("ix_plan_response_township_status", "township_id", "status"),
        Index(
            "uq_plan_response_live",
            "township_id",
            "hazard",
            unique=True,
            sqlite_where=text(LIVE_CONDITION),
            postgresql_where=text(LIVE_CONDITION),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    township_id: int = Field(foreign_key="unit.id")
    plan_id: int = Field(foreign_key="plan.id")
    hazard: PlanHazard = Field(sa_column=Column(StrEnumText(PlanHazard, 16), nullable=False))
    document: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    """The plan as it stood when the response was proposed: editing the plan changes no running response."""
    level: ResponseLevel = Field(sa_column=Column(StrEnumText(ResponseLevel, 4), nullable=False))
    proposed_level: ResponseLevel | None = Field(default=None, sa_column=Column(StrEnumText(ResponseLevel, 4)))
    """A change of level to Ⅱ or Ⅰ waiting for a head's confirmation (or the start, while PROPOSED)."""
    proposal_id: int | None = None
    """The log entry of the proposal waiting (its buttons carry its id; a decided one's buttons decide nothing)."""
    status: ResponseStatus = Field(sa_column=Column(StrEnumText(ResponseStatus, 16), nullable=False))
    drill: bool = False
    started_by_id: int = Field(foreign_key="member.id")
    proposed_by_id: int | None = Field(default=None, foreign_key="member.id")
    confirmed_by_id: int | None = Field(default=None, foreign_key="member.id")
    card_chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    """Where the progress card is kept: the station's group, or the starter's chat when it has none."""
    version: int = 0
    changes: int = 0
    """How many times the level changed (each change's messages are keyed by its number)."""
    created_at: datetime = Field(sa_type=UTCDateTime)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    next_report_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reports_due: int = 0
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    summary: str | None = Field(default=None, sa_column=Column(Text))


class ResponseTask(SQLModel, table=True):
    """A task the response handed to one member: done (with a note), can't (with a reason), or withdrawn."""

    __tablename__ = "plan_task"
    __table_args__ = (
        UniqueConstraint("response_id", "member_id", "key"),
        Index("ix_plan_task_due", "status", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    response_id: int = Field(foreign_key="plan_response.id", index=True)
    member_id: int = Field(foreign_key="member.id")
    key: str = Field(max_length=100)
    title: str = Field(max_length=60)
    role: Role = Field(sa_column=Column(StrEnumText(Role, 24), nullable=False))
    unit_id: int = Field(foreign_key="unit.id")
    """The unit the member holds the role on (their village, for a village officer)."""
    status: TaskStatus = Field(sa_column=Column(StrEnumText(TaskStatus, 16), nullable=False))
    due_at: datetime = Field(sa_type=UTCDateTime)
    note: str | None = Field(default=None, max_length=500)
    photo_file_id: str | None = Field(default=None, max_length=200)
    escalated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ResponseCallout(SQLModel, table=True):
    """A call-out the response sent (at its start, or when the level went up)."""

    __tablename__ = "plan_callout"

    response_id: int = Field(foreign_key="plan_response.id", primary_key=True)
    callout_id: int = Field(foreign_key="callout.id", primary_key=True)
    level: ResponseLevel = Field(sa_column=Column(StrEnumText(ResponseLevel, 4), nullable=False))


class LogEntry(SQLModel, table=True):
    """A line of the situation log (ICS-214 style): when, who, what."""

    __tablename__ = "plan_log"

    id: int | None = Field(default=None, primary_key=True)
    response_id: int = Field(foreign_key="plan_response.id", index=True)
    at: datetime = Field(sa_type=UTCDateTime)
    member_id: int | None = Field(default=None, foreign_key="member.id")
    kind: LogKind = Field(sa_column=Column(StrEnumText(LogKind, 16), nullable=False))
    text: str = Field(sa_column=Column(Text, nullable=False))
    file_id: str | None = Field(default=None, max_length=200)
    """A photo or voice note sent with a typed entry (its Telegram file id)."""
