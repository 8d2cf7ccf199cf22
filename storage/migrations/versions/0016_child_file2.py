"""child file, part 2: work log / support / problems, supervisor review of visits, guardian
consent on the child, a reason for do-not-contact

Revision ID: 0016_child_file2
Revises: 0015_visit_cadence
Create Date: 2026-12-01 23:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0016_child_file2"
down_revision = "0015_visit_cadence"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "child_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("resolved_by", sa.String(length=64), nullable=True),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["child_id"], ["children.id"], name=op.f("fk_child_notes_child_id_children")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_child_notes")),
    )
    op.create_index("ix_child_notes_child", "child_notes", ["child_id", "created_at"])
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.add_column(sa.Column("review_status", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("review_comment", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("reviewed_by", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("reviewed_at", UTCDateTime(), nullable=True))
    with op.batch_alter_table("children", schema=None) as batch_op:
        batch_op.add_column(sa.Column("consent_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("consent_method", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("consent_guardian_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("consent_recorded_by", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("consent_requested_at", UTCDateTime(), nullable=True))
        batch_op.create_foreign_key(
            "fk_children_consent_guardian_id_people", "people", ["consent_guardian_id"], ["id"]
        )
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("do_not_contact_reason", sa.String(length=200), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("do_not_contact_reason")
    with op.batch_alter_table("children", schema=None) as batch_op:
        batch_op.drop_constraint("fk_children_consent_guardian_id_people", type_="foreignkey")
        batch_op.drop_column("consent_requested_at")
        batch_op.drop_column("consent_recorded_by")
        batch_op.drop_column("consent_guardian_id")
        batch_op.drop_column("consent_method")
        batch_op.drop_column("consent_at")
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.drop_column("reviewed_at")
        batch_op.drop_column("reviewed_by")
        batch_op.drop_column("review_comment")
        batch_op.drop_column("review_status")
    op.drop_table("child_notes")
