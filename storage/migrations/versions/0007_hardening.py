"""hardening: inbound retry bookkeeping, sign-in throttle, no Telegram group links

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 20:05:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inbound_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attempts", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("retry_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("screened_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(
            "ix_inbound_pending", ["processed_at", "failed_at", "received_at"], unique=False
        )
    # A Telegram group chat (negative id) is never anyone's identity: drop such links.
    op.execute(
        "UPDATE channel_addresses SET person_id = NULL "
        "WHERE channel = 'telegram' AND address LIKE '-%'"
    )
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_throttle")),
    )


def downgrade() -> None:
    op.drop_table("login_throttle")
    with op.batch_alter_table("inbound_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_inbound_pending")
        batch_op.drop_column("failed_at")
        batch_op.drop_column("screened_at")
        batch_op.drop_column("retry_at")
        batch_op.drop_column("attempts")
