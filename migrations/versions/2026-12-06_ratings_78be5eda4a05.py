"""ratings

Satisfaction (issue 15): ratings of contacts, one per contact and channel, and the daily counts kept with
them (satisfaction_daily). See huiyin/surveys/models.py.

Revision ID: 78be5eda4a05
Revises: d7575aef95df
Create Date: 2026-12-06 11:51:04.825655
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import huiyin.db

revision: str = '78be5eda4a05'
down_revision: str | None = 'd7575aef95df'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('satisfaction_daily',
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('dim', sa.String(length=16), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('satisfied', sa.Integer(), nullable=False),
    sa.Column('basically_satisfied', sa.Integer(), nullable=False),
    sa.Column('unsatisfied', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'dim', 'day', 'key', name=op.f('pk_satisfaction_daily'))
    )
    op.create_table('ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contact', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('result', sa.String(length=24), nullable=False),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('comment', sa.String(length=500), nullable=True),
    sa.Column('at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('call_pk', sa.Integer(), nullable=True),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('order_type', sa.String(length=32), nullable=True),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('integration_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['agent_id'], ['users.id'], name=op.f('fk_ratings_agent_id_users')),
    sa.ForeignKeyConstraint(['call_pk'], ['calls.id'], name=op.f('fk_ratings_call_pk_calls')),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_ratings_category_id_categories')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_ratings_customer_id_customers')),
    sa.ForeignKeyConstraint(['integration_id'], ['cti_integrations.id'], name=op.f('fk_ratings_integration_id_cti_integrations')),
    sa.ForeignKeyConstraint(['order_id'], ['work_orders.id'], name=op.f('fk_ratings_order_id_work_orders'), initially='DEFERRED', deferrable=True),
    sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], name=op.f('fk_ratings_recorded_by_users')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_ratings_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ratings')),
    sa.UniqueConstraint('contact', 'channel', name='uq_ratings_contact_channel')
    )
    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.create_index('ix_ratings_call_pk', ['call_pk'], unique=False)
        batch_op.create_index('ix_ratings_day', ['day'], unique=False)
        batch_op.create_index('ix_ratings_order_id', ['order_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.drop_index('ix_ratings_order_id')
        batch_op.drop_index('ix_ratings_day')
        batch_op.drop_index('ix_ratings_call_pk')

    op.drop_table('ratings')
    op.drop_table('satisfaction_daily')
