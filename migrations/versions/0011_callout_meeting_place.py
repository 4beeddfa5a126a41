"""a call-out's meeting place in words, beside (or instead of) its pin

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 06:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("callout") as batch:
        batch.add_column(sa.Column("meeting_place", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("callout") as batch:
        batch.drop_column("meeting_place")
