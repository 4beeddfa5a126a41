"""meeting, inspection and drill reminders: rules, occurrences and their records, RSVPs, loaded holidays

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 09:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from gridguard.db.types import UTCDateTime

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg,unused-ignore]
    return sa.Column(name, UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "holiday_day",
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("off", sa.Boolean(), nullable=False),
        sa.Column("name", sa.String(40), nullable=False),
    )
    op.create_table(
        "reminder_rule",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("township_id", sa.Integer(), sa.ForeignKey("unit.id"), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("title", sa.String(60), nullable=False),
        sa.Column("rrule", sa.String(200), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("holidays", sa.String(8), nullable=False),
        sa.Column("place", sa.String(100), nullable=True),
        sa.Column("audience", sa.JSON(), nullable=False),
        sa.Column("leads", sa.JSON(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _when("created_at"),
        _when("updated_at"),
    )
    op.create_index("ix_reminder_rule_township_id", "reminder_rule", ["township_id"])
    op.create_table(
        "reminder_setup",
        sa.Column("township_id", sa.Integer(), sa.ForeignKey("unit.id"), primary_key=True),
        _when("seeded_at"),
    )
    op.create_table(
        "reminder_occurrence",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("rule_id", sa.Integer(), sa.ForeignKey("reminder_rule.id"), nullable=False),
        _when("planned_for"),
        _when("happens_at"),
        sa.Column("held", sa.Boolean(), nullable=True),
        sa.Column("attended", sa.JSON(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("photos", sa.JSON(), nullable=True),
        sa.Column("scenario", sa.Text(), nullable=True),
        sa.Column("problems", sa.Text(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), sa.ForeignKey("member.id"), nullable=True),
        _when("recorded_at", nullable=True),
        sa.UniqueConstraint("rule_id", "planned_for"),
    )
    op.create_index("ix_reminder_occurrence_rule_id", "reminder_occurrence", ["rule_id"])
    op.create_table(
        "rsvp",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("occurrence_id", sa.Integer(), sa.ForeignKey("reminder_occurrence.id"), nullable=False),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("member.id"), nullable=False),
        sa.Column("answer", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(200), nullable=True),
        _when("answered_at"),
        sa.UniqueConstraint("occurrence_id", "member_id"),
    )
    op.create_index("ix_rsvp_occurrence_id", "rsvp", ["occurrence_id"])


def downgrade() -> None:
    for table in ("rsvp", "reminder_occurrence", "reminder_setup", "reminder_rule", "holiday_day"):
        op.drop_table(table)
