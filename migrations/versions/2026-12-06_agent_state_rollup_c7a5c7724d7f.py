"""agent state rollup

The agent-state rollups (issue 16: occupancy over months without reading every interval):
``kpi_state_slots`` (seconds per 15-minute slot and state, all agents) and ``kpi_agent_state_days`` (per
local day, agent and state); and ``agent_states.written_at`` (indexed), by which their refresh finds the
intervals written since. Rows written before have none; the first refresh rebuilds from all of them.

Revision ID: c7a5c7724d7f
Revises: f01579246fce
Create Date: 2026-12-06 21:52:02.348004
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import huiyin.db

revision: str = 'c7a5c7724d7f'
down_revision: str | None = 'f01579246fce'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('kpi_agent_state_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('seconds', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'agent_id', 'state', name=op.f('pk_kpi_agent_state_days'))
    )
    op.create_table('kpi_state_slots',
    sa.Column('slot', sa.BigInteger(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('seconds', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('slot', 'state', name=op.f('pk_kpi_state_slots'))
    )
    with op.batch_alter_table('agent_states', schema=None) as batch_op:
        batch_op.add_column(sa.Column('written_at', huiyin.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_agent_states_written_at', ['written_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('agent_states', schema=None) as batch_op:
        batch_op.drop_index('ix_agent_states_written_at')
        batch_op.drop_column('written_at')

    op.drop_table('kpi_state_slots')
    op.drop_table('kpi_agent_state_days')
