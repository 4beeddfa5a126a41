"""webhook updates claimed before they are handled, so one posted several times is handled once

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from gridguard.db.types import UTCDateTime

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "claimed_update",
        sa.Column("update_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("claimed_until", UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_claimed_update_created_at", "claimed_update", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_claimed_update_created_at", "claimed_update")
    op.drop_table("claimed_update")
