"""rating_invitations

Ratings by SMS (issue 15): the invitation sent after an order is closed, and every SMS a customer sent
back (sms_replies), rated or not. See huiyin/surveys/invitations.py.

Revision ID: 719c321bdd2e
Revises: 78be5eda4a05
Create Date: 2026-12-06 12:02:39.658582
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import huiyin.db

revision: str = '719c321bdd2e'
down_revision: str | None = '78be5eda4a05'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('rating_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contact', sa.String(length=40), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('call_pk', sa.Integer(), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=False),
    sa.Column('sent_at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('rated_at', huiyin.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('rating_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['call_pk'], ['calls.id'], name=op.f('fk_rating_invitations_call_pk_calls')),
    sa.ForeignKeyConstraint(['order_id'], ['work_orders.id'], name=op.f('fk_rating_invitations_order_id_work_orders'), initially='DEFERRED', deferrable=True),
    sa.ForeignKeyConstraint(['rating_id'], ['ratings.id'], name=op.f('fk_rating_invitations_rating_id_ratings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rating_invitations'))
    )
    with op.batch_alter_table('rating_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rating_invitations_order_id'), ['order_id'], unique=False)
        batch_op.create_index('ix_rating_invitations_phone_sent_at', ['phone', 'sent_at'], unique=False)

    op.create_table('sms_replies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('gateway_id', sa.String(length=100), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('received_at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('invitation_id', sa.Integer(), nullable=True),
    sa.Column('rating_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['invitation_id'], ['rating_invitations.id'], name=op.f('fk_sms_replies_invitation_id_rating_invitations')),
    sa.ForeignKeyConstraint(['rating_id'], ['ratings.id'], name=op.f('fk_sms_replies_rating_id_ratings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_replies')),
    sa.UniqueConstraint('gateway_id', name=op.f('uq_sms_replies_gateway_id'))
    )
    with op.batch_alter_table('sms_replies', schema=None) as batch_op:
        batch_op.create_index('ix_sms_replies_phone_received_at', ['phone', 'received_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('sms_replies', schema=None) as batch_op:
        batch_op.drop_index('ix_sms_replies_phone_received_at')

    op.drop_table('sms_replies')
    with op.batch_alter_table('rating_invitations', schema=None) as batch_op:
        batch_op.drop_index('ix_rating_invitations_phone_sent_at')
        batch_op.drop_index(batch_op.f('ix_rating_invitations_order_id'))

    op.drop_table('rating_invitations')
