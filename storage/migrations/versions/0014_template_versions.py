"""template versions: every registry change kept (who, when, what); a sent message names
the template version it used

Revision ID: 0014_template_versions
Revises: 0013_safety_path2
Create Date: 2026-12-01 23:35:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_template_versions"
down_revision = "0013_safety_path2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sms_templates", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("version", sa.Integer(), nullable=False, server_default="1")
        )
    op.create_table(
        "sms_template_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
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
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("restored_from", sa.Integer(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["sms_templates.id"],
            name=op.f("fk_sms_template_versions_template_id_sms_templates"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_template_versions")),
        sa.UniqueConstraint(
            "template_id", "version", name=op.f("uq_sms_template_versions_template_id")
        ),
    )
    with op.batch_alter_table("sms_template_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sms_template_versions_template_id"), ["template_id"], unique=False
        )
    # what the registry holds today is each entry's version 1
    op.execute(
        "INSERT INTO sms_template_versions (template_id, version, key, provider, template_code,"
        " sign_name, text, variables, template_class, status, review_note, scene_note, changes,"
        " changed_at, changed_by)"
        " SELECT id, 1, key, provider, template_code, sign_name, text, variables,"
        " template_class, status, review_note, scene_note, '[\"created\"]', updated_at, updated_by"
        " FROM sms_templates"
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("template_version_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_outbox_template_version_id"), ["template_version_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_outbox_template_version_id_sms_template_versions"),
            "sms_template_versions",
            ["template_version_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_outbox_template_version_id_sms_template_versions"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_outbox_template_version_id"))
        batch_op.drop_column("template_version_id")
    with op.batch_alter_table("sms_template_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sms_template_versions_template_id"))
    op.drop_table("sms_template_versions")
    with op.batch_alter_table("sms_templates", schema=None) as batch_op:
        batch_op.drop_column("version")
