"""open emergency index

``ix_work_orders_open_emergency``: the open emergency orders, a partial index of a few hundred rows among
millions, which the wallboard (issue 16) counts every few seconds (73 → under 1 ms on SQLite with 2 M orders).

Revision ID: a5ddaa55cc87
Revises: bc5f07249d61
Create Date: 2026-12-06 21:04:49.506334
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import huiyin.db

revision: str = 'a5ddaa55cc87'
down_revision: str | None = 'bc5f07249d61'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.create_index('ix_work_orders_open_emergency', ['created_at'], unique=False, postgresql_where=sa.text("state <> 'closed' AND type = 'emergency'"), sqlite_where=sa.text("state <> 'closed' AND type = 'emergency'"))


def downgrade() -> None:
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.drop_index('ix_work_orders_open_emergency', postgresql_where=sa.text("state <> 'closed' AND type = 'emergency'"), sqlite_where=sa.text("state <> 'closed' AND type = 'emergency'"))
