"""agent_states.ended_at indexed: the intervals overlapping a period (a report's live part) without a scan.

Revision ID: 543e93f7841f
Revises: b5d39696c055
Create Date: 2026-12-07 01:58:58.658428
"""
from collections.abc import Sequence

from alembic import op

revision: str = '543e93f7841f'
down_revision: str | None = 'b5d39696c055'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('agent_states', schema=None) as batch_op:
        batch_op.create_index('ix_agent_states_ended_at', ['ended_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('agent_states', schema=None) as batch_op:
        batch_op.drop_index('ix_agent_states_ended_at')

