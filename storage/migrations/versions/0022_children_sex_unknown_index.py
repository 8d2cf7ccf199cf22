"""children without a recorded sex, by birth date (a partial index): the planner's
sex-unknown warning counted them by walking every child born in a 10-year window, the one
planner query that grew with the children registered (issue 13, target 6)

Revision ID: 0022_children_sex_unknown_index
Revises: 0021_visit_media_store
Create Date: 2026-12-02 07:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022_children_sex_unknown_index"
down_revision = "0021_visit_media_store"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_children_sex_unknown_birth",
        "children",
        ["birth_date"],
        unique=False,
        sqlite_where=sa.text("sex IS NULL"),
        postgresql_where=sa.text("sex IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_children_sex_unknown_birth", table_name="children")
