"""visit cadence by region and risk: a child's two visit clocks, risks, follow-up, info update;
and the holiday arrangements administrators import (one row per year)

The last home visit and the last contact are filled in from the visits already stored.

Revision ID: 0015_visit_cadence
Revises: 0014_template_versions
Create Date: 2026-12-01 23:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_visit_cadence"
down_revision = "0014_template_versions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("children", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_home_visit_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("last_contact_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("visit_risks", sa.JSON(), nullable=False, server_default="[]")
        )
        batch_op.add_column(sa.Column("followup_due", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("info_updated_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("carried_visit_due", sa.Date(), nullable=True))
    op.create_table(
        "holiday_arrangements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("year"),
    )
    op.execute(
        "UPDATE children SET"
        " last_contact_on = (SELECT max(v.visit_date) FROM visits v WHERE v.child_id = children.id),"
        " last_home_visit_on = (SELECT max(v.visit_date) FROM visits v"
        " WHERE v.child_id = children.id AND v.kind = 'home')"
    )


def downgrade() -> None:
    op.drop_table("holiday_arrangements")
    with op.batch_alter_table("children", schema=None) as batch_op:
        batch_op.drop_column("carried_visit_due")
        batch_op.drop_column("info_updated_on")
        batch_op.drop_column("followup_due")
        batch_op.drop_column("visit_risks")
        batch_op.drop_column("last_contact_on")
        batch_op.drop_column("last_home_visit_on")
