"""kpi order days

``kpi_order_days``: the order KPIs' daily rollup (issue 16): per local day, cut (all, type, category, unit,
area, channel) and key, the orders registered (with their response times: counts, minutes, 5 % histograms)
and closed (on time, each stage's deadlines met) that day, and the day's reopens, 催办 and 督办.

Revision ID: c54f6e5f20f7
Revises: a5ddaa55cc87
Create Date: 2026-12-06 21:09:02.365320
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import huiyin.db

revision: str = 'c54f6e5f20f7'
down_revision: str | None = 'a5ddaa55cc87'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('kpi_order_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('cut', sa.String(length=16), nullable=False),
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('registered', sa.Integer(), nullable=False),
    sa.Column('closed', sa.Integer(), nullable=False),
    sa.Column('on_time', sa.Integer(), nullable=False),
    sa.Column('reopened', sa.Integer(), nullable=False),
    sa.Column('urged', sa.Integer(), nullable=False),
    sa.Column('supervised', sa.Integer(), nullable=False),
    sa.Column('accept_n', sa.Integer(), nullable=False),
    sa.Column('accept_minutes', sa.Float(), nullable=False),
    sa.Column('accept_hist', sa.JSON(), nullable=False),
    sa.Column('arrive_n', sa.Integer(), nullable=False),
    sa.Column('arrive_minutes', sa.Float(), nullable=False),
    sa.Column('arrive_hist', sa.JSON(), nullable=False),
    sa.Column('resolve_n', sa.Integer(), nullable=False),
    sa.Column('resolve_minutes', sa.Float(), nullable=False),
    sa.Column('resolve_hist', sa.JSON(), nullable=False),
    sa.Column('close_n', sa.Integer(), nullable=False),
    sa.Column('close_minutes', sa.Float(), nullable=False),
    sa.Column('close_hist', sa.JSON(), nullable=False),
    sa.Column('accept_due', sa.Integer(), nullable=False),
    sa.Column('accept_met', sa.Integer(), nullable=False),
    sa.Column('arrive_due', sa.Integer(), nullable=False),
    sa.Column('arrive_met', sa.Integer(), nullable=False),
    sa.Column('resolve_due', sa.Integer(), nullable=False),
    sa.Column('resolve_met', sa.Integer(), nullable=False),
    sa.Column('reply_due', sa.Integer(), nullable=False),
    sa.Column('reply_met', sa.Integer(), nullable=False),
    sa.Column('callback_due', sa.Integer(), nullable=False),
    sa.Column('callback_met', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'cut', 'key', name=op.f('pk_kpi_order_days'))
    )


def downgrade() -> None:
    op.drop_table('kpi_order_days')
