"""contingency plans and the responses run from them: tasks, call-outs, the situation log

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 00:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from gridguard.db.types import UTCDateTime

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg,unused-ignore]
    return sa.Column(name, UTCDateTime(timezone=True), nullable=nullable)


def _id(name: str, table: str, nullable: bool = False, key: bool = False) -> sa.Column:  # type: ignore[type-arg,unused-ignore]
    """A column referring to `table`'s id (part of the primary key when `key`)."""
    return sa.Column(name, sa.Integer(), sa.ForeignKey(f"{table}.id"), nullable=nullable, primary_key=key)


def upgrade() -> None:
    op.create_table(
        "plan",
        sa.Column("id", sa.Integer(), primary_key=True),
        _id("unit_id", "unit"),
        sa.Column("hazard", sa.String(16), nullable=False),
        sa.Column("name", sa.String(60), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _id("updated_by_id", "member", nullable=True),
        _when("updated_at"),
        sa.UniqueConstraint("unit_id", "hazard"),
    )
    op.create_index("ix_plan_unit_id", "plan", ["unit_id"])
    op.create_table(
        "plan_response",
        sa.Column("id", sa.Integer(), primary_key=True),
        _id("township_id", "unit"),
        _id("plan_id", "plan"),
        sa.Column("hazard", sa.String(16), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("level", sa.String(4), nullable=False),
        sa.Column("proposed_level", sa.String(4), nullable=True),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("drill", sa.Boolean(), nullable=False),
        _id("started_by_id", "member"),
        _id("proposed_by_id", "member", nullable=True),
        _id("confirmed_by_id", "member", nullable=True),
        sa.Column("card_chat_id", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changes", sa.Integer(), nullable=False),
        _when("created_at"),
        _when("started_at", nullable=True),
        _when("next_report_at", nullable=True),
        sa.Column("reports_due", sa.Integer(), nullable=False),
        _when("ended_at", nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
    )
    op.create_index("ix_plan_response_township_status", "plan_response", ["township_id", "status"])
    live = sa.text("status IN ('proposed', 'active')")
    op.create_index(
        "uq_plan_response_live",
        "plan_response",
        ["township_id", "hazard"],
        unique=True,
        sqlite_where=live,
        postgresql_where=live,
    )
    op.create_table(
        "plan_task",
        sa.Column("id", sa.Integer(), primary_key=True),
        _id("response_id", "plan_response"),
        _id("member_id", "member"),
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("title", sa.String(60), nullable=False),
        sa.Column("role", sa.String(24), nullable=False),
        _id("unit_id", "unit"),
        sa.Column("status", sa.String(16), nullable=False),
        _when("due_at"),
        sa.Column("note", sa.String(500), nullable=True),
        sa.Column("photo_file_id", sa.String(200), nullable=True),
        _when("escalated_at", nullable=True),
        _when("created_at"),
        _when("closed_at", nullable=True),
        sa.UniqueConstraint("response_id", "member_id", "key"),
    )
    op.create_index("ix_plan_task_response_id", "plan_task", ["response_id"])
    op.create_index("ix_plan_task_due", "plan_task", ["status", "due_at"])
    op.create_table(
        "plan_callout",
        _id("response_id", "plan_response", key=True),
        _id("callout_id", "callout", key=True),
        sa.Column("level", sa.String(4), nullable=False),
    )
    op.create_table(
        "plan_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        _id("response_id", "plan_response"),
        _when("at"),
        _id("member_id", "member", nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("file_id", sa.String(200), nullable=True),
    )
    op.create_index("ix_plan_log_response_id", "plan_log", ["response_id"])


def downgrade() -> None:
    for table in ("plan_log", "plan_callout", "plan_task", "plan_response", "plan"):
        op.drop_table(table)
