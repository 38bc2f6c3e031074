"""call_analyses: the automatic analysis of each recorded call (issue 17), queued when a recording is stored.

Revision ID: b5d39696c055
Revises: c7a5c7724d7f
Create Date: 2026-12-07 01:00:20.824668
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import huiyin.db

revision: str = 'b5d39696c055'
down_revision: str | None = 'c7a5c7724d7f'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('call_analyses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('recording_key', sa.String(length=300), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('transcript', sa.JSON(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('queued_at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('analysed_at', huiyin.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cpu_ms', sa.Integer(), nullable=True),
    sa.Column('leased_until', huiyin.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_call_analyses_call_id_calls')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_analyses')),
    sa.UniqueConstraint('call_id', name=op.f('uq_call_analyses_call_id'))
    )
    with op.batch_alter_table('call_analyses', schema=None) as batch_op:
        batch_op.create_index('ix_call_analyses_queue', ['state', 'queued_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('call_analyses', schema=None) as batch_op:
        batch_op.drop_index('ix_call_analyses_queue')

    op.drop_table('call_analyses')
