"""hotline: cases, the append-only case timeline, staff shifts, the editable lexicon

The lexicon rows are seeded from content/lexicon/ on first start (bot/hotline/lexicon).

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-22 06:25:09.043219
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0003'
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('lexicon_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lexicon_entries')),
    sa.UniqueConstraint('key', name=op.f('uq_lexicon_entries_key'))
    )
    op.create_table('staff_shifts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_staff_shifts_person_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_shifts'))
    )
    with op.batch_alter_table('staff_shifts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_shifts_person_id'), ['person_id'], unique=False)
        batch_op.create_index('ix_staff_shifts_window', ['level', 'starts_at', 'ends_at'], unique=False)

    op.create_table('cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=20), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('severity', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('reporter_person_id', sa.Integer(), nullable=True),
    sa.Column('reporter_role', sa.String(length=16), nullable=False),
    sa.Column('reporter_channel', sa.String(length=16), nullable=False),
    sa.Column('reporter_address', sa.String(length=64), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=True),
    sa.Column('child_code', sa.String(length=100), nullable=True),
    sa.Column('location', sa.String(length=200), nullable=True),
    sa.Column('in_danger', sa.Boolean(), nullable=True),
    sa.Column('callback_ok', sa.Boolean(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_activity_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ack_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('relay_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.Text(), nullable=True),
    sa.Column('escalation_level', sa.Integer(), nullable=False),
    sa.Column('realerted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('suspected_guardian_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['child_id'], ['children.id'], name=op.f('fk_cases_child_id_children')),
    sa.ForeignKeyConstraint(['owner_id'], ['people.id'], name=op.f('fk_cases_owner_id_people')),
    sa.ForeignKeyConstraint(['reporter_person_id'], ['people.id'], name=op.f('fk_cases_reporter_person_id_people')),
    sa.ForeignKeyConstraint(['suspected_guardian_id'], ['people.id'], name=op.f('fk_cases_suspected_guardian_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases')),
    sa.UniqueConstraint('ref', name=op.f('uq_cases_ref'))
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cases_child_id'), ['child_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index('ix_cases_reporter', ['reporter_channel', 'reporter_address', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_reporter_person_id'), ['reporter_person_id'], unique=False)
        batch_op.create_index('ix_cases_sla', ['status', 'ack_due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_suspected_guardian_id'), ['suspected_guardian_id'], unique=False)

    op.create_table('case_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('outbox_id', sa.Integer(), nullable=True),
    sa.Column('inbound_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_events_case_id_cases')),
    sa.ForeignKeyConstraint(['inbound_id'], ['inbound_messages.id'], name=op.f('fk_case_events_inbound_id_inbound_messages')),
    sa.ForeignKeyConstraint(['outbox_id'], ['outbox.id'], name=op.f('fk_case_events_outbox_id_outbox')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_events'))
    )
    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_events_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_events_outbox_id'), ['outbox_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_events_outbox_id'))
        batch_op.drop_index(batch_op.f('ix_case_events_case_id'))

    op.drop_table('case_events')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_suspected_guardian_id'))
        batch_op.drop_index('ix_cases_sla')
        batch_op.drop_index(batch_op.f('ix_cases_reporter_person_id'))
        batch_op.drop_index('ix_cases_reporter')
        batch_op.drop_index(batch_op.f('ix_cases_owner_id'))
        batch_op.drop_index(batch_op.f('ix_cases_child_id'))

    op.drop_table('cases')
    with op.batch_alter_table('staff_shifts', schema=None) as batch_op:
        batch_op.drop_index('ix_staff_shifts_window')
        batch_op.drop_index(batch_op.f('ix_staff_shifts_person_id'))

    op.drop_table('staff_shifts')
    op.drop_table('lexicon_entries')
