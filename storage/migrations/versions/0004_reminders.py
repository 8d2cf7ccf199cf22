"""reminders: doses given, acknowledgements, the delivery ledger, editable schedule editions
and calendar overrides; children get residence_permit_issued_on and a birth-date index.
The schedule editions are seeded from content/schedules/immunization.toml.

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-22 06:25:01.784803
"""
from __future__ import annotations

import tomllib
from datetime import UTC, date, datetime
from importlib import resources

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('calendar_overrides',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region', sa.String(length=12), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_overrides')),
    sa.UniqueConstraint('region', name=op.f('uq_calendar_overrides_region'))
    )
    editions = op.create_table('immunization_editions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('edition', sa.String(length=32), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_immunization_editions')),
    sa.UniqueConstraint('edition', name=op.f('uq_immunization_editions_edition'))
    )
    op.create_table('reminder_planner_marks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('last_as_of', sa.Date(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_planner_marks')),
    sa.UniqueConstraint('name', name=op.f('uq_reminder_planner_marks_name'))
    )
    op.create_table('doses_given',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=24), nullable=False),
    sa.Column('given_on', sa.Date(), nullable=True),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['child_id'], ['children.id'], name=op.f('fk_doses_given_child_id_children')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_doses_given')),
    sa.UniqueConstraint('child_id', 'code', name=op.f('uq_doses_given_child_id'))
    )
    op.create_table('reminder_acks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('item', sa.String(length=32), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('acked_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['child_id'], ['children.id'], name=op.f('fk_reminder_acks_child_id_children')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_acks')),
    sa.UniqueConstraint('child_id', 'kind', 'item', name=op.f('uq_reminder_acks_child_id'))
    )
    op.create_table('reminder_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=True),
    sa.Column('recipient_role', sa.String(length=16), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('item', sa.String(length=32), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('outbox_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['child_id'], ['children.id'], name=op.f('fk_reminder_deliveries_child_id_children')),
    sa.ForeignKeyConstraint(['outbox_id'], ['outbox.id'], name=op.f('fk_reminder_deliveries_outbox_id_outbox')),
    sa.ForeignKeyConstraint(['recipient_id'], ['people.id'], name=op.f('fk_reminder_deliveries_recipient_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_deliveries')),
    sa.UniqueConstraint('child_id', 'kind', 'item', 'stage', name=op.f('uq_reminder_deliveries_child_id'))
    )
    with op.batch_alter_table('reminder_deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_reminder_deliveries_pending', ['outbox_id', 'resolved_at'], unique=False)

    with op.batch_alter_table('children', schema=None) as batch_op:
        batch_op.add_column(sa.Column('residence_permit_issued_on', sa.Date(), nullable=True))
        batch_op.create_index('ix_children_birth_date', ['birth_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_children_residence_permit_issued_on'), ['residence_permit_issued_on'], unique=False)

    _seed_editions(editions)


def _seed_editions(table: sa.Table) -> None:
    """The shipped editions, as rows administrators edit without a deploy."""
    text = resources.files("content.schedules").joinpath("immunization.toml").read_text("utf-8")
    now = datetime.now(UTC)
    rows = []
    for raw in tomllib.loads(text).get("editions", ()):
        data = _jsonable(raw)
        rows.append(
            {
                "edition": str(raw["id"]),
                "effective_from": date.fromisoformat(str(raw["effective_from"])),
                "data": data,
                "updated_at": now,
                "updated_by": "migration:0004",
            }
        )
    if rows:
        op.bulk_insert(table, rows)


def _jsonable(value: object) -> object:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def downgrade() -> None:
    with op.batch_alter_table('children', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_children_residence_permit_issued_on'))
        batch_op.drop_index('ix_children_birth_date')
        batch_op.drop_column('residence_permit_issued_on')

    with op.batch_alter_table('reminder_deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_reminder_deliveries_pending')

    op.drop_table('reminder_deliveries')
    op.drop_table('reminder_acks')
    op.drop_table('doses_given')
    op.drop_table('immunization_editions')
    op.drop_table('reminder_planner_marks')
    op.drop_table('calendar_overrides')
