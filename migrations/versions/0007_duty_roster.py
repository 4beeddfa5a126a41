"""the duty roster: rotations, covers, swaps, who holds a report's step 1, and how far clock sweeps have looked

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 08:40:47
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from gridguard.db.types import UTCDateTime

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _member(name: str, nullable: bool = True) -> sa.Column:  # type: ignore[type-arg,unused-ignore]
    return sa.Column(name, sa.Integer(), sa.ForeignKey("member.id"), nullable=nullable)


def _township() -> sa.Column:  # type: ignore[type-arg,unused-ignore]
    return sa.Column("township_id", sa.Integer(), sa.ForeignKey("unit.id"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "sweep_mark",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("swept_until", UTCDateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "duty_cover",
        sa.Column("id", sa.Integer(), primary_key=True),
        _township(),
        sa.Column("layer", sa.String(16), nullable=False),
        _member("member_id", nullable=False),
        sa.Column("starts_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("cancelled_at", UTCDateTime(timezone=True), nullable=True),
        _member("created_by_id"),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_duty_cover_member_id", "duty_cover", ["member_id"])
    op.create_index("ix_duty_cover_period", "duty_cover", ["township_id", "layer", "ends_at"])
    op.create_table(
        "duty_rotation",
        sa.Column("id", sa.Integer(), primary_key=True),
        _township(),
        sa.Column("layer", sa.String(16), nullable=False),
        sa.Column("pattern", sa.String(24), nullable=False),
        sa.Column("handoff_minutes", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("member_ids", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _member("updated_by_id"),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("township_id", "layer"),
    )
    op.create_index("ix_duty_rotation_township_id", "duty_rotation", ["township_id"])
    op.create_table(
        "shift_swap",
        sa.Column("id", sa.Integer(), primary_key=True),
        _township(),
        sa.Column("layer", sa.String(16), nullable=False),
        _member("offered_by_id", nullable=False),
        _member("offered_to_id"),
        sa.Column("starts_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        _member("taken_by_id"),
        sa.Column("cover_id", sa.Integer(), sa.ForeignKey("duty_cover.id"), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_shift_swap_township_id", "shift_swap", ["township_id"])
    with op.batch_alter_table("report") as batch:
        batch.add_column(sa.Column("duty_primary_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("duty_backup_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("backup_due_at", UTCDateTime(timezone=True), nullable=True))
        batch.create_index("ix_report_backup_due", ["status", "backup_due_at"])
        batch.create_foreign_key("fk_report_duty_primary", "member", ["duty_primary_id"], ["id"])
        batch.create_foreign_key("fk_report_duty_backup", "member", ["duty_backup_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("report") as batch:
        batch.drop_constraint("fk_report_duty_backup", type_="foreignkey")
        batch.drop_constraint("fk_report_duty_primary", type_="foreignkey")
        batch.drop_index("ix_report_backup_due")
        batch.drop_column("backup_due_at")
        batch.drop_column("duty_backup_id")
        batch.drop_column("duty_primary_id")
    for table in ("shift_swap", "duty_rotation", "duty_cover", "sweep_mark"):
        op.drop_table(table)
