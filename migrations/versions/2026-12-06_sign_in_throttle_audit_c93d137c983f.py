"""sign_in_throttle_audit

Sign-in resists guessing (issue 14): failed sign-ins counted per account and per client address with a
lock-out that doubles (``sign_in_throttle``), and every attempt recorded for the admin
(``sign_in_audit``). See ``huiyin/auth/signin.py``.

Revision ID: c93d137c983f
Revises: 8a4f2b9c1d63
Create Date: 2026-12-06 09:39:22.104272
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import huiyin.db

revision: str = 'c93d137c983f'
down_revision: str | None = '8a4f2b9c1d63'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('sign_in_throttle',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failure_at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('locked_until', huiyin.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_sign_in_throttle'))
    )
    op.create_table('sign_in_audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_sign_in_audit_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sign_in_audit_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_audit'))
    )
    with op.batch_alter_table('sign_in_audit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_audit_at'), ['at'], unique=False)
        batch_op.create_index('ix_sign_in_audit_username_at', ['username', 'at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('sign_in_audit', schema=None) as batch_op:
        batch_op.drop_index('ix_sign_in_audit_username_at')
        batch_op.drop_index(batch_op.f('ix_sign_in_audit_at'))

    op.drop_table('sign_in_audit')
    op.drop_table('sign_in_throttle')
