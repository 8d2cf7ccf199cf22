"""safety path 2: opt-out per person (STOP on one channel stops reminders and digests on all)

Revision ID: 0013_safety_path2
Revises: 0012_failed_updates
Create Date: 2026-12-01 23:40:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_safety_path2"
down_revision = "0012_failed_updates"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(sa.Column("opted_out_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("opted_out_at")
