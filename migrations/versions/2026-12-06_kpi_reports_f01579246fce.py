"""kpi reports

The service-quality reports (服务质量报告, issue 16): ``kpi_reports`` (each kind and period once, where its
PDF and .xlsx are stored) and ``report_subscriptions`` (who receives which kind by e-mail).

Revision ID: f01579246fce
Revises: e7d33aab9c68
Create Date: 2026-12-06 21:36:03.126829
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import huiyin.db

revision: str = 'f01579246fce'
down_revision: str | None = 'e7d33aab9c68'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('kpi_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('first_day', sa.Date(), nullable=False),
    sa.Column('last_day', sa.Date(), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('generated_at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('pdf_key', sa.String(length=300), nullable=False),
    sa.Column('xlsx_key', sa.String(length=300), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_reports')),
    sa.UniqueConstraint('kind', 'first_day', name='uq_kpi_reports_kind_first_day')
    )
    op.create_table('report_subscriptions',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_report_subscriptions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'kind', name=op.f('pk_report_subscriptions'))
    )


def downgrade() -> None:
    op.drop_table('report_subscriptions')
    op.drop_table('kpi_reports')
