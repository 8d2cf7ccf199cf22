"""media by reference: the media of an inbound message (provider id/URL, type, size) on its
row, never fetched at receipt; visit_media: a director's photos attached to a visit, by reference

Revision ID: 0017_visit_media
Revises: 0016_child_file2
Create Date: 2026-12-02 00:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0017_visit_media"
down_revision = "0016_child_file2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inbound_messages") as batch:
        batch.add_column(sa.Column("media", sa.JSON(), nullable=True))
    op.create_table(
        "visit_media",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=True),
        sa.Column("director_id", sa.Integer(), nullable=False),
        sa.Column("inbound_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("ref", sa.Text(), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name="fk_visit_media_visit_id_visits", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["director_id"], ["people.id"], name="fk_visit_media_director_id_people"
        ),
        sa.ForeignKeyConstraint(
            ["inbound_id"],
            ["inbound_messages.id"],
            name="fk_visit_media_inbound_id_inbound_messages",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_visit_media"),
        sa.UniqueConstraint("inbound_id", "ref", name="uq_visit_media_inbound_id"),
    )
    op.create_index("ix_visit_media_pending", "visit_media", ["director_id", "visit_id"])
    op.create_index("ix_visit_media_visit_id", "visit_media", ["visit_id"])
    op.create_index("ix_visit_media_created_at", "visit_media", ["created_at"])


def downgrade() -> None:
    op.drop_table("visit_media")
    with op.batch_alter_table("inbound_messages") as batch:
        batch.drop_column("media")
