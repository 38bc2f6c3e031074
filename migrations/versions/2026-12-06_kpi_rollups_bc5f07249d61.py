"""kpi rollups

The KPI layer's rollups (issue 16): ``kpi_call_slots``, the call facts per 15-minute slot, queue and
direction; ``kpi_agent_days``, the same per local day, agent and direction; ``kpi_rollup_marks``, how far the
worker has kept them; and ``ix_calls_updated_at``, by which its refresh finds the calls changed since.

Revision ID: bc5f07249d61
Revises: 13b9683a0828
Create Date: 2026-12-06 20:51:24.699296
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import huiyin.db

revision: str = 'bc5f07249d61'
down_revision: str | None = '13b9683a0828'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('kpi_agent_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('direction', sa.String(length=3), nullable=False),
    sa.Column('offered', sa.Integer(), nullable=False),
    sa.Column('answered', sa.Integer(), nullable=False),
    sa.Column('abandoned', sa.Integer(), nullable=False),
    sa.Column('short_abandoned', sa.Integer(), nullable=False),
    sa.Column('ivr_only', sa.Integer(), nullable=False),
    sa.Column('blocked', sa.Integer(), nullable=False),
    sa.Column('wait_answered', sa.BigInteger(), nullable=False),
    sa.Column('wait_max', sa.Integer(), nullable=False),
    sa.Column('talk', sa.BigInteger(), nullable=False),
    sa.Column('hold', sa.BigInteger(), nullable=False),
    sa.Column('acw', sa.BigInteger(), nullable=False),
    sa.Column('acw_calls', sa.Integer(), nullable=False),
    sa.Column('ans_le_10', sa.Integer(), nullable=False),
    sa.Column('ans_le_15', sa.Integer(), nullable=False),
    sa.Column('ans_le_20', sa.Integer(), nullable=False),
    sa.Column('ans_le_30', sa.Integer(), nullable=False),
    sa.Column('ans_le_45', sa.Integer(), nullable=False),
    sa.Column('ans_le_60', sa.Integer(), nullable=False),
    sa.Column('ans_le_90', sa.Integer(), nullable=False),
    sa.Column('ans_le_120', sa.Integer(), nullable=False),
    sa.Column('ab_le_10', sa.Integer(), nullable=False),
    sa.Column('ab_le_15', sa.Integer(), nullable=False),
    sa.Column('ab_le_20', sa.Integer(), nullable=False),
    sa.Column('ab_le_30', sa.Integer(), nullable=False),
    sa.Column('ab_le_45', sa.Integer(), nullable=False),
    sa.Column('ab_le_60', sa.Integer(), nullable=False),
    sa.Column('ab_le_90', sa.Integer(), nullable=False),
    sa.Column('ab_le_120', sa.Integer(), nullable=False),
    sa.Column('ab_lt_3', sa.Integer(), nullable=False),
    sa.Column('ab_lt_5', sa.Integer(), nullable=False),
    sa.Column('ab_lt_10', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'agent_id', 'direction', name=op.f('pk_kpi_agent_days'))
    )
    op.create_table('kpi_call_slots',
    sa.Column('slot', sa.BigInteger(), nullable=False),
    sa.Column('queue', sa.String(length=100), nullable=False),
    sa.Column('direction', sa.String(length=3), nullable=False),
    sa.Column('offered', sa.Integer(), nullable=False),
    sa.Column('answered', sa.Integer(), nullable=False),
    sa.Column('abandoned', sa.Integer(), nullable=False),
    sa.Column('short_abandoned', sa.Integer(), nullable=False),
    sa.Column('ivr_only', sa.Integer(), nullable=False),
    sa.Column('blocked', sa.Integer(), nullable=False),
    sa.Column('wait_answered', sa.BigInteger(), nullable=False),
    sa.Column('wait_max', sa.Integer(), nullable=False),
    sa.Column('talk', sa.BigInteger(), nullable=False),
    sa.Column('hold', sa.BigInteger(), nullable=False),
    sa.Column('acw', sa.BigInteger(), nullable=False),
    sa.Column('acw_calls', sa.Integer(), nullable=False),
    sa.Column('ans_le_10', sa.Integer(), nullable=False),
    sa.Column('ans_le_15', sa.Integer(), nullable=False),
    sa.Column('ans_le_20', sa.Integer(), nullable=False),
    sa.Column('ans_le_30', sa.Integer(), nullable=False),
    sa.Column('ans_le_45', sa.Integer(), nullable=False),
    sa.Column('ans_le_60', sa.Integer(), nullable=False),
    sa.Column('ans_le_90', sa.Integer(), nullable=False),
    sa.Column('ans_le_120', sa.Integer(), nullable=False),
    sa.Column('ab_le_10', sa.Integer(), nullable=False),
    sa.Column('ab_le_15', sa.Integer(), nullable=False),
    sa.Column('ab_le_20', sa.Integer(), nullable=False),
    sa.Column('ab_le_30', sa.Integer(), nullable=False),
    sa.Column('ab_le_45', sa.Integer(), nullable=False),
    sa.Column('ab_le_60', sa.Integer(), nullable=False),
    sa.Column('ab_le_90', sa.Integer(), nullable=False),
    sa.Column('ab_le_120', sa.Integer(), nullable=False),
    sa.Column('ab_lt_3', sa.Integer(), nullable=False),
    sa.Column('ab_lt_5', sa.Integer(), nullable=False),
    sa.Column('ab_lt_10', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('slot', 'queue', 'direction', name=op.f('pk_kpi_call_slots'))
    )
    op.create_table('kpi_rollup_marks',
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('upto', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_kpi_rollup_marks'))
    )
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.create_index('ix_calls_updated_at', ['updated_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_index('ix_calls_updated_at')

    op.drop_table('kpi_rollup_marks')
    op.drop_table('kpi_call_slots')
    op.drop_table('kpi_agent_days')
