"""volunteer call-outs: the alerts, their recipients and answers, and volunteers' availability

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from gridguard.db.types import UTCDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg,unused-ignore]
    return sa.Column(name, UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "callout",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("township_id", sa.Integer(), sa.ForeignKey("unit.id"), nullable=False),
        sa.Column("sender_id", sa.Integer(), sa.ForeignKey("member.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("villages", sa.JSON(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("needed", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), sa.ForeignKey("report.id"), nullable=True),
        sa.Column("critical", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("notes_sent", sa.Integer(), nullable=False),
        _when("created_at"),
        _when("reminded_at", nullable=True),
        _when("headcount_reached_at", nullable=True),
        _when("stood_down_at", nullable=True),
    )
    op.create_index("ix_callout_township_id", "callout", ["township_id"])
    op.create_table(
        "callout_recipient",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("callout_id", sa.Integer(), sa.ForeignKey("callout.id"), nullable=False),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("member.id"), nullable=False),
        sa.Column("answer", sa.String(16), nullable=False),
        _when("first_answered_at", nullable=True),
        _when("answered_at", nullable=True),
        sa.UniqueConstraint("callout_id", "member_id"),
    )
    op.create_index("ix_callout_recipient_answer", "callout_recipient", ["callout_id", "answer", "answered_at"])
    op.create_index("ix_callout_recipient_member_id", "callout_recipient", ["member_id"])
    op.create_table(
        "availability",
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("member.id"), primary_key=True),
        sa.Column("available", sa.Boolean(), nullable=False),
        _when("until", nullable=True),
        _when("updated_at"),
    )


def downgrade() -> None:
    for table in ("availability", "callout_recipient", "callout"):
        op.drop_table(table)
