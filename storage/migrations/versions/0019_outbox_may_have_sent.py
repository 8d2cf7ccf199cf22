"""outbox.may_have_sent: a failed attempt may have reached the provider (a timeout, a 5xx),
so a later send of the row can be a duplicate (issue 14: recorded, no longer only logged)

Revision ID: 0019_outbox_may_have_sent
Revises: 0018_outbox_inbound_index
Create Date: 2026-12-02 03:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019_outbox_may_have_sent"
down_revision = "0018_outbox_inbound_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("may_have_sent", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("may_have_sent")
