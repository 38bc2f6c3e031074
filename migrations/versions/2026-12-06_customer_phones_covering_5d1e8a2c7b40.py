"""customer_phones_covering

The phone indexes hold the customer's id too, so that a search by a number's start or by a mobile's last
digits (尾号) reads the index alone (an index-only scan on PostgreSQL, a covering index on SQLite) instead
of one table row per hit; the reversed index holds mobiles only (11 digits, a leading 1), the only numbers
with a 尾号, so that the planner knows what the range finds and stops at the page's twentieth.

Revision ID: 5d1e8a2c7b40
Revises: 9c2e41d7a5b3
Create Date: 2026-12-06 09:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '5d1e8a2c7b40'
down_revision: str | None = '9c2e41d7a5b3'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MOBILE = "length(phone) = 11 AND substr(phone, 1, 1) = '1'"  # huiyin.customers.models.MOBILE, as it was here


def upgrade() -> None:
    op.drop_index('ix_customer_phones_phone', table_name='customer_phones')
    op.drop_index('ix_customer_phones_phone_rev', table_name='customer_phones')
    op.create_index('ix_customer_phones_phone', 'customer_phones', ['phone', 'customer_id'])
    op.create_index(
        'ix_customer_phones_phone_rev',
        'customer_phones',
        ['phone_rev', 'customer_id'],
        sqlite_where=sa.text(MOBILE),
        postgresql_where=sa.text(MOBILE),
    )


def downgrade() -> None:
    op.drop_index('ix_customer_phones_phone_rev', table_name='customer_phones')
    op.drop_index('ix_customer_phones_phone', table_name='customer_phones')
    op.create_index('ix_customer_phones_phone_rev', 'customer_phones', ['phone_rev'])
    op.create_index('ix_customer_phones_phone', 'customer_phones', ['phone'])
