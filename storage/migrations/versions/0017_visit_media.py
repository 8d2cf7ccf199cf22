"""media by reference: the media of an inbound message (provider id/URL, type, size) on its
row, never fetched at receipt

Revision ID: 0017_visit_media
Revises: 0016_child_file2
Create Date: 2026-12-02 00:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_visit_media"
down_revision = "0016_child_file2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inbound_messages") as batch:
        batch.add_column(sa.Column("media", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("inbound_messages") as batch:
        batch.drop_column("media")
