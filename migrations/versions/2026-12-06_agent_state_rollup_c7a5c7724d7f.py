"""agent state rollup

``kpi_agent_state_slots``: seconds per 15-minute slot, agent and state (issue 16: occupancy over months
without reading every interval), and ``agent_states.written_at`` (indexed), by which its refresh finds the
intervals written since; rows written before have none, and the first refresh rebuilds from all of them.

Revision ID: c7a5c7724d7f
Revises: f01579246fce
Create Date: 2026-12-06 21:43:54.419661
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
    op.create_table('kpi_agent_state_slots',
    sa.Column('slot', sa.BigInteger(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('seconds', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('slot', 'agent_id', 'state', name=op.f('pk_kpi_agent_state_slots'))
    )
    with op.batch_alter_table('agent_states', schema=None) as batch_op:
        batch_op.add_column(sa.Column('written_at', huiyin.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_agent_states_written_at', ['written_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('agent_states', schema=None) as batch_op:
        batch_op.drop_index('ix_agent_states_written_at')
        batch_op.drop_column('written_at')

    op.drop_table('kpi_agent_state_slots')
