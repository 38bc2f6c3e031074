"""complaints_staff

Complaints (issue 15): a complaint order's complaint, its verdicts (append-only), the root causes; and the
staff of units (most with no login), whom a verdict names. See huiyin/complaints/ and huiyin/org/models.py.

Revision ID: 185844c5f40b
Revises: 89db75236f2e
Create Date: 2026-12-06 12:20:47.244003
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import huiyin.db

revision: str = '185844c5f40b'
down_revision: str | None = '89db75236f2e'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('root_causes',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_root_causes'))
    )
    op.create_table('staff',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('post', sa.String(length=16), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_staff_unit_id_units')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_staff_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff'))
    )
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_unit_id'), ['unit_id'], unique=False)

    op.create_table('complaint_verdicts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('by', sa.Integer(), nullable=False),
    sa.Column('validity', sa.String(length=8), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('responsible_unit_id', sa.Integer(), nullable=True),
    sa.Column('responsible_staff_ids', sa.JSON(), nullable=False),
    sa.Column('joint_head_id', sa.Integer(), nullable=True),
    sa.Column('root_cause', sa.String(length=32), nullable=False),
    sa.Column('action', sa.String(length=500), nullable=True),
    sa.Column('action_due', huiyin.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('review_reason', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['by'], ['users.id'], name=op.f('fk_complaint_verdicts_by_users')),
    sa.ForeignKeyConstraint(['joint_head_id'], ['staff.id'], name=op.f('fk_complaint_verdicts_joint_head_id_staff')),
    sa.ForeignKeyConstraint(['order_id'], ['work_orders.id'], name=op.f('fk_complaint_verdicts_order_id_work_orders'), initially='DEFERRED', deferrable=True),
    sa.ForeignKeyConstraint(['responsible_unit_id'], ['units.id'], name=op.f('fk_complaint_verdicts_responsible_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint_verdicts'))
    )
    with op.batch_alter_table('complaint_verdicts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_verdicts_order_id'), ['order_id'], unique=False)

    op.create_table('complaint_daily',
    sa.Column('dim', sa.String(length=16), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('complaints', sa.Integer(), nullable=False),
    sa.Column('valid', sa.Integer(), nullable=False),
    sa.Column('invalid', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('dim', 'day', 'key', name=op.f('pk_complaint_daily'))
    )
    op.create_table('complaints',
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('created_at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('grade', sa.String(length=16), nullable=False),
    sa.Column('grade_reasons', sa.JSON(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('contact_phone', sa.String(length=32), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('repeat_of', sa.Integer(), nullable=True),
    sa.Column('stage', sa.String(length=16), nullable=True),
    sa.Column('validity', sa.String(length=8), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('responsible_unit_id', sa.Integer(), nullable=True),
    sa.Column('responsible_staff_ids', sa.JSON(), nullable=False),
    sa.Column('joint_head_id', sa.Integer(), nullable=True),
    sa.Column('root_cause', sa.String(length=32), nullable=True),
    sa.Column('action', sa.String(length=500), nullable=True),
    sa.Column('action_due', huiyin.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('verdict_at', huiyin.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('verdict_by', sa.Integer(), nullable=True),
    sa.Column('verdict_version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_complaints_category_id_categories')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_complaints_customer_id_customers')),
    sa.ForeignKeyConstraint(['joint_head_id'], ['staff.id'], name=op.f('fk_complaints_joint_head_id_staff')),
    sa.ForeignKeyConstraint(['order_id'], ['work_orders.id'], name=op.f('fk_complaints_order_id_work_orders'), initially='DEFERRED', deferrable=True),
    sa.ForeignKeyConstraint(['repeat_of'], ['work_orders.id'], name=op.f('fk_complaints_repeat_of_work_orders'), initially='DEFERRED', deferrable=True),
    sa.ForeignKeyConstraint(['responsible_unit_id'], ['units.id'], name=op.f('fk_complaints_responsible_unit_id_units')),
    sa.ForeignKeyConstraint(['verdict_by'], ['users.id'], name=op.f('fk_complaints_verdict_by_users')),
    sa.PrimaryKeyConstraint('order_id', name=op.f('pk_complaints'))
    )
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.create_index('ix_complaints_created', ['created_at'], unique=False)
        batch_op.create_index('ix_complaints_customer_created', ['customer_id', 'created_at'], unique=False)
        batch_op.create_index('ix_complaints_phone_created', ['contact_phone', 'created_at'], unique=False)



def downgrade() -> None:
    op.drop_table('complaint_daily')
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.drop_index('ix_complaints_phone_created')
        batch_op.drop_index('ix_complaints_customer_created')
        batch_op.drop_index('ix_complaints_created')

    op.drop_table('complaints')
    with op.batch_alter_table('complaint_verdicts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaint_verdicts_order_id'))

    op.drop_table('complaint_verdicts')
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_unit_id'))

    op.drop_table('staff')
    op.drop_table('root_causes')
