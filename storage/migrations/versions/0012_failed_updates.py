"""failed Telegram updates: a table instead of the poller's memory

Revision ID: 0012_failed_updates
Revises: 0011
Create Date: 2026-12-01 23:50:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_failed_updates"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "telegram_failed_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("update_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("error", sa.String(length=64), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolution", sa.String(length=16), nullable=True),
        sa.Column("resolved_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_telegram_failed_updates")),
        sa.UniqueConstraint("update_id", name=op.f("uq_telegram_failed_updates_update_id")),
    )
    with op.batch_alter_table("telegram_failed_updates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_telegram_failed_updates_failed_at"), ["failed_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("telegram_failed_updates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_telegram_failed_updates_failed_at"))
    op.drop_table("telegram_failed_updates")
