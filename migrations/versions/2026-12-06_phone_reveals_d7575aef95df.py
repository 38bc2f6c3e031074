"""phone_reveals

Masked numbers (issue 14): every number the API returns is masked, and each reveal of one whole is
recorded here (who, which customer, through which record, when). See ``huiyin/customers/reveals.py``.

Revision ID: d7575aef95df
Revises: c93d137c983f
Create Date: 2026-12-06 11:05:16.067814
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import huiyin.db

revision: str = 'd7575aef95df'
down_revision: str | None = 'c93d137c983f'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('phone_reveals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=16), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('numbers', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_phone_reveals_customer_id_customers'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_phone_reveals_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_phone_reveals'))
    )
    with op.batch_alter_table('phone_reveals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_phone_reveals_at'), ['at'], unique=False)
        batch_op.create_index('ix_phone_reveals_customer_id_at', ['customer_id', 'at'], unique=False)
        batch_op.create_index('ix_phone_reveals_user_id_at', ['user_id', 'at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('phone_reveals', schema=None) as batch_op:
        batch_op.drop_index('ix_phone_reveals_user_id_at')
        batch_op.drop_index('ix_phone_reveals_customer_id_at')
        batch_op.drop_index(batch_op.f('ix_phone_reveals_at'))

    op.drop_table('phone_reveals')
