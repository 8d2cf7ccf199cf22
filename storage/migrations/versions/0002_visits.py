"""visits: visit records and drafts

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("director_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("visit_date", sa.Date(), nullable=False),
        sa.Column("assessment", sa.String(length=10), nullable=False),
        sa.Column("checklist", sa.JSON(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("next_due", sa.Date(), nullable=False),
        sa.Column("dedup", sa.String(length=64), nullable=False),
        sa.Column("inbound_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["child_id"], ["children.id"], name=op.f("fk_visits_child_id_children")
        ),
        sa.ForeignKeyConstraint(
            ["director_id"], ["people.id"], name=op.f("fk_visits_director_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["inbound_id"],
            ["inbound_messages.id"],
            name=op.f("fk_visits_inbound_id_inbound_messages"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visits")),
        sa.UniqueConstraint("dedup", name=op.f("uq_visits_dedup")),
    )
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.create_index(
            op.f("ix_visits_child_latest"), ["child_id", "visit_date", "id"], unique=False
        )
        batch_op.create_index(
            op.f("ix_visits_director_last"), ["director_id", "created_at"], unique=False
        )

    op.create_table(
        "visit_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("director_id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["child_id"], ["children.id"], name=op.f("fk_visit_drafts_child_id_children")
        ),
        sa.ForeignKeyConstraint(
            ["director_id"], ["people.id"], name=op.f("fk_visit_drafts_director_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_drafts")),
        sa.UniqueConstraint("director_id", "child_id", name=op.f("uq_visit_drafts_director_id")),
    )


def downgrade() -> None:
    op.drop_table("visit_drafts")
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.drop_index(op.f("ix_visits_director_last"))
        batch_op.drop_index(op.f("ix_visits_child_latest"))
    op.drop_table("visits")
