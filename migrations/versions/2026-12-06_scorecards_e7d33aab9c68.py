"""scorecards

The monthly agent scorecard (月度考评, issue 16): ``scorecard_template`` (the centre's weighted items),
``scorecards`` (a month's versions: draft, reviewed, published) and ``scorecard_lines`` (each agent's total,
rank and items in a version).

Revision ID: e7d33aab9c68
Revises: 4feb9ee72987
Create Date: 2026-12-06 21:28:26.496197
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import huiyin.db

revision: str = 'e7d33aab9c68'
down_revision: str | None = '4feb9ee72987'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('scorecard_template',
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('weight', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('target', sa.Float(), nullable=True),
    sa.Column('floor', sa.Float(), nullable=True),
    sa.PrimaryKeyConstraint('position', name=op.f('pk_scorecard_template'))
    )
    op.create_table('scorecards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('template', sa.JSON(), nullable=False),
    sa.Column('computed_at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('computed_by', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', huiyin.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reviewed_by', sa.Integer(), nullable=True),
    sa.Column('published_at', huiyin.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('published_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['computed_by'], ['users.id'], name=op.f('fk_scorecards_computed_by_users')),
    sa.ForeignKeyConstraint(['published_by'], ['users.id'], name=op.f('fk_scorecards_published_by_users')),
    sa.ForeignKeyConstraint(['reviewed_by'], ['users.id'], name=op.f('fk_scorecards_reviewed_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scorecards')),
    sa.UniqueConstraint('month', 'version', name='uq_scorecards_month_version')
    )
    op.create_table('scorecard_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scorecard_id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('group_key', sa.String(length=16), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('total', sa.Float(), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['users.id'], name=op.f('fk_scorecard_lines_agent_id_users')),
    sa.ForeignKeyConstraint(['scorecard_id'], ['scorecards.id'], name=op.f('fk_scorecard_lines_scorecard_id_scorecards'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scorecard_lines'))
    )
    with op.batch_alter_table('scorecard_lines', schema=None) as batch_op:
        batch_op.create_index('ix_scorecard_lines_agent', ['agent_id'], unique=False)
        batch_op.create_index('ix_scorecard_lines_card_group_rank', ['scorecard_id', 'group_key', 'rank'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('scorecard_lines', schema=None) as batch_op:
        batch_op.drop_index('ix_scorecard_lines_card_group_rank')
        batch_op.drop_index('ix_scorecard_lines_agent')

    op.drop_table('scorecard_lines')
    op.drop_table('scorecards')
    op.drop_table('scorecard_template')
