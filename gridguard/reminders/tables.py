"""Meeting, inspection and drill reminders: the rules, the occurrences people answered, their answers, and the
public holidays an administrator loaded for years the holiday package does not know yet."""

from datetime import date, datetime

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from gridguard.db.types import StrEnumText, UTCDateTime
from gridguard.reminders.enums import HolidayHandling, RsvpAnswer, RuleKind, RuleStatus


class ReminderRule(SQLModel, table=True):
    """A township's recurring meeting, inspection or drill: an RFC 5545 RRULE in local time from `starts_on`."""

    __tablename__ = "reminder_rule"

    id: int | None = Field(default=None, primary_key=True)
    township_id: int = Field(foreign_key="unit.id", index=True)
    kind: RuleKind = Field(sa_column=Column(StrEnumText(RuleKind, 24), nullable=False))
    title: str = Field(max_length=60)
    rrule: str = Field(max_length=200)
    starts_on: date
    holidays: HolidayHandling = Field(sa_column=Column(StrEnumText(HolidayHandling, 8), nullable=False))
    place: str | None = Field(default=None, max_length=100)
    audience: list[str] = Field(sa_column=Column(JSON, nullable=False))
    """The roles reminded, on the township and its villages."""
    leads: list[int] = Field(sa_column=Column(JSON, nullable=False))
    """Minutes before an occurrence at which its reminders go, largest first."""
    duration_minutes: int = 60
    status: RuleStatus = Field(sa_column=Column(StrEnumText(RuleStatus, 8), nullable=False))
    version: int = 0
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class RuleSetup(SQLModel, table=True):
    """The township got its default rules once (deleting them does not bring them back)."""

    __tablename__ = "reminder_setup"

    township_id: int = Field(primary_key=True, foreign_key="unit.id")
    seeded_at: datetime = Field(sa_type=UTCDateTime)


class Occurrence(SQLModel, table=True):
    """One occurrence of a rule that reminders went out for: what RSVPs and the roll hang on."""

    __tablename__ = "reminder_occurrence"
    __table_args__ = (UniqueConstraint("rule_id", "planned_for"),)

    id: int | None = Field(default=None, primary_key=True)
    rule_id: int = Field(foreign_key="reminder_rule.id", index=True)
    planned_for: datetime = Field(sa_type=UTCDateTime)
    """When the rule put it, before a holiday moved it: what names the occurrence."""
    happens_at: datetime = Field(sa_type=UTCDateTime)
    held: bool | None = None
    """What the organiser recorded afterwards: held, not held, or nothing yet (None)."""
    attended: list[int] | None = Field(default=None, sa_column=Column(JSON))
    """Members who attended, as recorded (pre-filled from the RSVPs)."""
    notes: str | None = Field(default=None, sa_column=Column(Text))
    photos: list[str] | None = Field(default=None, sa_column=Column(JSON))
    scenario: str | None = Field(default=None, sa_column=Column(Text))
    """A drill's scenario."""
    problems: str | None = Field(default=None, sa_column=Column(Text))
    """What a drill showed needs fixing."""
    recorded_by_id: int | None = Field(default=None, foreign_key="member.id")
    recorded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Rsvp(SQLModel, table=True):
    __tablename__ = "rsvp"
    __table_args__ = (UniqueConstraint("occurrence_id", "member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    occurrence_id: int = Field(foreign_key="reminder_occurrence.id", index=True)
    member_id: int = Field(foreign_key="member.id")
    answer: RsvpAnswer = Field(sa_column=Column(StrEnumText(RsvpAnswer, 16), nullable=False))
    reason: str | None = Field(default=None, max_length=200)
    answered_at: datetime = Field(sa_type=UTCDateTime)


class HolidayDay(SQLModel, table=True):
    """A day an administrator's holiday file (holiday-cn format) names: off (a public holiday) or a make-up
    working day (调休). Read before the chinese-calendar package."""

    __tablename__ = "holiday_day"

    day: date = Field(primary_key=True)
    off: bool
    name: str = Field(max_length=40)
