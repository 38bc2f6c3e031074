"""absences and backups

AB角 (issue 15): a user's named backup (users.backup_id) and their absences (leave, training): while a unit
handler is away, the unit's dispatches and notifications go to the backup. See huiyin/auth/absences.py.

Revision ID: 8c8e2448e69d
Revises: 754a8be039ea
Create Date: 2026-12-06 14:37:28.169916
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import huiyin.db

revision: str = '8c8e2448e69d'
down_revision: str | None = '754a8be039ea'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('absences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_absences_created_by_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_absences_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_absences'))
    )
    with op.batch_alter_table('absences', schema=None) as batch_op:
        batch_op.create_index('ix_absences_user_ends', ['user_id', 'ends_at'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('backup_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_users_backup_id_users'), 'users', ['backup_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_users_backup_id_users'), type_='foreignkey')
        batch_op.drop_column('backup_id')

    with op.batch_alter_table('absences', schema=None) as batch_op:
        batch_op.drop_index('ix_absences_user_ends')

    op.drop_table('absences')
