"""a group chat serves one station

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 04:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("station_group", schema=None) as batch_op:
        batch_op.create_index("ix_station_group_chat_id", ["chat_id"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("station_group", schema=None) as batch_op:
        batch_op.drop_index("ix_station_group_chat_id")
