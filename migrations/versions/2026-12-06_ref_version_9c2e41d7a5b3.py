"""ref_version

One row, one counter: the reference data's version (``huiyin/core/refcache.py``). Every change to a table
a process keeps in memory (categories, dispatch rules, units, areas, SLA policies, calendars) raises it in
the same transaction; each process reloads what it keeps when the number it reads has moved.

Revision ID: 9c2e41d7a5b3
Revises: 487f7d654b80
Create Date: 2026-12-06 03:50:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '9c2e41d7a5b3'
down_revision: str | None = '487f7d654b80'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    table = op.create_table(
        'ref_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('n', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ref_version')),
    )
    op.bulk_insert(table, [{'id': 1, 'n': 0}])


def downgrade() -> None:
    op.drop_table('ref_version')
