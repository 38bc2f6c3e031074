"""league weights

``league_weights``: the unit league table's weights as the centre set them (issue 16; none saved: the
defaults of ``performance.league.METRICS``).

Revision ID: 4feb9ee72987
Revises: a936f7c11d90
Create Date: 2026-12-06 21:24:14.995499
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import huiyin.db

revision: str = '4feb9ee72987'
down_revision: str | None = 'a936f7c11d90'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('league_weights',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('weight', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_league_weights'))
    )


def downgrade() -> None:
    op.drop_table('league_weights')
