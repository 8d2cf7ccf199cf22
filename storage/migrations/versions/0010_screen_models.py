"""screen models: versioned learned screens and the hotline's verdicts on flagged messages

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 20:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "screen_models",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screen_models")),
        sa.UniqueConstraint("version", name=op.f("uq_screen_models_version")),
    )
    with op.batch_alter_table("screen_models", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_screen_models_active"), ["active"], unique=False)
    op.create_table(
        "screen_labels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_screen_labels_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screen_labels")),
    )
    with op.batch_alter_table("screen_labels", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_screen_labels_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    op.drop_table("screen_labels")
    op.drop_table("screen_models")
