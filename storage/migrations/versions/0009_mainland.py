"""mainland: SMS template registry, shared provider tokens, SMS delivery receipts

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 20:10:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sms_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("template_code", sa.String(length=64), nullable=False),
        sa.Column("sign_name", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("variables", sa.JSON(), nullable=False),
        sa.Column("template_class", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("review_note", sa.Text(), nullable=True),
        sa.Column("scene_note", sa.Text(), nullable=True),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_templates")),
        sa.UniqueConstraint("key", "provider", name=op.f("uq_sms_templates_key")),
    )
    with op.batch_alter_table("sms_templates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sms_templates_key"), ["key"], unique=False)
    op.create_table(
        "provider_tokens",
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_provider_tokens")),
    )
    op.create_table(
        "sms_receipts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("dedup_key", sa.String(length=200), nullable=False),
        sa.Column("provider_id", sa.String(length=64), nullable=True),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["outbox_id"], ["outbox.id"], name=op.f("fk_sms_receipts_outbox_id_outbox")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_receipts")),
        sa.UniqueConstraint("dedup_key", name=op.f("uq_sms_receipts_dedup_key")),
    )
    with op.batch_alter_table("sms_receipts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sms_receipts_outbox_id"), ["outbox_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_sms_receipts_provider_id"), ["provider_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("sms_receipts")
    op.drop_table("provider_tokens")
    with op.batch_alter_table("sms_templates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sms_templates_key"))
    op.drop_table("sms_templates")
