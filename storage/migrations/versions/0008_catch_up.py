"""catch_up: the shipped immunization editions with the catch-up rules

Rows still as migration 0004 seeded them are replaced by the editions in
content/schedules/immunization.toml; rows an administrator edited are left alone (they are
logged so that the administrator can re-import the shipped file).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 20:30:00
"""

from __future__ import annotations

import logging
import tomllib
from datetime import UTC, date, datetime
from importlib import resources

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")
SEEDED_BY = ("migration:0004", "migration:0008")


def _jsonable(value: object) -> object:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def upgrade() -> None:
    # children registered since the last run get their first catch-up plan; a recorded dose
    # brings the next ones (both found by range queries)
    with op.batch_alter_table("children", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_children_created_at"), ["created_at"], unique=False)
    with op.batch_alter_table("doses_given", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_doses_given_given_on"), ["given_on"], unique=False)
    _refresh_editions()


def _refresh_editions() -> None:
    table = sa.table(
        "immunization_editions",
        sa.column("id", sa.Integer()),
        sa.column("edition", sa.String()),
        sa.column("effective_from", sa.Date()),
        sa.column("data", sa.JSON()),
        sa.column("updated_at", sa.DateTime(timezone=True)),
        sa.column("updated_by", sa.String()),
    )
    bind = op.get_bind()
    rows = {
        r.edition: r.updated_by
        for r in bind.execute(sa.select(table.c.edition, table.c.updated_by))
    }
    text = resources.files("content.schedules").joinpath("immunization.toml").read_text("utf-8")
    now = datetime.now(UTC)
    for raw in tomllib.loads(text).get("editions", ()):
        values = {
            "effective_from": date.fromisoformat(str(raw["effective_from"])),
            "data": _jsonable(raw),
            "updated_at": now,
            "updated_by": "migration:0008",
        }
        edition = str(raw["id"])
        if edition not in rows:
            bind.execute(table.insert().values(edition=edition, **values))
        elif rows[edition] in SEEDED_BY:
            bind.execute(table.update().where(table.c.edition == edition).values(**values))
        else:
            log.warning(
                "edition %s was edited by %s: kept; `careline reminders editions import "
                "content/schedules/immunization.toml` brings the catch-up rules",
                edition,
                rows[edition],
            )


def downgrade() -> None:
    """The indexes go; the editions stay (the old code reads the entries it knows)."""
    with op.batch_alter_table("doses_given", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_doses_given_given_on"))
    with op.batch_alter_table("children", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_children_created_at"))
