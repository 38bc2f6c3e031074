"""ledger and corrective actions

Complaints (issue 15): the accountability ledger (ledger_entries, append-only), the monthly titles' rules
(title_rules), and a verdict's corrective action with its owner and result. See huiyin/complaints/ledger.py.

Revision ID: 754a8be039ea
Revises: 185844c5f40b
Create Date: 2026-12-06 14:29:41.931940
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import huiyin.db

revision: str = '754a8be039ea'
down_revision: str | None = '185844c5f40b'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('title_rules',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('top_n', sa.Integer(), nullable=False),
    sa.Column('min_points', sa.Integer(), nullable=False),
    sa.Column('posts', sa.JSON(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_title_rules'))
    )
    op.create_table('ledger_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('reverses', sa.Integer(), nullable=True),
    sa.Column('by', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['by'], ['users.id'], name=op.f('fk_ledger_entries_by_users')),
    sa.ForeignKeyConstraint(['order_id'], ['work_orders.id'], name=op.f('fk_ledger_entries_order_id_work_orders'), initially='DEFERRED', deferrable=True),
    sa.ForeignKeyConstraint(['person_id'], ['staff.id'], name=op.f('fk_ledger_entries_person_id_staff')),
    sa.ForeignKeyConstraint(['reverses'], ['ledger_entries.id'], name=op.f('fk_ledger_entries_reverses_ledger_entries')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_ledger_entries_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_entries'))
    )
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.create_index('ix_ledger_month', ['month'], unique=False)
        batch_op.create_index('ix_ledger_order', ['order_id'], unique=False)
        batch_op.create_index('ix_ledger_person_month', ['person_id', 'month'], unique=False)

    with op.batch_alter_table('complaint_verdicts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('action_owner_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_complaint_verdicts_action_owner_id_staff'), 'staff', ['action_owner_id'], ['id'])

    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.add_column(sa.Column('action_owner_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('action_done_at', huiyin.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('action_result', sa.String(length=500), nullable=True))
        batch_op.create_index('ix_complaints_action_due', ['action_due'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_complaints_action_owner_id_staff'), 'staff', ['action_owner_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_complaints_action_owner_id_staff'), type_='foreignkey')
        batch_op.drop_index('ix_complaints_action_due')
        batch_op.drop_column('action_result')
        batch_op.drop_column('action_done_at')
        batch_op.drop_column('action_owner_id')

    with op.batch_alter_table('complaint_verdicts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_complaint_verdicts_action_owner_id_staff'), type_='foreignkey')
        batch_op.drop_column('action_owner_id')

    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_ledger_person_month')
        batch_op.drop_index('ix_ledger_order')
        batch_op.drop_index('ix_ledger_month')

    op.drop_table('ledger_entries')
    op.drop_table('title_rules')
