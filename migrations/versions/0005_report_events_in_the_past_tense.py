"""report events named in the past tense

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 05:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RENAMED = {
    "acknowledge": "acknowledged",
    "assign": "assigned",
    "resolve": "resolved",
    "duplicate": "marked_duplicate",
    "reject": "rejected",
    "confirm": "confirmed_fixed",
    "reopen": "reopened",
}
EVENTS = sa.table("report_event", sa.column("kind", sa.String))


def rename(pairs: dict[str, str]) -> None:
    for old, new in pairs.items():
        op.execute(EVENTS.update().where(EVENTS.c.kind == old).values(kind=new))


def upgrade() -> None:
    rename(RENAMED)


def downgrade() -> None:
    rename({new: old for old, new in RENAMED.items()})
