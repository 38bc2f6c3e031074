"""work_orders_fillfactor

Leave a tenth of each work_orders page free (PostgreSQL), so that the updates that touch no indexed
column (the escalation level and supervision mark the deadline worker sets, urge counts) stay on their
page as HOT updates: no new entry in any of the table's eleven indexes. Rows written before keep their
packed pages until the table is rewritten (VACUUM FULL, or pg_repack on a live system).

Revision ID: 3b8e0c1f2a47
Revises: f7216d5ec39a
Create Date: 2026-11-23 05:00:00
"""
from collections.abc import Sequence

from alembic import op

revision: str = '3b8e0c1f2a47'
down_revision: str | None = 'f7216d5ec39a'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE work_orders SET (fillfactor = 90)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE work_orders RESET (fillfactor)")
