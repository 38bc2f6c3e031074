"""care_tasks

关怀 (issue 15): an unsatisfied rating's follow-up for the callback team, with its due time.

Revision ID: 89db75236f2e
Revises: 719c321bdd2e
Create Date: 2026-12-06 12:12:34.809690
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import huiyin.db

revision: str = '89db75236f2e'
down_revision: str | None = '719c321bdd2e'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('care_tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rating_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('call_pk', sa.Integer(), nullable=True),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('created_at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('due_at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('done_at', huiyin.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('done_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['agent_id'], ['users.id'], name=op.f('fk_care_tasks_agent_id_users')),
    sa.ForeignKeyConstraint(['call_pk'], ['calls.id'], name=op.f('fk_care_tasks_call_pk_calls')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_care_tasks_customer_id_customers')),
    sa.ForeignKeyConstraint(['done_by'], ['users.id'], name=op.f('fk_care_tasks_done_by_users')),
    sa.ForeignKeyConstraint(['order_id'], ['work_orders.id'], name=op.f('fk_care_tasks_order_id_work_orders'), initially='DEFERRED', deferrable=True),
    sa.ForeignKeyConstraint(['rating_id'], ['ratings.id'], name=op.f('fk_care_tasks_rating_id_ratings')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_care_tasks_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_care_tasks')),
    sa.UniqueConstraint('rating_id', name=op.f('uq_care_tasks_rating_id'))
    )
    with op.batch_alter_table('care_tasks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_care_tasks_order_id'), ['order_id'], unique=False)
        batch_op.create_index('ix_care_tasks_state_due_at', ['state', 'due_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('care_tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_care_tasks_state_due_at')
        batch_op.drop_index(batch_op.f('ix_care_tasks_order_id'))

    op.drop_table('care_tasks')
