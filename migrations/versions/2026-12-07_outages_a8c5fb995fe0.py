"""Outages: outages, their areas, timeline, merged reports, signals, suggestions, notice calls and rounds,
announcements; SMS opt-outs and the bulk lane; the outbox's batch; a work order's merged_into.

Revision ID: a8c5fb995fe0
Revises: 0b2b22a41a46
Create Date: 2026-12-07 06:51:28.597862
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import huiyin.db

revision: str = 'a8c5fb995fe0'
down_revision: str | None = '0b2b22a41a46'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('sms_lanes',
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('tail_at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_sms_lanes'))
    )
    op.create_table('sms_opt_outs',
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.PrimaryKeyConstraint('phone', name=op.f('pk_sms_opt_outs'))
    )
    op.create_table('announcements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('audience', sa.JSON(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('audience_count', sa.Integer(), nullable=False),
    sa.Column('queued_count', sa.Integer(), nullable=False),
    sa.Column('cursor', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('created_at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('done_at', huiyin.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_announcements_created_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_announcements'))
    )
    op.create_table('outage_signals',
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('utility', sa.String(length=16), nullable=False),
    sa.Column('at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_outage_signals_area_id_areas')),
    sa.ForeignKeyConstraint(['order_id'], ['work_orders.id'], name=op.f('fk_outage_signals_order_id_work_orders'), ondelete='CASCADE', initially='DEFERRED', deferrable=True),
    sa.PrimaryKeyConstraint('order_id', name=op.f('pk_outage_signals'))
    )
    with op.batch_alter_table('outage_signals', schema=None) as batch_op:
        batch_op.create_index('ix_outage_signals_area_at', ['area_id', 'utility', 'at'], unique=False)

    op.create_table('outages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('utility', sa.String(length=16), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('cause', sa.Text(), nullable=False),
    sa.Column('scope', sa.String(length=500), nullable=False),
    sa.Column('starts_at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('eta', huiyin.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('ended_at', huiyin.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('result', sa.Text(), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('master_order_id', sa.Integer(), nullable=True),
    sa.Column('lead_hours', sa.Double(), nullable=True),
    sa.Column('lead_missed', sa.Boolean(), nullable=False),
    sa.Column('eta_changes', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_outages_created_by_users')),
    sa.ForeignKeyConstraint(['master_order_id'], ['work_orders.id'], name=op.f('fk_outages_master_order_id_work_orders'), initially='DEFERRED', deferrable=True),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_outages_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outages')),
    sa.UniqueConstraint('master_order_id', name=op.f('uq_outages_master_order_id'))
    )
    with op.batch_alter_table('outages', schema=None) as batch_op:
        batch_op.create_index('ix_outages_state_starts', ['state', 'starts_at'], unique=False)

    op.create_table('outage_areas',
    sa.Column('outage_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_outage_areas_area_id_areas')),
    sa.ForeignKeyConstraint(['outage_id'], ['outages.id'], name=op.f('fk_outage_areas_outage_id_outages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('outage_id', 'area_id', name=op.f('pk_outage_areas'))
    )
    with op.batch_alter_table('outage_areas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outage_areas_area_id'), ['area_id'], unique=False)

    op.create_table('outage_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('outage_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('from_state', sa.String(length=16), nullable=True),
    sa.Column('to_state', sa.String(length=16), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_outage_events_actor_id_users')),
    sa.ForeignKeyConstraint(['outage_id'], ['outages.id'], name=op.f('fk_outage_events_outage_id_outages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outage_events'))
    )
    with op.batch_alter_table('outage_events', schema=None) as batch_op:
        batch_op.create_index('ix_outage_events_outage', ['outage_id', 'id'], unique=False)

    op.create_table('outage_notice_calls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('outage_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('created_at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('done_at', huiyin.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['agent_id'], ['users.id'], name=op.f('fk_outage_notice_calls_agent_id_users')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_outage_notice_calls_customer_id_customers')),
    sa.ForeignKeyConstraint(['outage_id'], ['outages.id'], name=op.f('fk_outage_notice_calls_outage_id_outages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outage_notice_calls'))
    )
    with op.batch_alter_table('outage_notice_calls', schema=None) as batch_op:
        batch_op.create_index('ix_outage_notice_calls_agent_state', ['agent_id', 'state'], unique=False)
        batch_op.create_index('ix_outage_notice_calls_outage', ['outage_id', 'round', 'customer_id'], unique=True)

    op.create_table('outage_reports',
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('outage_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('contact_phone', sa.String(length=20), nullable=False),
    sa.Column('auto', sa.Boolean(), nullable=False),
    sa.Column('merged_at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_outage_reports_customer_id_customers')),
    sa.ForeignKeyConstraint(['order_id'], ['work_orders.id'], name=op.f('fk_outage_reports_order_id_work_orders'), ondelete='CASCADE', initially='DEFERRED', deferrable=True),
    sa.ForeignKeyConstraint(['outage_id'], ['outages.id'], name=op.f('fk_outage_reports_outage_id_outages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('order_id', name=op.f('pk_outage_reports'))
    )
    with op.batch_alter_table('outage_reports', schema=None) as batch_op:
        batch_op.create_index('ix_outage_reports_outage', ['outage_id', 'order_id'], unique=False)

    op.create_table('outage_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('outage_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('cursor', sa.Integer(), nullable=False),
    sa.Column('done_count', sa.Integer(), nullable=False),
    sa.Column('sms_count', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('done_at', huiyin.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['outage_id'], ['outages.id'], name=op.f('fk_outage_rounds_outage_id_outages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outage_rounds'))
    )
    with op.batch_alter_table('outage_rounds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outage_rounds_outage_id'), ['outage_id'], unique=False)
        batch_op.create_index('ix_outage_rounds_pending', ['state', 'id'], unique=False)

    op.create_table('outage_suggestions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('utility', sa.String(length=16), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=True),
    sa.Column('outage_id', sa.Integer(), nullable=True),
    sa.Column('order_ids', sa.JSON(), nullable=False),
    sa.Column('text', sa.String(length=300), nullable=False),
    sa.Column('created_at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decided_at', huiyin.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_outage_suggestions_area_id_areas')),
    sa.ForeignKeyConstraint(['decided_by'], ['users.id'], name=op.f('fk_outage_suggestions_decided_by_users')),
    sa.ForeignKeyConstraint(['outage_id'], ['outages.id'], name=op.f('fk_outage_suggestions_outage_id_outages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outage_suggestions'))
    )
    with op.batch_alter_table('outage_suggestions', schema=None) as batch_op:
        batch_op.create_index('ix_outage_suggestions_state', ['state', 'id'], unique=False)

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('batch', sa.String(length=60), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_batch'), ['batch'], unique=False)

    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        # ADD COLUMN … REFERENCES: no copy of the table on SQLite (a separate constraint would rebuild it)
        batch_op.add_column(
            sa.Column(
                'merged_into',
                sa.Integer(),
                sa.ForeignKey(
                    'work_orders.id',
                    name=op.f('fk_work_orders_merged_into_work_orders'),
                    initially='DEFERRED',
                    deferrable=True,
                ),
                nullable=True,
            )
        )
        batch_op.create_index(batch_op.f('ix_work_orders_merged_into'), ['merged_into'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_work_orders_merged_into'))
        batch_op.drop_column('merged_into')

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_batch'))
        batch_op.drop_column('batch')

    with op.batch_alter_table('outage_suggestions', schema=None) as batch_op:
        batch_op.drop_index('ix_outage_suggestions_state')

    op.drop_table('outage_suggestions')
    with op.batch_alter_table('outage_rounds', schema=None) as batch_op:
        batch_op.drop_index('ix_outage_rounds_pending')
        batch_op.drop_index(batch_op.f('ix_outage_rounds_outage_id'))

    op.drop_table('outage_rounds')
    with op.batch_alter_table('outage_reports', schema=None) as batch_op:
        batch_op.drop_index('ix_outage_reports_outage')

    op.drop_table('outage_reports')
    with op.batch_alter_table('outage_notice_calls', schema=None) as batch_op:
        batch_op.drop_index('ix_outage_notice_calls_outage')
        batch_op.drop_index('ix_outage_notice_calls_agent_state')

    op.drop_table('outage_notice_calls')
    with op.batch_alter_table('outage_events', schema=None) as batch_op:
        batch_op.drop_index('ix_outage_events_outage')

    op.drop_table('outage_events')
    with op.batch_alter_table('outage_areas', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outage_areas_area_id'))

    op.drop_table('outage_areas')
    with op.batch_alter_table('outages', schema=None) as batch_op:
        batch_op.drop_index('ix_outages_state_starts')

    op.drop_table('outages')
    with op.batch_alter_table('outage_signals', schema=None) as batch_op:
        batch_op.drop_index('ix_outage_signals_area_at')

    op.drop_table('outage_signals')
    op.drop_table('announcements')
    op.drop_table('sms_opt_outs')
    op.drop_table('sms_lanes')
