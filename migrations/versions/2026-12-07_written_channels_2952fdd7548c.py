"""Written channels: channel accounts (WeChat, mailboxes), contacts, conversations and their messages, the
self-service site's SMS codes and sessions; the bot's settings, unanswered questions and API sessions.

Revision ID: 2952fdd7548c
Revises: 406aa5dbced2
Create Date: 2026-12-07 10:27:36.497032
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import huiyin.db

revision: str = '2952fdd7548c'
down_revision: str | None = '406aa5dbced2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('bot_config',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bot_config'))
    )
    op.create_table('bot_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=True),
    sa.Column('best_article_id', sa.Integer(), nullable=True),
    sa.Column('confidence', sa.Float(), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('resolved', sa.Boolean(), nullable=False),
    sa.Column('asked_at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bot_questions'))
    )
    with op.batch_alter_table('bot_questions', schema=None) as batch_op:
        batch_op.create_index('ix_bot_questions_open', ['resolved', 'id'], unique=False)

    op.create_table('bot_sessions',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('misses', sa.Integer(), nullable=False),
    sa.Column('answers', sa.Integer(), nullable=False),
    sa.Column('handed_off', sa.Boolean(), nullable=False),
    sa.Column('last_at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_bot_sessions'))
    )
    op.create_table('channel_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('config', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('cursor', sa.JSON(), nullable=False),
    sa.Column('created_at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_channel_accounts')),
    sa.UniqueConstraint('kind', 'name', name=op.f('uq_channel_accounts_kind'))
    )
    op.create_table('channel_inbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('external_id', sa.String(length=200), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('error', sa.String(length=300), nullable=True),
    sa.Column('received_at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('processed_at', huiyin.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_channel_inbox')),
    sa.UniqueConstraint('channel', 'external_id', name=op.f('uq_channel_inbox_channel'))
    )
    with op.batch_alter_table('channel_inbox', schema=None) as batch_op:
        batch_op.create_index('ix_channel_inbox_pending', ['state', 'id'], unique=False)

    op.create_table('sms_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('code_hash', sa.String(length=128), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('used', sa.Boolean(), nullable=False),
    sa.Column('created_at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_codes'))
    )
    with op.batch_alter_table('sms_codes', schema=None) as batch_op:
        batch_op.create_index('ix_sms_codes_phone', ['phone', 'id'], unique=False)

    op.create_table('channel_contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('display_name', sa.String(length=100), nullable=True),
    sa.Column('subscribed', sa.Boolean(), nullable=False),
    sa.Column('last_inbound_at', huiyin.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('bound_at', huiyin.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('pending_phone', sa.String(length=20), nullable=True),
    sa.Column('created_at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_channel_contacts_customer_id_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_channel_contacts')),
    sa.UniqueConstraint('channel', 'account_id', 'address', name=op.f('uq_channel_contacts_channel'))
    )
    with op.batch_alter_table('channel_contacts', schema=None) as batch_op:
        batch_op.create_index('ix_channel_contacts_customer', ['customer_id'], unique=False)

    op.create_table('conversations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=True),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('handoff_reason', sa.String(length=32), nullable=True),
    sa.Column('bot_misses', sa.Integer(), nullable=False),
    sa.Column('bot_answers', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('created_at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('queued_at', huiyin.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('assigned_at', huiyin.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('first_response_at', huiyin.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_customer_at', huiyin.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_agent_at', huiyin.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('unanswered_since', huiyin.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('escalate_at', huiyin.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('escalation_level', sa.Integer(), nullable=False),
    sa.Column('closed_at', huiyin.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_by', sa.Integer(), nullable=True),
    sa.Column('close_reason', sa.String(length=32), nullable=True),
    sa.Column('rating', sa.String(length=16), nullable=True),
    sa.Column('rating_invited_at', huiyin.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['agent_id'], ['users.id'], name=op.f('fk_conversations_agent_id_users')),
    sa.ForeignKeyConstraint(['closed_by'], ['users.id'], name=op.f('fk_conversations_closed_by_users')),
    sa.ForeignKeyConstraint(['contact_id'], ['channel_contacts.id'], name=op.f('fk_conversations_contact_id_channel_contacts')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_conversations_customer_id_customers')),
    sa.ForeignKeyConstraint(['order_id'], ['work_orders.id'], name=op.f('fk_conversations_order_id_work_orders'), initially='DEFERRED', deferrable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conversations'))
    )
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.create_index('ix_conversations_agent_state', ['agent_id', 'state'], unique=False)
        batch_op.create_index('ix_conversations_contact_state', ['contact_id', 'state'], unique=False)
        batch_op.create_index('ix_conversations_customer', ['customer_id', 'id'], unique=False)
        batch_op.create_index('ix_conversations_due', ['escalate_at'], unique=False)
        batch_op.create_index('ix_conversations_state_queued', ['state', 'queued_at'], unique=False)

    op.create_table('self_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=128), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('created_at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['channel_contacts.id'], name=op.f('fk_self_sessions_contact_id_channel_contacts')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_self_sessions_customer_id_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_self_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_self_sessions_token_hash'))
    )
    op.create_table('channel_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('direction', sa.String(length=4), nullable=False),
    sa.Column('sender', sa.String(length=16), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('external_id', sa.String(length=200), nullable=True),
    sa.Column('delivery', sa.String(length=16), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('deliver_after', huiyin.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('error', sa.String(length=300), nullable=True),
    sa.Column('created_at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['users.id'], name=op.f('fk_channel_messages_agent_id_users')),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], name=op.f('fk_channel_messages_conversation_id_conversations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_channel_messages')),
    sa.UniqueConstraint('channel', 'external_id', name=op.f('uq_channel_messages_channel'))
    )
    with op.batch_alter_table('channel_messages', schema=None) as batch_op:
        batch_op.create_index('ix_channel_messages_conversation', ['conversation_id', 'id'], unique=False)
        batch_op.create_index('ix_channel_messages_delivery', ['delivery', 'deliver_after'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('channel_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_channel_messages_delivery')
        batch_op.drop_index('ix_channel_messages_conversation')

    op.drop_table('channel_messages')
    op.drop_table('self_sessions')
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_index('ix_conversations_state_queued')
        batch_op.drop_index('ix_conversations_due')
        batch_op.drop_index('ix_conversations_customer')
        batch_op.drop_index('ix_conversations_contact_state')
        batch_op.drop_index('ix_conversations_agent_state')

    op.drop_table('conversations')
    with op.batch_alter_table('channel_contacts', schema=None) as batch_op:
        batch_op.drop_index('ix_channel_contacts_customer')

    op.drop_table('channel_contacts')
    with op.batch_alter_table('sms_codes', schema=None) as batch_op:
        batch_op.drop_index('ix_sms_codes_phone')

    op.drop_table('sms_codes')
    with op.batch_alter_table('channel_inbox', schema=None) as batch_op:
        batch_op.drop_index('ix_channel_inbox_pending')

    op.drop_table('channel_inbox')
    op.drop_table('channel_accounts')
    op.drop_table('bot_sessions')
    with op.batch_alter_table('bot_questions', schema=None) as batch_op:
        batch_op.drop_index('ix_bot_questions_open')

    op.drop_table('bot_questions')
    op.drop_table('bot_config')
