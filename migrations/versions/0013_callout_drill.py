"""a call-out sent by a drill is marked as one

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 00:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("callout") as batch:
        batch.add_column(sa.Column("drill", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("callout") as batch:
        batch.drop_column("drill")
