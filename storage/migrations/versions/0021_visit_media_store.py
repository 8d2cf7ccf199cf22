"""visit_media: photos and voice notes kept in the media file store (issue 15)

`kind` (image | voice); what was stored (`stored_path`, `stored_type` read from the bytes,
`stored_size`, `sha256`, `fetched_at`) and the fetch job's bookkeeping (`fetch_attempts`,
`fetch_retry_at`, `fetch_error`). Rows recorded before this version are fetched too: their
retry time is their creation time.

Revision ID: 0021_visit_media_store
Revises: 0020_catalog_key_names
Create Date: 2026-12-02 06:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021_visit_media_store"
down_revision = "0020_catalog_key_names"
branch_labels = None
depends_on = None

COLUMNS = (
    "kind",
    "stored_path",
    "stored_type",
    "stored_size",
    "sha256",
    "fetched_at",
    "fetch_attempts",
    "fetch_retry_at",
    "fetch_error",
)


def upgrade() -> None:
    with op.batch_alter_table("visit_media", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=8), nullable=False, server_default="image")
        )
        batch_op.add_column(sa.Column("stored_path", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("stored_type", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("stored_size", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("sha256", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("fetch_attempts", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("fetch_retry_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("fetch_error", sa.String(length=32), nullable=True))
        batch_op.create_index("ix_visit_media_fetch", ["fetch_retry_at"], unique=False)
    op.execute(sa.text("UPDATE visit_media SET fetch_retry_at = created_at"))


def downgrade() -> None:
    with op.batch_alter_table("visit_media", schema=None) as batch_op:
        batch_op.drop_index("ix_visit_media_fetch")
        for name in reversed(COLUMNS):
            batch_op.drop_column(name)
