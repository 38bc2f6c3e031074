"""customer_phones_rev

Each customer phone kept reversed too (``customer_phones.phone_rev``, indexed), so that a tail search (手机
尾号: the last four digits or more) is a range on a btree index, as a prefix search is on ``phone``'s own
index, on SQLite and PostgreSQL alike. Existing rows are filled here: PostgreSQL has ``reverse()``, SQLite
is lent one for the statement.

Revision ID: 487f7d654b80
Revises: 3b8e0c1f2a47
Create Date: 2026-12-06 00:56:51.008868
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '487f7d654b80'
down_revision: str | None = '3b8e0c1f2a47'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    bind = op.get_bind()
    with op.batch_alter_table('customer_phones', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone_rev', sa.String(length=20), nullable=True))
    if bind.dialect.name == 'sqlite':
        bind.connection.dbapi_connection.create_function(
            'reverse', 1, lambda s: None if s is None else s[::-1], deterministic=True
        )
    op.execute('UPDATE customer_phones SET phone_rev = reverse(phone)')
    with op.batch_alter_table('customer_phones', schema=None) as batch_op:
        batch_op.alter_column('phone_rev', existing_type=sa.String(length=20), nullable=False)
        batch_op.create_index(batch_op.f('ix_customer_phones_phone_rev'), ['phone_rev'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('customer_phones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customer_phones_phone_rev'))
        batch_op.drop_column('phone_rev')
