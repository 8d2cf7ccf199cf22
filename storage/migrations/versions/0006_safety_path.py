"""safety path: a case can be marked as needing review (the screen's "review" outcome); the
SLA watchdog's next step is kept apart from the acknowledgement deadline (a breach stays one)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 20:10:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(
            sa.Column("needs_review", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("next_check_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("next_check_at")
        batch.drop_column("needs_review")
