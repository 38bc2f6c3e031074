"""kpi warnings

``kpi_warnings``: the early warnings (特征值预警, issue 16), one open per rule and series
(``uq_kpi_warnings_open``), kept with their outcome once acknowledged.

Revision ID: a936f7c11d90
Revises: c54f6e5f20f7
Create Date: 2026-12-06 21:15:21.546102
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import huiyin.db

revision: str = 'a936f7c11d90'
down_revision: str | None = 'c54f6e5f20f7'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('kpi_warnings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rule', sa.String(length=16), nullable=False),
    sa.Column('series', sa.String(length=64), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('first_slot', sa.BigInteger(), nullable=False),
    sa.Column('last_slot', sa.BigInteger(), nullable=False),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('baseline', sa.Float(), nullable=True),
    sa.Column('mad', sa.Float(), nullable=True),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('history', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('outcome', sa.Text(), nullable=True),
    sa.Column('acknowledged_by', sa.Integer(), nullable=True),
    sa.Column('acknowledged_at', huiyin.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['acknowledged_by'], ['users.id'], name=op.f('fk_kpi_warnings_acknowledged_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_warnings'))
    )
    with op.batch_alter_table('kpi_warnings', schema=None) as batch_op:
        batch_op.create_index('ix_kpi_warnings_state_id', ['state', 'id'], unique=False)
        batch_op.create_index('uq_kpi_warnings_open', ['rule', 'series'], unique=True, postgresql_where=sa.text("state = 'open'"), sqlite_where=sa.text("state = 'open'"))


def downgrade() -> None:
    with op.batch_alter_table('kpi_warnings', schema=None) as batch_op:
        batch_op.drop_index('uq_kpi_warnings_open', postgresql_where=sa.text("state = 'open'"), sqlite_where=sa.text("state = 'open'"))
        batch_op.drop_index('ix_kpi_warnings_state_id')

    op.drop_table('kpi_warnings')
