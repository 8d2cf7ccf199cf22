"""outbox rows by the inbound message they answer, and inbound messages by address and time:
the reply-loop guard looks up what was answered to the same text from one address (issue 13's query-plan test found a full scan)

Revision ID: 0018_outbox_inbound_index
Revises: 0017_visit_media
Create Date: 2026-12-02 01:30:00
"""
from __future__ import annotations

from alembic import op

revision = "0018_outbox_inbound_index"
down_revision = "0017_visit_media"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_inbound_id"), ["inbound_id"], unique=False)
    with op.batch_alter_table("inbound_messages", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inbound_by_address", ["channel", "address", "received_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("inbound_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_inbound_by_address")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_inbound_id"))
